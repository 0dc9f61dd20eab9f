"""Planner wisdom on the FAT16 partition (docs/adaptive.md, kernel/bench/wisdom.h), under QEMU
-icount with writes reaching a copy of fluid.img and only the test module adapt_probe running,
its -O0 and -O3 -msse2 builds as variants:

- the first boot measures at call 100 and saves its decision; tools/fluid/wisdom.py reads it
  back; the second boot starts the module on that variant at call 0 with no measuring (hit);
- wisdom written by the Python tool for another CPU is ignored, logged with both CPUs, and the
  planner measures (invalidated); so is an entry whose candidate keys changed;
- a corrupt file (one body byte flipped) is ignored with a message naming the CRC mismatch;
  wisdom.write=0 leaves the file as it was.
Also the Python reader and writer on their own: round trip, the empty file, a bad CRC."""
import os
import re
import shutil

from fluid import ROOT
from fluid import cache as mkcache
from fluid import qemu, wisdom
from fluid import profiles as fprofile

WORK = os.path.join(ROOT, "build", "test-images", "wisdom")
MODS = os.path.join(ROOT, "build", "modules")
PROBE = "adapt_probe"
CMDLINE = f"suite.modules={PROBE} test=bad-modules suite.calls=150 planner.thresholds=100"


def mod(variant, name=PROBE):
    return os.path.join(MODS, variant, name + ".mod")


def keys():
    """The candidates' keys as the kernel computes them: the embedded O2 build, then the
    variants in manifest order."""
    out = []
    for path in (mod("O2"), mod("O0"), mod("O3-sse2")):
        with open(path, "rb") as f:
            out.append(wisdom.key_of(f.read()))
    return out


def image(name):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name + ".img")
    shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
    mkcache.write_variants(path, [mod("O0"), mod("O3-sse2")])
    return path


def boot(img, name, extra=""):
    b = qemu.boot(image=img, memory="64M", icount=True, timeout=120, writable=True,
                  cmdline=f"{CMDLINE} {extra}".strip())
    try:
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        qemu.json_lines_strict(b.log)
        (m,) = [m for m in fprofile.extract(b.log)["modules"] if m["name"] == PROBE]
        assert m["passed"], m["error"]
    except (AssertionError, fprofile.ProfileError, ValueError) as e:
        raise AssertionError(f"{e}\n(full log: {qemu.save_log(name, b)})\n{b.tail()}")
    return b, m["adaptive"]


def test_second_boot_hits_wisdom_without_measuring():
    img = image("hit")
    assert wisdom.read(img) is None                     # preallocated, never written
    b, first = boot(img, "wisdom-first")
    assert first["wisdom"] == "miss" and first["measurements"] == 1
    b.expect(r"wisdom: saved 1 modules to \w+:/WISDOM/I686.WIS")
    cpu, modules = wisdom.read(img)
    assert modules == [dict(module=PROBE, chosen=first["current"], keys=keys())], modules
    b, second = boot(img, "wisdom-second")
    b.expect(rf"wisdom: {PROBE}: hit: starts on variant {first['current']}, no measuring")
    assert second["wisdom"] == "hit" and second["measurements"] == 0
    assert second["planner_calls"] == 0 and second["current"] == first["current"]
    assert [(h["call"], h["to"], h["reason"]) for h in second["history"]] == \
           [(0, first["current"], "wisdom")]


def test_wisdom_of_another_cpu_is_ignored():
    img = image("other-cpu")
    other = dict(vendor="AuthenticAMD", family=25, model=33, stepping=2, features=0xfff)
    wisdom.write(img, wisdom.format_wisdom(other, [dict(module=PROBE, chosen=1, keys=keys())]))
    b, ad = boot(img, "wisdom-other-cpu")
    b.expect(r"wisdom: /WISDOM/I686.WIS: made on AuthenticAMD family 25 model 33 stepping 2 "
             r"features 00000fff, this is \S+ .*: its 1 modules invalidated")
    b.expect(rf"wisdom: {PROBE}: made on another CPU: ignored, the planner measures")
    assert ad["wisdom"] == "invalidated" and ad["measurements"] == 1
    cpu, modules = wisdom.read(img)                     # rewritten for this CPU
    assert cpu["vendor"] != "AuthenticAMD" and modules[0]["chosen"] == ad["current"]


def test_changed_candidates_invalidate_the_entry():
    img = image("changed")
    boot(img, "wisdom-changed-first")
    cpu, modules = wisdom.read(img)
    modules[0]["keys"][1] = (modules[0]["keys"][1][0] ^ 1, modules[0]["keys"][1][1])
    wisdom.write(img, wisdom.format_wisdom(cpu, modules))
    b, ad = boot(img, "wisdom-changed")
    b.expect(rf"wisdom: {PROBE}: its candidates changed \(files or flags\): ignored")
    assert ad["wisdom"] == "invalidated" and ad["measurements"] == 1


def test_corrupt_wisdom_is_ignored_and_write_off():
    img = image("corrupt")
    boot(img, "wisdom-corrupt-first")
    cpu, modules = wisdom.read(img)
    data = bytearray(wisdom.format_wisdom(cpu, modules))
    data[wisdom.HEADER_BYTES + 2] ^= 0x20
    wisdom.write(img, bytes(data))
    b, ad = boot(img, "wisdom-corrupt", "wisdom.write=0")
    b.expect(r"wisdom: \w+:/WISDOM/I686.WIS: CRC-32 mismatch \(CRC-32 [0-9a-f]{8}, the header "
             r"says [0-9a-f]{8}\): ignored")
    b.expect(r"wisdom: not saved \(wisdom.write=0\)")
    assert ad["wisdom"] == "miss" and ad["measurements"] == 1
    try:
        wisdom.read(img)
    except wisdom.WisdomError as e:
        assert "the header says" in str(e)
    else:
        raise AssertionError("the corrupt file was rewritten despite wisdom.write=0")


def test_python_format_round_trip_and_errors():
    cpu = dict(vendor="GenuineIntel", family=6, model=6, stepping=3, features=0x7f)
    mods = [dict(module="sum", chosen=2, keys=[(1, 2), (3, 4), (5, 6)])]
    data = wisdom.format_wisdom(cpu, mods)
    assert len(data) == wisdom.FILE_BYTES and data.endswith(b"\n")
    assert wisdom.parse(data) == (cpu, mods)
    assert wisdom.parse(wisdom.empty()) is None
    bad = data.replace(b"module sum 2", b"module sum 1")
    try:
        wisdom.parse(bad)
    except wisdom.WisdomError as e:
        assert re.search(r"CRC-32 [0-9a-f]{8}, the header says", str(e))
    else:
        raise AssertionError("a changed body passed its CRC")
