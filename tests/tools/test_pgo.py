"""The module cache and the PGO loop (docs/pgo.md), end to end under QEMU -icount.

- The real loop (tools/pgo.py loop --quick: fewer variants and calls) on a copy of fluid.img
  produces cache modules and report files that parse, the chart with a best-uniform bar per
  module; the next boot runs those modules from
  the cache (asserted from the JSON: source "cache" and the chosen flags) with correct
  answers, on `-M pc` (IDE), on `-M q35` (AHCI: the boot disk through the BIOS) and from a
  separate cache.img on the second disk.
- Corruption: a cache file with a bad CRC, a truncated one, one whose cluster chain loops, one
  holding another module, and a partition with a bad boot sector: the kernel logs the reason,
  the JSON carries it (cache_error), the embedded module runs and the kernel exits cleanly.
- Instrumented PGO: counters dumped by the host runner become a profile llvm-profdata reads
  with the exact call count of fibonacci's recursion.
Never modifies fluid.img or cache/i686: everything lives under build/pgo-test/."""
import json
import os
import shutil
import struct
import subprocess
import sys
import threading

from fluid import ROOT
from fluid import cache as mkcache
from fluid import fatimg, modfmt, qemu
from fluid import profiles as fprofile
from fluid.pgo import build as pgo_build
from fluid.pgo import measure as pgo_measure

WORK = os.path.join(ROOT, "build", "pgo-test")
LOOP_IMAGE = os.path.join(WORK, "fluid.img")
CACHE_IMG = os.path.join(WORK, "cache.img")
CACHE_DIR = os.path.join(WORK, "cache")
FIB_CALLS = 57313               # recursive fib(22) calls (docs/module-format.md)
LOOP_TIMEOUT_S = 170
_loop_done = []
# tests/run.py may run these tests in threads; the loop and the instrumented-profile test both
# build host runners and profiles under build/pgo/, so they take turns.
_loop_lock = threading.Lock()


def fresh_image(name):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name)
    shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
    return path


def run_loop():
    """Runs the quick loop once per test session; returns the report."""
    with _loop_lock:
        return _run_loop_locked()


def _run_loop_locked():
    if not _loop_done:
        fresh_image("fluid.img")
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "pgo.py"), "loop",
                            "--quick", "--work", WORK, "--image", LOOP_IMAGE, "--cache-dir",
                            CACHE_DIR, "--cache-img", CACHE_IMG], capture_output=True,
                           text=True, timeout=LOOP_TIMEOUT_S)
        assert p.returncode == 0, f"pgo loop failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
        with open(os.path.join(WORK, "report.json")) as f:
            _loop_done.append(json.load(f))
    return _loop_done[0]


def boot(image, name, machine="pc", drives=()):
    b = qemu.boot(image=image, machine=machine, memory="64M", icount=True, timeout=90,
                  drives=drives)
    try:
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        qemu.json_lines_strict(b.log)
        prof = fprofile.extract(b.log)
    except (AssertionError, fprofile.ProfileError) as e:
        raise AssertionError(f"{e}\n(full log: {qemu.save_log(name, b)})\n{b.tail()}")
    return b, {m["name"]: m for m in prof["modules"]}


def cached_flags():
    """{module: header short flags} of the cache files the loop left."""
    out = {}
    for f in os.listdir(CACHE_DIR):
        with open(os.path.join(CACHE_DIR, f), "rb") as fh:
            h = fprofile_mod(fh.read())
        out[h["name"]] = h["cflags"]
    return out


def fprofile_mod(blob):
    return modfmt.parse(blob)


def assert_runs_from_cache(mods, flags, where):
    assert flags, "the loop left no cache modules"
    for name, m in mods.items():
        assert m["passed"] and m["status"] == "ok", (where, m)
        want = "cache" if name in flags else "embedded"
        assert m["source"] == want, (where, name, m["source"], m["cache_error"])
        if name in flags:
            assert m["flags"] == flags[name] and m["cache_error"] is None, (where, m)


def test_loop_report_files_parse():
    rep = run_loop()
    assert rep["all_correct"] and len(rep["modules"]) == len(pgo_build.module_names())
    assert rep["clock"] == "icount" and rep["select_clock"] == "host"
    assert len(rep["iterations"]) >= 2 and rep["iterations"][0]["iteration"] == 0
    assert any(r["source"] == "cache" for r in rep["modules"]), rep["modules"]
    # parameters the loop tuned are in the cache file's flags label
    with open(os.path.join(WORK, "state.json")) as f:
        selected = json.load(f)["selected"]
    flags = cached_flags()
    for n, e in selected.items():
        for name, value in e.get("params", {}).items():
            assert f"-D{name}={value}" in flags[n].split(), (n, e, flags[n])
    # the best uniform build, profiled in the same clock: a bar per module in the chart
    assert rep["uniform"]["flags"] and rep["geomean_over_uniform"] > 0, rep.get("uniform")
    assert all(r["uniform"] > 0 and r["over_uniform"] > 0 for r in rep["modules"])
    with open(os.path.join(WORK, "chart.svg")) as f:
        chart = f.read()
    assert "best uniform" in chart and chart.count("<rect") == 3 + 3 * len(rep["modules"])
    with open(os.path.join(WORK, "report.md")) as f:
        assert "| module | -O2 | best uniform | final |" in f.read()
    import xml.etree.ElementTree as ET
    svg = ET.parse(os.path.join(WORK, "chart.svg")).getroot()
    assert svg.tag.endswith("svg") and len(svg) > 2 * len(rep["modules"])


