"""The make interface: `make help` lists every target from the comments above the rules, and
the goals that must work on a machine without the tools (help, clean, setup) read the
makefiles without running any of them."""
import os
import re
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Phony targets that are steps of other targets, not things to ask for.
INTERNAL = {"FORCE", "llama-models-present"}
# What reading the makefiles and the goals below may run: no compiler, no Python.
BASE_TOOLS = ["make", "find", "awk", "rm", "mkdir", "sh"]


def make_env(path=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS")}
    env["LC_ALL"] = "C"
    if path:
        env["PATH"] = path
    return env


def make(*args, path=None):
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True,
                          text=True, env=make_env(path))
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout[-2000:]}{proc.stderr}"
    return proc


def help_lines(*makefile):
    """{target: description} of `make help`, checking each line's shape on the way."""
    out = make(*makefile, "help").stdout.splitlines()
    targets = {}
    for line in out[1:]:
        m = re.match(r"^  (\S+) +(\S.*)$", line)
        assert m, f"help line not '  TARGET  description': {line!r}"
        assert m.group(1) not in targets, f"{m.group(1)} listed twice"
        targets[m.group(1)] = m.group(2)
    return targets


def database(*makefile):
    """(phony targets, all targets) from make's printed database."""
    # -q runs nothing; its status (1: help is out of date, being phony) says nothing here.
    db = subprocess.run(["make", "--no-print-directory", *makefile, "-p", "-q", "help"],
                        cwd=ROOT, capture_output=True, text=True, env=make_env()).stdout
    phony, targets, not_target = set(), set(), False
    for line in db.splitlines():
        if line.startswith("# Not a target:"):
            not_target = True
            continue
        m = re.match(r"^([^#\s%][^:=]*?):(?![:=])", line)
        if m and not not_target:
            names = m.group(1).split()
            if names[0] == ".PHONY":
                phony.update(line.split(":", 1)[1].split())
            else:
                targets.update(names)
        not_target = False
    return phony, targets


def test_help_lists_every_target_once():
    listed = help_lines()
    phony, targets = database()
    missing = sorted(phony - INTERNAL - set(listed))
    assert not missing, f"targets without a `# target: description` comment above their rule: " \
                        f"{missing}"
    unknown = sorted(set(listed) - targets)
    assert not unknown, f"make help lists names that are not targets: {unknown}"
    for name in ("all", "setup", "run", "test", "clean", "help", "fuzz", "bench-pgo"):
        assert name in listed, name


def test_modules_makefile_help():
    listed = help_lines("-f", "Makefile.modules")
    phony, targets = database("-f", "Makefile.modules")
    assert set(listed) == phony, (sorted(listed), sorted(phony))
    assert set(listed) <= targets


def tools_only_path(tmp):
    """A PATH with the base tools only: no clang, nasm, QEMU or Python."""
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    for tool in BASE_TOOLS:
        os.symlink(shutil.which(tool), os.path.join(bindir, tool))
    return bindir


def test_help_clean_and_setup_read_the_makefiles_without_the_tools():
    with tempfile.TemporaryDirectory() as tmp:
        path = tools_only_path(tmp)
        build = os.path.join(tmp, "build")
        image = os.path.join(tmp, "fluid.img")
        os.makedirs(os.path.join(build, "i686"))
        open(image, "w").close()
        for args in (["help"], ["-f", "Makefile.modules", "help"], ["-n", "setup"],
                     [f"BUILD={build}", f"IMAGE={image}", "clean"]):
            proc = make(*args, path=path)
            assert not proc.stderr, f"make {' '.join(args)} without the tools:\n{proc.stderr}"
        assert not os.path.exists(build) and not os.path.exists(image)
