"""Module variants in the cache (docs/adaptive.md), under QEMU -icount on a copy of fluid.img:
tools/mkcache.py's variant layout (/CACHE/I686/<NAME>/Vnn.MOD and the manifest VARIANTS.TXT)
is read by the kernel, every good variant is logged with its CRC and flags label, a manifest
line that breaks a rule is reported by line number and value and skipped, a variant whose
bytes do not match the manifest's CRC-32 is refused with both numbers, and the suite still
ends cleanly. Also the Python side alone: numbering per module and the refusals."""
import os
import re
import shutil

from fluid import ROOT
from fluid import cache as mkcache
from fluid import qemu

WORK = os.path.join(ROOT, "build", "test-images", "variants")
MODS = os.path.join(ROOT, "build", "modules")
WRONG_CRC = "00000bad"


def mod(variant, name):
    return os.path.join(MODS, variant, name + ".mod")


def fresh(name):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name)
    shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
    return path


def test_plan_numbers_variants_per_module():
    plan = mkcache.plan_variants([mod("O1", "sum"), mod("O3", "sum"), mod("O2", "fibonacci")])
    assert [(m, p) for m, p, _, _, _ in plan] == [
        ("sum", "SUM/V00.MOD"), ("sum", "SUM/V01.MOD"), ("fibonacci", "FIBONACC/V00.MOD")]
    assert plan[0][4].startswith("-O1") and plan[1][4].startswith("-O3")
    text = mkcache.manifest_text(plan)
    assert text.splitlines()[1] == f"{mkcache.VARIANTS_MAGIC} {mkcache.VARIANTS_VERSION}"
    assert re.fullmatch(r"sum SUM/V00\.MOD [0-9a-f]{8} -O1.*", text.splitlines()[2])


def test_plan_refuses_invalid_module():
    try:
        mkcache.plan_variants([mod("O2", "bad_magic")])
    except mkcache.CacheError as e:
        assert "not a valid module" in str(e)
    else:
        raise AssertionError("bad_magic.mod accepted as a variant")


def test_kernel_loads_variants_and_reports_bad_lines():
    img = fresh("variants.img")
    plan = mkcache.write_variants(img, [mod("O1", "sum"), mod("O3", "sum")], manifest_extra=[
        "sum SUM/V09.MOD zz -O2",                                   # line 5: bad CRC field
        "sum ../ETC.MOD 00000000 -O2",                              # line 6: bad path
        f"sum SUM/V00.MOD {WRONG_CRC} -O2 wrong crc",               # line 7: CRC mismatch
    ])
    b = qemu.boot(image=img, memory="64M", icount=True, timeout=90)
    qemu.check("variants", b, lambda b: None)
    assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}\n{b.tail()}"
    for _, path, _, crc, label in plan:
        b.expect(rf"cache: variant {re.escape(path)}: sum, \d+ bytes, crc32 {crc:08x}, "
                 rf"\"{re.escape(label)}\"")
    b.expect(r'cache: VARIANTS.TXT line 5: CRC-32 is not eight hex digits: "zz": skipped')
    b.expect(r'cache: VARIANTS.TXT line 6: path is not DIR/NAME.EXT in 8.3 upper case: '
             r'"\.\./ETC\.MOD": skipped')
    b.expect(r"cache: rejected: variant SUM/V00.MOD \(sum\): CRC-32 [0-9a-f]{8}, the manifest "
             r"says 00000bad")
    b.expect(r"cache: 2 variants, 1 rejected, 2 bad manifest lines")
    qemu.json_lines_strict(b.log)
