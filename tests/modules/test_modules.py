"""Benchmark-module tests that need no QEMU: each source's FLUID_EXPECT against an
independent Python reference (tests/modules/reference.py), the .mod files against the Python
reader, mkmod's refusal of relocations the loader cannot apply, and a run of every module
(and every bad module) through the 32-bit host runner, whose JSON must parse and hold the
documented fields. Needs `make` to have built build/modules/O2 and build/host/hostrun."""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

from fluid import ROOT, modfmt
from fluid import profiles as fluid_profile


def load_test_table(name):
    """A Python file beside this one (reference.py, hostile.py), loaded by its path."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    spec = importlib.util.spec_from_file_location("fluid_module_" + name[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference():
    """reference.py beside this file (a script of its own too)."""
    return load_test_table("reference.py")


reference = load_reference()
hostile = load_test_table("hostile.py")

MODS = os.path.join(ROOT, "build", "modules", "O2")
HOSTRUN = os.path.join(ROOT, "build", "host", "hostrun", "hostrun")
SUITE = sorted(reference.REFERENCES)
MODULE_FIELDS = {"name", "version", "tier", "flags", "source", "code_address", "code_size",
                 "calls", "total_cycles", "min_cycles", "max_cycles", "mean_cycles",
                 "median_cycles", "result", "expected", "status", "passed", "error"}
TOP_FIELDS = {"format_version", "build_id", "boot_id", "cpu", "clock", "memory_bytes",
              "modules", "functions", "summary"}
BAD_OUTCOMES = {"bad_divide": "fault", "bad_opcode": "fault", "bad_gp": "fault",
                "bad_endless": "timeout", "bad_crc": "rejected", "bad_header_crc": "rejected",
                "bad_magic": "rejected", "bad_size": "rejected", "bad_entry": "rejected"}


def expect_line(name):
    with open(os.path.join(ROOT, "modules", name + ".c")) as f:
        m = re.search(r"^FLUID_EXPECT\((\w+), (\d+)\);", f.read(), re.M)
    return int(m.group(1), 0), int(m.group(2))


def test_suite_is_the_twelve_modules():
    names = sorted(f[:-2] for f in os.listdir(os.path.join(ROOT, "modules")) if f.endswith(".c"))
    assert names == SUITE, names


def cases():
    for name in SUITE:
        def check(name=name):
            want, tol = expect_line(name)
            got = reference.REFERENCES[name]()
            assert abs(got - want) <= tol, f"{name}: source says 0x{want:08x}, reference 0x{got:08x}"
        yield f"expected_value_{name}", check


def test_mod_files_parse_with_python_reader():
    for name in SUITE:
        with open(os.path.join(MODS, name + ".mod"), "rb") as f:
            h = modfmt.parse(f.read(), cpu_features=modfmt.feature_mask(["fpu", "cmov"]))
        assert h["name"] == name and h["tier"] == 2 and h["cflags"].startswith("-O2")


def test_corrupt_modules_rejected_by_python_reader():
    for name, outcome in BAD_OUTCOMES.items():
        if outcome != "rejected":
            continue
        with open(os.path.join(MODS, name + ".mod"), "rb") as f:
            blob = f.read()
        try:
            modfmt.parse(blob)
        except modfmt.ModError:
            continue
        raise AssertionError(f"{name} accepted")


def test_mkmod_refuses_unsupported_relocation():
    """PIC code needs GOT relocations (R_386_GOTPC/GOTOFF); pack must fail the build."""
    src = "static int table[4] = {1, 2, 3, 4};\n" \
          "int fluid_main(int i) { return table[i & 3]; }\n"
    flags = subprocess.run([sys.executable, "tools/mkmod.py", "flags", "O2"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    flags = [f for f in flags if f != "-fno-pic"] + ["-fPIC"]
    with tempfile.TemporaryDirectory() as d:
        c, o, elf = (os.path.join(d, n) for n in ("m.c", "m.o", "m.elf"))
        with open(c, "w") as f:
            f.write("#define FLUID_EXPECT(v, t) typedef int fluid_expect_\nFLUID_EXPECT(1, 0);\n" + src)
        subprocess.run(["clang"] + flags + ["-c", c,
                        "-o", o], check=True, capture_output=True)
        subprocess.run(["ld.lld", "-m", "elf_i386", "-T", "modules/module.ld", "--emit-relocs",
                        "-o", elf, o], cwd=ROOT, check=True, capture_output=True)
        p = subprocess.run([sys.executable, "tools/mkmod.py", "pack", "--variant", "O2",
                            "--source", c, elf, os.path.join(d, "m.mod")], cwd=ROOT,
                           capture_output=True, text=True)
    assert p.returncode != 0 and ("unsupported relocation" in p.stderr or
                                  "unexpected section" in p.stderr), p.stderr


def run_hostrun(*args):
    p = subprocess.run([HOSTRUN, "--calls", "3", *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, fluid_profile.extract(p.stdout), p.stderr


def test_hostrun_all_modules_correct():
    rc, prof, err = run_hostrun()
    assert rc == 0, err
    assert TOP_FIELDS <= set(prof), TOP_FIELDS - set(prof)
    assert prof["clock"]["source"] == "host-rdtsc"
    assert sorted(m["name"] for m in prof["modules"]) == SUITE
    for m in prof["modules"]:
        assert MODULE_FIELDS <= set(m), (m["name"], MODULE_FIELDS - set(m))
        assert m["passed"] and m["status"] == "ok" and m["result"] == m["expected"], m
        assert m["calls"] == 3 and m["min_cycles"] <= m["median_cycles"] <= m["max_cycles"]
        assert m["source"] == "embedded"
    assert {f["name"] for f in prof["functions"]} >= {"mod_check", "mod_place"} | set(SUITE)


def test_hostrun_bad_modules_stopped_and_reported():
    rc, prof, err = run_hostrun("--bad-modules", "--budget-ms", "300")
    by_name = {m["name"]: m for m in prof["modules"]}
    for name, outcome in BAD_OUTCOMES.items():
        m = by_name[name]
        assert m["status"] == outcome and m["passed"] and m["error"], m
    assert "module bad_crc: bad CRC (expected 0x" in by_name["bad_crc"]["error"]
    assert by_name["bad_divide"]["fault"]["vector"] == 0
    assert by_name["bad_opcode"]["fault"]["vector"] == 6
    # The hostile modules end as in the kernel: the runner keeps its own stack and registers.
    for name, (status, vector) in hostile.MODULES.items():
        m = by_name[name]
        if name in hostile.KERNEL_ONLY:
            continue
        assert m["status"] == status and m["passed"], m
        if status == "fault":
            assert m["fault"]["vector"] == vector, m
    for name in SUITE:                          # the good ones still ran, and correctly
        assert by_name[name]["passed"], by_name[name]
