"""The C constants reach the Python tools through one generated file
(build/gen/asm-offsets.inc, from boot/asm-offsets.c): every name a tool or a test reads must
be in it, and every module of the tools' package must load with it, so a constant removed
or renamed on the C side fails here instead of in the middle of a build or a boot."""
import importlib
import os
import pkgutil
import re

import fluid
from fluid import ROOT, layout, modfmt

# L["NAME"], _L["NAME"], layout.default()["NAME"]: how the tools and tests read constants.
USE = re.compile(r"""\b(?:_?L|layout\.default\(\))\[["'](\w+)["']\]""")


def python_sources():
    for top in ("tools", "tests"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                path = os.path.join(folder, name)
                if name.endswith(".py") and path != os.path.abspath(__file__):
                    yield path


def test_every_name_the_python_code_reads_is_generated():
    L = layout.default()
    used = {}
    for path in python_sources():
        with open(path) as f:
            for name in USE.findall(f.read()):
                used.setdefault(name, os.path.relpath(path, ROOT))
    assert len(used) > 50, f"found only {len(used)} names: has the way tools read them changed?"
    missing = {n: where for n, where in used.items() if n not in L}
    assert not missing, f"not in {L.path}: {missing}"


def test_every_package_module_loads_with_the_generated_layout():
    for info in pkgutil.walk_packages(fluid.__path__, "fluid."):
        importlib.import_module(info.name)
    s = modfmt.spec()               # built from names assembled at run time (MH_*, FLUID_*)
    assert s.HEADER_SIZE == 128 and s.LAYOUT.size == s.HEADER_SIZE
    assert s.TIERS[:4] == ["O0", "O1", "O2", "O3"] and "avx2" in s.FEATURES


def test_layout_refuses_a_missing_name():
    try:
        layout.default()["NO_SUCH_CONSTANT"]
    except layout.LayoutError as e:
        assert "boot/asm-offsets.c" in str(e), e
    else:
        raise AssertionError("a missing name was not an error")
