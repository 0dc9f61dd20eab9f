#!/usr/bin/env python3
"""Build a Fluid disk image: stage1 (MBR + partition table), stage2, the kernel image in the
boot area, and partition 1 formatted FAT16 with mtools (no mounting, no root).

Usage: mkimage.py --offsets asm-offsets.inc --stage1 S1 --stage2 S2 --kernel K
                  [--fat-mib 32] [--dir /CACHE ...] [--file SRC=/DEST/NAME ...] OUT

The output is byte-identical for identical inputs: the FAT volume id is fixed and mtools takes
its timestamps from SOURCE_DATE_EPOCH. Every input is checked against the layout first, and
a part that does not fit fails the build with the reason."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

from fluid import layout

BOOT_SIGNATURE = 0xAA55
PARTITION_TABLE_OFFSET = 446        # MBR: four 16-byte entries, then the signature at 510
PARTITION_ENTRY_SIZE = 16
PARTITION_ACTIVE = 0x80
PARTITION_TYPE_FAT16 = 0x06         # FAT16, >= 32 MiB or LBA-addressed (0x04 is < 32 MiB CHS)
CHS_HEADS = 255                     # the geometry mformat is told and CHS fields are made for
CHS_SECTORS = 63
CHS_MAX_CYLINDER = 1023
FAT_VOLUME_ID = "464C5544"          # "FLUD": fixed, for reproducible images
FAT_LABEL = "FLUID"
FIXED_EPOCH = "1704067200"          # 2024-01-01 00:00 UTC: every FAT timestamp
MIN_FAT16_MIB = 16                  # smaller partitions get too few clusters for FAT16


def fail(msg):
    sys.exit(f"mkimage: {msg}")


def chs(lba):
    """CHS triple (3 bytes, MBR encoding) for an LBA; the maximum when it does not fit."""
    cyl, rem = divmod(lba, CHS_HEADS * CHS_SECTORS)
    head, sector = divmod(rem, CHS_SECTORS)
    if cyl > CHS_MAX_CYLINDER:
        cyl, head, sector = CHS_MAX_CYLINDER, CHS_HEADS - 1, CHS_SECTORS - 1
    return bytes([head, ((cyl >> 2) & 0xC0) | (sector + 1), cyl & 0xFF])


def partition_entry(first_lba, sectors):
    return (bytes([PARTITION_ACTIVE]) + chs(first_lba) + bytes([PARTITION_TYPE_FAT16]) +
            chs(first_lba + sectors - 1) + struct.pack("<II", first_lba, sectors))


def read_checked(path, what, max_bytes):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) > max_bytes:
        fail(f"{what} {path} is {len(data)} bytes; its area holds {max_bytes} bytes")
    return data


def build_boot_area(args, L):
    """Return the bytes of LBA 0 .. PARTITION1_LBA-1."""
    sector = L["SECTOR_SIZE"]
    stage1 = read_checked(args.stage1, "stage1", sector)
    if len(stage1) != sector or struct.unpack_from("<H", stage1, 510)[0] != BOOT_SIGNATURE:
        fail(f"stage1 {args.stage1} must be {sector} bytes ending in 0x{BOOT_SIGNATURE:04X}")
    if any(stage1[PARTITION_TABLE_OFFSET:510]):
        fail("stage1 code overlaps the partition table (bytes 446..509 must be zero)")
    stage2 = read_checked(args.stage2, "stage2", L["STAGE2_MAX_SECTORS"] * sector)
    if struct.unpack_from("<I", stage2, 0)[0] != L["STAGE2_MAGIC"]:
        fail(f"stage2 {args.stage2} does not start with the stage2 magic")
    kernel = read_checked(args.kernel, "kernel", L["KERNEL_MAX_SECTORS"] * sector)

    area = bytearray(L["PARTITION1_LBA"] * sector)
    area[0:sector] = stage1
    fat_sectors = args.fat_mib * 1024 * 1024 // sector
    entry = partition_entry(L["PARTITION1_LBA"], fat_sectors)
    area[PARTITION_TABLE_OFFSET:PARTITION_TABLE_OFFSET + PARTITION_ENTRY_SIZE] = entry
    start = L["STAGE2_LBA"] * sector
    area[start:start + len(stage2)] = stage2
    start = L["KERNEL_LBA"] * sector
    area[start:start + len(kernel)] = kernel
    return area, fat_sectors


def mtools(argv, env):
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{' '.join(argv)} failed: {proc.stderr.strip() or proc.stdout.strip()}")


def format_fat(path, L, fat_sectors, dirs, files):
    env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH, MTOOLS_SKIP_CHECK="1")
    target = f"{path}@@{L['PARTITION1_LBA'] * L['SECTOR_SIZE']}"
    mtools(["mformat", "-i", target, "-T", str(fat_sectors), "-h", str(CHS_HEADS),
            "-s", str(CHS_SECTORS), "-H", str(L["PARTITION1_LBA"]), "-N", FAT_VOLUME_ID,
            "-v", FAT_LABEL, "::"], env)
    for d in dirs:
        mtools(["mmd", "-i", target, "::" + d], env)
    for spec in files:
        src, _, dest = spec.partition("=")
        if not dest:
            fail(f"--file wants SRC=/DEST, got {spec!r}")
        os.utime(src, (int(FIXED_EPOCH), int(FIXED_EPOCH)))
        mtools(["mcopy", "-m", "-o", "-i", target, src, "::" + dest], env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offsets", required=True)
    ap.add_argument("--stage1", required=True)
    ap.add_argument("--stage2", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--fat-mib", type=int, default=32)
    ap.add_argument("--dir", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("out")
    args = ap.parse_args()
    if args.fat_mib < MIN_FAT16_MIB:
        fail(f"--fat-mib {args.fat_mib} is too small for FAT16 (at least {MIN_FAT16_MIB})")
    try:
        L = layout.load(args.offsets)
    except layout.LayoutError as e:
        fail(str(e))
    area, fat_sectors = build_boot_area(args, L)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    with tempfile.NamedTemporaryFile(dir=out_dir, delete=False) as tmp:
        tmp.write(area)
        tmp.truncate(len(area) + fat_sectors * L["SECTOR_SIZE"])
    try:
        format_fat(tmp.name, L, fat_sectors, args.dir, args.file)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, args.out)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


if __name__ == "__main__":
    main()
