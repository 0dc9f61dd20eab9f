#!/usr/bin/env python3
"""Finish a flat kernel image: check its struct kernel_header, fill in image_size, bss_size,
build_id and the CRC-32 stage2 verifies, and refuse (exit 1, with a reason) an image that
stage2 could not load: wrong magic, wrong header size, or larger than the boot area.

Usage: mkkernel.py --offsets asm-offsets.inc [--build-id REV] [--bss-size N] RAW OUT"""
import argparse
import struct
import sys
import zlib

import layout


def fail(msg):
    sys.exit(f"mkkernel: {msg}")


def finish(raw, L, build_id, bss_size):
    """Return the image bytes with the header's computed fields filled in."""
    img = bytearray(raw)
    if len(img) < L["KH_SIZE"]:
        fail(f"image is {len(img)} bytes, shorter than its {L['KH_SIZE']}-byte header")
    magic, = struct.unpack_from("<I", img, L["KH_MAGIC"])
    if magic != L["KH_MAGIC_VALUE"]:
        fail(f"bad header magic 0x{magic:08x} (is .kernel_header linked first?)")
    header_size, = struct.unpack_from("<H", img, L["KH_HEADER_SIZE"])
    if header_size != L["KH_SIZE"]:
        fail(f"header_size {header_size} != {L['KH_SIZE']}")
    limit = L["KERNEL_MAX_SECTORS"] * L["SECTOR_SIZE"]
    if len(img) > limit:
        fail(f"kernel image is {len(img)} bytes; the boot area holds {limit} bytes "
             f"({L['KERNEL_MAX_SECTORS']} sectors from LBA {L['KERNEL_LBA']}). "
             "Shrink the kernel or move PARTITION1_LBA in include/fluid/memlayout.h.")
    struct.pack_into("<I", img, L["KH_IMAGE_SIZE"], len(img))
    struct.pack_into("<I", img, L["KH_BSS_SIZE"], bss_size)
    bid = build_id.encode()[: L["KH_BUILD_ID_LEN"] - 1]
    img[L["KH_BUILD_ID"]: L["KH_BUILD_ID"] + L["KH_BUILD_ID_LEN"]] = bid.ljust(L["KH_BUILD_ID_LEN"], b"\0")
    struct.pack_into("<I", img, L["KH_CRC32"], zlib.crc32(img[header_size:]) & 0xFFFFFFFF)
    return bytes(img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offsets", required=True)
    ap.add_argument("--build-id", default="unknown")
    ap.add_argument("--bss-size", type=int, default=0)
    ap.add_argument("raw")
    ap.add_argument("out")
    args = ap.parse_args()
    L = layout.load(args.offsets)
    with open(args.raw, "rb") as f:
        img = finish(f.read(), L, args.build_id, args.bss_size)
    with open(args.out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
