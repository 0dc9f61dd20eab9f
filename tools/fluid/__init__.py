"""Fluid's host-side Python package: the code the command-line tools in tools/, the make
fragments and the tests share.

    layout       the C constants, read from the generated build/gen/asm-offsets.inc
    modfmt       the .mod header: pack, parse and check modules as the kernel's loader does
    modbuild     linked module ELF files -> .mod files, build variants, the module registry

Scripts run as `python3 tools/X.py` find this package because Python puts the script's
folder on the import path; tests/run.py sets PYTHONPATH to tools/ for the test modules."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
