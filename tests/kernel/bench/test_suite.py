"""QEMU boot tests of the benchmark suite: a default boot runs all twelve modules
with correct answers and exports a parseable profile holding every documented field; two
boots under `-icount shift=0` give identical cycle counts; with `test=bad-modules` the
faulting, endless and corrupt modules are stopped or rejected with a reason, and each hostile
module (tests/modules/hostile.py: privileged instructions, port I/O, kernel memory, a smashed
stack, clobbered registers) is stopped in ring 3 and reported with the vector, the
instruction and the address it touched, while the good modules still run and the profile is
still exported."""
import importlib.util
import os

from fluid import ROOT, layout
from fluid import profiles as fluid_profile
from fluid import qemu


def load_hostile():
    path = os.path.join(ROOT, "tests", "modules", "hostile.py")
    spec = importlib.util.spec_from_file_location("fluid_hostile_modules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = load_hostile()

SUITE = ["compute", "fft_1d", "fibonacci", "gemm_tile", "matrix_mul", "physics_step",
         "primes", "quicksort", "regex_dfa", "sha256", "strops", "sum"]
TOP_FIELDS = {"format_version", "runner", "build_id", "boot_id", "cpu", "clock",
              "memory_bytes", "calls_per_module", "summary", "modules", "functions",
              "isolation"}
CPU_FIELDS = {"vendor", "brand", "hypervisor", "features"}
CLOCK_FIELDS = {"source", "unit", "is_cycles", "tsc_hz", "timer_overhead_cycles",
                "call_overhead_cycles"}
MODULE_FIELDS = {"name", "version", "tier", "flags", "flags_hash", "source", "code_address",
                 "code_size", "calls", "total_cycles", "min_cycles", "max_cycles",
                 "mean_cycles", "median_cycles", "samples", "result", "expected", "status",
                 "passed", "error"}
BAD_OUTCOMES = {"bad_divide": ("fault", 0), "bad_opcode": ("fault", 6),
                "bad_gp": ("fault", 13), "bad_endless": ("timeout", None),
                "bad_crc": ("rejected", "bad CRC (expected 0x"),
                "bad_header_crc": ("rejected", "bad header CRC"),
                "bad_magic": ("rejected", "bad magic"),
                "bad_size": ("rejected", "bad image size"),
                "bad_entry": ("rejected", "entry outside code"),
                "bad_needs_avx2": ("rejected", "missing CPU features")}
BOOT_TIMEOUT_S = 90


def boot_profile(name, **kw):
    b = qemu.boot(memory="64M", timeout=BOOT_TIMEOUT_S, **kw)
    try:
        qemu.json_lines_strict(b.log)
        return b, fluid_profile.extract(b.log)
    except (AssertionError, fluid_profile.ProfileError) as e:
        raise AssertionError(f"{e}\n(full log: {qemu.save_log(name, b)})\n{b.tail()}")


def test_default_boot_runs_every_module_correctly():
    b, prof = boot_profile("suite_default", cmdline="clock=tcg")

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        assert TOP_FIELDS <= set(prof), TOP_FIELDS - set(prof)
        assert CPU_FIELDS <= set(prof["cpu"]) and CLOCK_FIELDS <= set(prof["clock"])
        assert prof["clock"]["source"] == "tcg" and prof["clock"]["is_cycles"] is False
        assert prof["clock"]["tsc_hz"] > 0 and prof["memory_bytes"] > 0
        assert prof["cpu"]["vendor"] and prof["build_id"] and prof["build_id"] != "unknown"
        assert sorted(m["name"] for m in prof["modules"]) == SUITE
        for m in prof["modules"]:
            assert MODULE_FIELDS <= set(m), (m["name"], MODULE_FIELDS - set(m))
            assert m["status"] == "ok" and m["passed"] and m["result"] == m["expected"], m
            # After `make pgo-apply` the image's cache replaces some modules; otherwise the
            # embedded -O2 builds run.
            assert m["source"] == "cache" or (m["source"] == "embedded" and m["tier"] == "O2"), m
            assert m["calls"] >= 3, m
            assert 0 < m["min_cycles"] <= m["median_cycles"] <= m["max_cycles"], m
        assert prof["summary"] == {"modules": 12, "passed": 12, "failed": 0,
                                   "total_cycles": sum(m["total_cycles"]
                                                       for m in prof["modules"])}
        assert {f["name"] for f in prof["functions"]} >= {"mod_check", "mod_place"}
        # Modules ran in ring 3 behind paging, and what that costs per call was measured.
        assert prof["isolation"] == {"mode": "ring3", "paged": True}, prof["isolation"]
        assert prof["clock"]["call_overhead_cycles"] > 0, prof["clock"]
    qemu.check("suite_default", b, check)


def test_icount_boots_give_identical_cycles():
    runs = [boot_profile(f"suite_icount_{i}", cmdline="clock=icount", icount=True)[1]
            for i in range(2)]
    for prof in runs:
        assert prof["clock"]["source"] == "icount" and prof["clock"]["is_cycles"] is False
        assert "instructions" in prof["clock"]["unit"]
    a, b = ({m["name"]: m["samples"] for m in p["modules"]} for p in runs)
    assert a == b, {n: (a[n], b.get(n)) for n in a if a[n] != b.get(n)}


def test_bad_modules_are_stopped_and_reported():
    b, prof = boot_profile("suite_bad", cmdline="test=bad-modules clock=tcg")

    def check(b):
        by_name = {m["name"]: m for m in prof["modules"]}
        for name, (outcome, detail) in BAD_OUTCOMES.items():
            m = by_name.get(name)
            assert m, f"{name} missing from the profile"
            assert m["status"] == outcome and m["passed"] and m["error"], m
            if outcome == "fault":
                assert m["fault"]["vector"] == detail, m
            elif outcome == "rejected":
                assert f"module {name}: {detail}" in m["error"], m["error"]
        for name in SUITE:
            assert by_name[name]["passed"], by_name[name]
        check_hostile(by_name)
        assert prof["summary"]["failed"] == 0, prof["summary"]
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
    qemu.check("suite_bad", b, check)


def test_hostile_gs_module_loads_the_per_cpu_selector():
    """hostile_gs_cpu_block.c cannot include the kernel's headers: its selector is checked
    against the generated layout here, so the module keeps aiming at the per-CPU block."""
    assert layout.default()["SEL_CPU_LOCAL"] == hostile.GS_CPU_BLOCK_SELECTOR


def check_hostile(by_name):
    """Every hostile module stopped in ring 3 (or, for the clobbering one, survived), with the
    report the issue of each asks for: vector, instruction address inside its own code, and
    the address touched where it reached for memory not its own."""
    for name, (status, vector) in hostile.MODULES.items():
        m = by_name.get(name)
        assert m, f"{name} missing from the profile"
        assert m["status"] == status and m["passed"], m
        if status == "ok":
            assert m["result"] == m["expected"] and m["calls"] >= 3, m
            continue
        assert m["error"].startswith(f"module {name}: "), m["error"]
        if status != "fault":
            continue
        f, start = m["fault"], int(m["code_address"], 16)
        assert f["vector"] == vector and f["mnemonic"] in m["error"], m
        assert start <= int(f["eip"], 16) < start + m["code_size"], m
        if vector == hostile.PF:
            assert f["address"] is not None and f["address"] in m["error"], m
        else:
            assert f["address"] is None, m
    forge = by_name["hostile_forge"]["fault"]
    assert int(forge["address"], 16) == hostile.FORGE_READS_FIRST, forge
    patch = by_name["hostile_code_write"]       # its own entry point: code is read-only
    assert patch["fault"]["address"] == patch["code_address"], patch