def test_next_boot_runs_cache_modules_pc():
    run_loop()
    _, mods = boot(LOOP_IMAGE, "pgo_cache_pc")
    assert_runs_from_cache(mods, cached_flags(), "pc")


def test_next_boot_runs_cache_modules_q35():
    run_loop()
    b, mods = boot(LOOP_IMAGE, "pgo_cache_q35", machine="q35")
    b.expect(r"^cache: bios80p1: \d+ modules", "cache read through the BIOS")
    assert_runs_from_cache(mods, cached_flags(), "q35")


def test_cache_img_on_second_disk():
    run_loop()
    plain = fresh_image("plain.img")
    mkcache.write(plain, [], clear=True)
    b, mods = boot(plain, "pgo_cache_disk", drives=(CACHE_IMG,))
    b.expect(r"^cache: ata1: \d+ modules", "cache read from the second disk")
    assert_runs_from_cache(mods, cached_flags(), "cache.img")


def corrupt_image():
    """An image whose cache holds four damaged files; returns (path, expected reasons)."""
    img = fresh_image("corrupt.img")
    o2 = {n: pgo_build.build(n, "O2")
          for n in ("sha256", "fibonacci", "sum", "primes", "quicksort")}
    d = os.path.join(WORK, "bad")
    os.makedirs(d, exist_ok=True)
    blob = bytearray(open(o2["sha256"], "rb").read())
    blob[-1] ^= 0xFF
    open(os.path.join(d, "crc.mod"), "wb").write(blob)
    open(os.path.join(d, "trunc.mod"), "wb").write(open(o2["fibonacci"], "rb").read()[:100])
    # A valid module whose bss (2 MiB, within the format's limit) exceeds the kernel's module
    # arena: it passes every check and can only be refused when the suite places it.
    spec = modfmt.spec()
    blob = bytearray(open(o2["quicksort"], "rb").read())
    struct.pack_into("<I", blob, spec.OFFSETS["bss_size"], 2 << 20)
    blob[:spec.HEADER_SIZE] = modfmt.seal_header(bytes(blob[:spec.HEADER_SIZE]))
    open(os.path.join(d, "bigbss.mod"), "wb").write(blob)
    mkcache.write(img, [o2["sum"]], raw=[f"SHA256.MOD={d}/crc.mod",
                                         f"FIBONACC.MOD={d}/trunc.mod",
                                         f"PRIMES.MOD={o2['sum']}",
                                         f"QUICKSOR.MOD={d}/bigbss.mod"], clear=True)
    vol = fatimg.Volume(img, base=mkcache.volume_offset(img))
    first = vol.first_cluster("/CACHE/I686/SUM.MOD")
    vol.set_fat(first, first)               # the chain points back at itself
    return img, {"sha256": "bad CRC", "fibonacci": "truncated", "sum": "chain loops",
                 "primes": "holds module sum", "quicksort": "no memory"}


def test_corrupt_cache_files_fall_back_to_embedded():
    img, reasons = corrupt_image()
    b, mods = boot(img, "pgo_cache_corrupt")
    for name, why in reasons.items():
        m = mods[name]
        assert m["source"] == "embedded" and m["passed"], m
        assert m["cache_error"] and why.lower() in m["cache_error"].lower(), (name, m["cache_error"])
        assert m["cache_error"] in b.log, f"{name}: reason not in the log"
    assert all(m["source"] == "embedded" and m["passed"] for m in mods.values())


def test_bad_boot_sector_falls_back_to_embedded():
    img = fresh_image("badbpb.img")
    mkcache.write(img, [pgo_build.build("sum", "O3")], clear=True)
    fatimg.Volume(img, base=mkcache.volume_offset(img)).set_bpb("BPB_SecPerClus", 3)
    b, mods = boot(img, "pgo_cache_bad_bpb")
    b.expect(r"^fat16: .*BPB_SecPerClus 3", "the bad boot-sector field named")
    b.expect(r"^cache: no volume with /CACHE/I686", "no cache used")
    assert all(m["source"] == "embedded" and m["passed"] for m in mods.values())


def test_mkcache_refuses_invalid_and_colliding_modules():
    good = pgo_build.build("sum", "O2")
    bad = os.path.join(WORK, "bad", "notmod.mod")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    open(bad, "wb").write(b"\0" * 200)
    for mods, why in (([bad], "not a valid module"), ([good, good], "would share SUM.MOD")):
        try:
            mkcache.checked_modules(mods)
        except mkcache.CacheError as e:
            assert why in str(e), e
        else:
            raise AssertionError(f"mkcache accepted {mods}")
    assert mkcache.file_name("physics_step") == "PHYSICS_.MOD"


def test_instrumented_profile_counts_fibonacci_calls():
    work = os.path.join(WORK, "instr")
    with _loop_lock:
        errors = pgo_measure.instr_profiles(["fibonacci"], work, calls=2)
        assert not errors, errors
        p = subprocess.run(["llvm-profdata", "show", "--all-functions", "--counts",
                            pgo_build.profdata_path("fibonacci")], capture_output=True, text=True)
    text = p.stdout.split("fib_recursive:", 1)[1]
    count = int(text.split("Function count:", 1)[1].split()[0])
    assert count == FIB_CALLS * 3, f"fib_recursive entered {count} times over 3 calls"
