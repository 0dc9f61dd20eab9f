#!/usr/bin/env python3
"""Build a Fluid disk image: stage1 (MBR + partition table), stage2, the kernel image in the
boot area, and partition 1 formatted FAT16 with mtools (no mounting, no root). The code is
fluid.image; make rules spell this command line once, as $(call mkimage,...) in mk/boot.mk.

Usage: mkimage.py --offsets asm-offsets.inc --stage1 S1 --stage2 S2 --kernel K
                  [--fat-mib 32|auto] [--dir /CACHE ...] [--file SRC=/DEST/NAME ...] OUT

The output is byte-identical for identical inputs. Every input is checked against the layout
first, and a part that does not fit fails the build with the reason."""
import argparse
import sys

from fluid import image, layout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offsets", required=True)
    ap.add_argument("--stage1", required=True)
    ap.add_argument("--stage2", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--fat-mib", default="32",
                    help="partition size in MiB, or auto: what the files need (FAT16: <= 2047)")
    ap.add_argument("--dir", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("out")
    args = ap.parse_args()
    files = []
    for spec in args.file:
        src, _, dest = spec.partition("=")
        if not dest:
            sys.exit(f"mkimage: --file wants SRC=/DEST, got {spec!r}")
        files.append((src, dest))
    if args.fat_mib != "auto" and not args.fat_mib.isdigit():
        sys.exit(f"mkimage: --fat-mib wants a number of MiB or auto, got {args.fat_mib!r}")
    try:
        layout.use(args.offsets)
        image.build(args.out, args.kernel, args.fat_mib, args.dir, files, args.stage1,
                    args.stage2)
    except (image.ImageError, layout.LayoutError, OSError) as e:
        sys.exit(f"mkimage: {e}")


if __name__ == "__main__":
    main()
