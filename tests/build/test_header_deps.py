"""Header dependencies of the build: changing a header rebuilds every program that reads it.

Which programs read a header is found without make's dependency files: `make -n -B --trace`
prints every target of every program with its commands, and each compile command is run
again with -MM, so the compiler itself names the headers its sources include. Which programs
make would rebuild comes from `make -n -W HEADER` on the built tree (nothing is touched).
Needs the tree `make test` builds; programs not built yet (benchmarks, the fuzzer) are only
checked for the compile-rule shape: one source, one object, with a dependency file."""
import collections
import concurrent.futures
import os
import re
import subprocess
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Headers shared by several programs and by both kernels, the host tests and the tools.
HEADERS = [
    "include/fluid/module.h",
    "include/fluid/bootinfo.h",
    "kernel/bench/suite_run.h",
    "kernel/bench/json.h",
    "kernel/core/format.h",
    "kernel/fs/fat16.h",
    "kernel/mm/heap.h",
    "kernel/llm/llm.h",
    "libs/llvmlibc/include/string.h",
    "tests/lib/check.h",
    "tests/libs/llvmlibc/accuracy.h",
]

# What the build makes: programs, kernel images, disk images, libraries, modules.
PROGRAM_VARS = "HOST_TEST_BINS HOST_TOOL_BINS IMAGE KERNEL_IMG KERNEL64_IMG TEST_DEPS"

TRACE = re.compile(r"^\S+:\d+: update target '(.+)' due to: (.*)$")


def make_env():
    """The environment of a make run of our own: no flags of an enclosing make."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS")}
    env["LC_ALL"] = "C"     # make's messages, parsed below, in English
    return env


def make(*args):
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=make_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout[-3000:]}" \
                                 f"\n{proc.stderr[-3000:]}"
    return proc.stdout


def make_vars():
    """{name: [words]} of CC, HOST_CC, IMAGE and the program lists, as make sees them."""
    names = "CC HOST_CC " + PROGRAM_VARS
    out = make("-s", "--eval", f"fluid-print-vars: ; @$(foreach n,{names},echo '$(n)=$($(n))';)",
               "fluid-print-vars")
    return {k: v.split() for k, v in (line.split("=", 1) for line in out.splitlines())}


def programs(v):
    """Every file the program lists name (phony targets, which have no '/', left out)."""
    names = []
    for name in PROGRAM_VARS.split():
        for target in v[name]:
            if target not in names and ("/" in target or target in v["IMAGE"]):
                names.append(target)
    return names


def trace(*args):
    """[(target, prerequisites, [commands])] of `make --trace -n ARGS`, in order."""
    rules = []
    lines = make("-n", "--trace", *args).replace("\\\n", " ").splitlines()
    for line in lines:
        m = TRACE.match(line)
        if m:
            rules.append((m.group(1), m.group(2).split(), []))
        elif rules and line.strip() and not line.startswith("make"):
            rules[-1][2].append(line.strip())
    return rules


def compile_commands(v, rules):
    """(target, command) of every command in RULES that compiles C."""
    compilers = set(v["CC"] + v["HOST_CC"])
    for target, _, commands in rules:
        for cmd in commands:
            words = cmd.split()
            if words and words[0] in compilers and any(w.endswith(".c") for w in words):
                yield target, cmd


def dependency_command(cmd):
    """The compile command CMD turned into one that prints its sources' headers (-MM)."""
    for pattern in (r"-o\s+\S+", r"-M[TFQ]\s+\S+", r"-(c|S|MMD|MD|MP)", r"\S+\.[oa]", r"-l\S+"):
        cmd = re.sub(r"(?<!\S)" + pattern + r"(?!\S)", " ", cmd)
    return cmd + " -MM -Wno-unused-command-line-argument"


def headers_read(cmd):
    proc = subprocess.run(["bash", "-c", dependency_command(cmd)], cwd=ROOT, env=make_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"{dependency_command(cmd)}\n{proc.stderr[-2000:]}"
    deps = proc.stdout.replace("\\\n", " ").split()
    return {os.path.normpath(d) for d in deps if d.endswith(".h")}


class Build:
    """Every program of the build, the rules that make them and the headers each one reads."""

    def __init__(self):
        self.vars = make_vars()
        self.programs = programs(self.vars)
        self.rules = trace("-B", *self.programs)
        targets = {t for t, _, _ in self.rules}
        inputs = collections.defaultdict(set)
        for target, prereqs, commands in self.rules:
            words = set(prereqs)
            for cmd in commands:
                words.update(re.split(r"[\s=,'\"]+", cmd))
            inputs[target] |= {w for w in words if w in targets and w != target}
        reads = collections.defaultdict(set)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            jobs = [(t, pool.submit(headers_read, c)) for t, c in compile_commands(self.vars,
                                                                                   self.rules)]
            for target, job in jobs:
                reads[target] |= job.result()
        memo = {}

        def closure(target, path=()):
            if target not in memo:
                headers = set(reads[target])
                for t in inputs[target]:
                    if t not in path:
                        headers |= closure(t, path + (target,))
                memo[target] = headers
            return memo[target]

        self.reads = {p: closure(p) for p in self.programs}


_build = None
_build_lock = threading.Lock()


def build():
    global _build
    with _build_lock:
        if _build is None:
            _build = Build()
        return _build


def test_every_compile_makes_one_object_with_a_dependency_file():
    b = build()
    bad = []
    for target, cmd in compile_commands(b.vars, b.rules):
        words = cmd.split()
        sources = [w for w in words if w.endswith(".c")]
        one_object = len(sources) == 1 and ("-c" in words or "-S" in words)
        if not one_object or not {"-MMD", "-MD"} & set(words):
            bad.append(f"{target}: {cmd}")
    assert not bad, "compile rules that are not one source -> one object with -MMD:\n" + \
        "\n".join(bad)


def test_every_listed_header_is_shared():
    """Each header of HEADERS is read by at least two programs, so the checks below mean
    something (a header nothing shares any more should leave the list)."""
    b = build()
    for header in HEADERS:
        users = [p for p in b.programs if header in b.reads[p]]
        assert len(users) >= 2, f"{header} is read by {users}"


def cases():
    for header in HEADERS:
        yield f"changing_{header}_rebuilds_its_programs", lambda h=header: check_header(h)


def check_header(header):
    b = build()
    built = [p for p in b.programs if os.path.exists(os.path.join(ROOT, p))]
    expected = {p for p in built if header in b.reads[p]}
    assert expected, f"no built program reads {header}: build what make test builds first"
    rebuilt = {t for t, _, _ in trace("-W", header, *built)}
    missing = sorted(expected - rebuilt)
    assert not missing, f"after a change to {header}, make would not rebuild:\n  " + \
        "\n  ".join(missing)
