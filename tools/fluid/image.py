"""Build a Fluid disk image: stage1 (MBR + partition table), stage2 (with the CRC-32 it checks
itself against, stage2_crc), the kernel image in the boot area, and partition 1 formatted
FAT16 with mtools (no mounting, no root). build() is the one way images are made:
tools/mkimage.py (and through it every make rule, which spells its command line once, as
$(call mkimage,...) in mk/boot.mk) and the Python callers use it.

The output is byte-identical for identical inputs: the FAT volume id is fixed and mtools takes
its timestamps from SOURCE_DATE_EPOCH. Every input is checked against the layout first (disk
layout and MBR from the generated layout), and a part that does not fit fails with the
reason."""
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

from fluid import ROOT, layout, mbr, profile_store

CHS_HEADS = 255                     # the geometry mformat is told and CHS fields are made for
CHS_SECTORS = 63
CHS_MAX_CYLINDER = 1023
FAT_VOLUME_ID = "464C5544"          # "FLUD": fixed, for reproducible images
FAT_LABEL = "FLUID"
FIXED_EPOCH = "1704067200"          # 2024-01-01 00:00 UTC: every FAT timestamp
MIN_FAT16_MIB = 16                  # smaller partitions get too few clusters for FAT16
# The largest FAT16 partition: 65524 clusters (fatgen103 §3.5) of 64 sectors (32 KiB, the
# largest cluster every FAT16 driver takes) and the system area; at 2048 MiB mformat turns to
# FAT32, which the kernel does not read.
MAX_FAT16_MIB = 2047
MAX_CLUSTER_BYTES = 32 * 1024       # a file costs at most this much beyond its size
AUTO_SLACK_MIB = 4                  # room left over in an automatically sized partition
MIB = 1024 * 1024
STAGE1 = os.path.join(ROOT, "build", "boot", "stage1.bin")
STAGE2 = os.path.join(ROOT, "build", "boot", "stage2.bin")


class ImageError(Exception):
    pass


def fail(msg):
    raise ImageError(msg)


def chs(lba):
    """CHS triple (3 bytes, MBR encoding) for an LBA; the maximum when it does not fit."""
    cyl, rem = divmod(lba, CHS_HEADS * CHS_SECTORS)
    head, sector = divmod(rem, CHS_SECTORS)
    if cyl > CHS_MAX_CYLINDER:
        cyl, head, sector = CHS_MAX_CYLINDER, CHS_HEADS - 1, CHS_SECTORS - 1
    return bytes([head, ((cyl >> 2) & 0xC0) | (sector + 1), cyl & 0xFF])


def partition_entry(first_lba, sectors):
    """FAT16 (0x06: >= 32 MiB or LBA-addressed), active, with CHS fields for old BIOSes."""
    return mbr.entry(layout.default()["MBR_TYPE_FAT16"], first_lba, sectors,
                     chs_start=chs(first_lba), chs_end=chs(first_lba + sectors - 1))


def stage2_crc(area, L):
    """The CRC-32 stage2 checks itself against (boot/stage2.asm, check_stage2): of all its
    STAGE2_MAX_SECTORS sectors in the boot area, zero padding included, up to the last four
    bytes, where it is stored."""
    start = L["STAGE2_LBA"] * L["SECTOR_SIZE"]
    return zlib.crc32(area[start:start + L["STAGE2_CRC_OFFSET"]]) & 0xFFFFFFFF


def read_checked(path, what, max_bytes):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) > max_bytes:
        fail(f"{what} {path} is {len(data)} bytes; its area holds {max_bytes} bytes")
    return data


