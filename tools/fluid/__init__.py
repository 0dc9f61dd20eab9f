"""Fluid's host-side Python package: the code the command-line tools in tools/, the make
fragments and the tests share. The tools never import the tests.

    layout        the C constants, read from the generated build/gen/asm-offsets.inc
    modfmt        the .mod header: pack, parse and check modules as the kernel's loader does
    modbuild      linked module ELF files -> .mod files, build variants, the module registry
    mbr           MBR partition entries
    image         disk images (stage1, stage2, kernel, FAT16 partition): the one builder
    kernel_image  the kernel image's header: size, bss, build id, CRC
    fatimg        FAT16 volumes for tests: made by mtools or mkfs.fat, inspected, patched
    cache         the module cache on an image's FAT16 partition or on cache.img
    profiles      the JSON profile: extract, import, show, diff, capture
    qemu          headless QEMU boots with a timeout, and their serial logs
    pgo           the profile-guided recompile loop's builds, measurements and reports
    llm           llama2.c model formats, synthetic models, the LLM benchmarks
    shared_models where the tests find the real models and reference.json ($SHARED_MODELS)

Scripts run as `python3 tools/X.py` find this package because Python puts the script's
folder on the import path; tests/run.py puts tools/ on PYTHONPATH for the test modules."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
