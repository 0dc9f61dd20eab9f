#!/usr/bin/env python3
"""Finish a flat kernel image: check its struct kernel_header, fill in image_size, bss_size,
build_id and the CRC-32 stage2 verifies (over the whole image but the CRC field), and refuse
(exit 1, with a reason) an image that stage2 could not load: wrong magic, wrong header size,
or larger than the boot area (the code is fluid.kernel_image).

Usage: mkkernel.py --offsets asm-offsets.inc --elf KERNEL.elf [--build-id REV] RAW OUT
The entry point and the bss size come from the ELF file (its e_entry and the linker script's
__image_end and __kernel_end symbols)."""
import argparse
import sys

from fluid import layout
from fluid.kernel_image import KernelImageError, elf_entry_and_symbols, finish


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offsets", required=True)
    ap.add_argument("--build-id", default="unknown")
    ap.add_argument("--elf", required=True, help="the linked kernel, for entry and bss size")
    ap.add_argument("raw")
    ap.add_argument("out")
    args = ap.parse_args()
    try:
        L = layout.load(args.offsets)
        with open(args.raw, "rb") as f:
            raw = f.read()
        entry, syms = elf_entry_and_symbols(args.elf, ["__image_end", "__kernel_end"])
        img = finish(raw, L, args.build_id, syms["__kernel_end"] - syms["__image_end"], entry)
    except (KernelImageError, layout.LayoutError) as e:
        sys.exit(f"mkkernel: {e}")
    with open(args.out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