def build_boot_area(stage1_path, stage2_path, kernel_path, fat_mib, L):
    """Return the bytes of LBA 0 .. PARTITION1_LBA-1 and the partition's sector count."""
    sector = L["SECTOR_SIZE"]
    table, sig = L["MBR_TABLE_OFFSET"], L["MBR_SIG_OFFSET"]
    stage1 = read_checked(stage1_path, "stage1", sector)
    if len(stage1) != sector or not mbr.signed(stage1):
        fail(f"stage1 {stage1_path} must be {sector} bytes ending in {mbr.signature().hex()}")
    if any(stage1[table:sig]):
        fail(f"stage1 code overlaps the partition table (bytes {table}..{sig - 1} must be zero)")
    stage2 = read_checked(stage2_path, "stage2", L["STAGE2_MAX_SECTORS"] * sector)
    if struct.unpack_from("<I", stage2, 0)[0] != L["STAGE2_MAGIC"]:
        fail(f"stage2 {stage2_path} does not start with the stage2 magic")
    if any(stage2[L["STAGE2_CRC_OFFSET"]:]):
        fail(f"stage2 {stage2_path} uses bytes {L['STAGE2_CRC_OFFSET']}.. that hold its CRC-32")
    kernel = read_checked(kernel_path, "kernel", L["KERNEL_MAX_SECTORS"] * sector)

    area = bytearray(L["PARTITION1_LBA"] * sector)
    area[0:sector] = stage1
    fat_sectors = fat_mib * 1024 * 1024 // sector
    entry = partition_entry(L["PARTITION1_LBA"], fat_sectors)
    area[mbr.entry_offset(0):mbr.entry_offset(0) + len(entry)] = entry
    start = L["STAGE2_LBA"] * sector
    area[start:start + len(stage2)] = stage2
    struct.pack_into("<I", area, start + L["STAGE2_CRC_OFFSET"], stage2_crc(area, L))
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
    for src, dest in files:
        os.utime(src, (int(FIXED_EPOCH), int(FIXED_EPOCH)))
        mtools(["mcopy", "-m", "-o", "-i", target, src, "::" + dest], env)


def bytes_needed(dirs, files):
    """What the files, the directories and the profile ring take, each rounded up to the
    largest cluster: an upper bound whatever cluster size mformat picks."""
    L = layout.default()
    def clusters(n):
        return -(-max(n, 1) // MAX_CLUSTER_BYTES) * MAX_CLUSTER_BYTES
    rings = len(profile_store.kinds())
    ring = rings * L["PROFILE_STORE_SLOTS"] * clusters(L["PROFILE_STORE_SLOT_BYTES"])
    ring += clusters(L["WISDOM_FILE_BYTES"])        # the planner's wisdom (fluid.wisdom)
    return (sum(clusters(os.path.getsize(src)) for src, _ in files) +
            (len(dirs) + 2) * MAX_CLUSTER_BYTES + ring)


def partition_mib(fat_mib, dirs, files):
    """The partition size in MiB: fat_mib, or for "auto" what the files need plus
    AUTO_SLACK_MIB, at least MIN_FAT16_MIB; fails when the files do not fit it or FAT16."""
    need = -(-bytes_needed(dirs, files) // MIB)
    if fat_mib == "auto":
        fat_mib = max(MIN_FAT16_MIB, need + AUTO_SLACK_MIB)
    fat_mib = int(fat_mib)
    if fat_mib > MAX_FAT16_MIB:
        fail(f"a FAT16 partition holds at most {MAX_FAT16_MIB} MiB (65524 clusters of "
             f"32 KiB); these files need {need} MiB")
    if fat_mib < MIN_FAT16_MIB:
        fail(f"--fat-mib {fat_mib} is too small for FAT16 (at least {MIN_FAT16_MIB})")
    if need > fat_mib:
        fail(f"the files need up to {need} MiB; the partition has {fat_mib} "
             "(--fat-mib auto sizes it)")
    return fat_mib


def build(out, kernel, fat_mib=32, dirs=(), files=(), stage1=STAGE1, stage2=STAGE2):
    """Write the disk image out: stage1, stage2 and kernel in the boot area, a FAT16
    partition of fat_mib MiB holding directories dirs and files [(host path, /DEST/NAME)],
    and the empty /PROFILE rings the kernels save to (fluid.profile_store), and the empty
    planner wisdom file /WISDOM/I686.WIS (fluid.wisdom).
    fat_mib "auto" sizes the partition for the files (partition_mib)."""
    fat_mib = partition_mib(fat_mib, dirs, files)
    L = layout.default()
    area, fat_sectors = build_boot_area(stage1, stage2, kernel, fat_mib, L)
    out_dir = os.path.dirname(os.path.abspath(out))
    with tempfile.NamedTemporaryFile(dir=out_dir, delete=False) as tmp:
        tmp.write(area)
        tmp.truncate(len(area) + fat_sectors * L["SECTOR_SIZE"])
    ring_dir = tempfile.mkdtemp(dir=out_dir)
    try:
        from fluid import wisdom        # here: fluid.wisdom imports this module
        ring = profile_store.empty_ring_files(ring_dir) + wisdom.empty_file(ring_dir)
        format_fat(tmp.name, L, fat_sectors,
                   list(dirs) + [L["PROFILE_STORE_DIR"], L["WISDOM_DIR"]], list(files) + ring)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, out)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)
        shutil.rmtree(ring_dir, ignore_errors=True)
