"""Finish a flat kernel image: check its struct kernel_header, fill in image_size, bss_size,
build_id and the CRC-32 stage2 verifies (image_crc: the whole image but the CRC field
itself), and refuse (KernelImageError, with a reason) an image that stage2 could not load:
wrong magic, wrong header size, or larger than the boot area.
tools/mkkernel.py is its command line. The header's offsets and the boot area come from the
generated layout, passed in as L."""
import struct
import subprocess
import zlib


class KernelImageError(Exception):
    pass


def fail(msg):
    raise KernelImageError(msg)


def elf_entry_and_symbols(path, names):
    """Return (entry point, {name: address}) of a linked kernel, read with llvm-readelf/llvm-nm."""
    header = subprocess.run(["llvm-readelf", "-h", path], capture_output=True, text=True)
    symbols = subprocess.run(["llvm-nm", path], capture_output=True, text=True)
    if header.returncode or symbols.returncode:
        fail(f"cannot read {path}: {header.stderr}{symbols.stderr}".strip())
    entry = next((int(line.split()[-1], 16) for line in header.stdout.splitlines()
                  if line.strip().startswith("Entry point address:")), None)
    found = {}
    for line in symbols.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in names:
            found[parts[2]] = int(parts[0], 16)
    missing = [n for n in names if n not in found]
    if entry is None or missing:
        fail(f"{path}: no entry point or missing linker symbols {', '.join(missing)}")
    return entry, found


def image_crc(img, L):
    """The CRC-32 stage2 checks: every byte of the image, header included, but the header's
    own crc32 field. A wrong entry or arch field then fails the check like a corrupt body."""
    at = L["KH_CRC32"]
    return zlib.crc32(img[at + 4:], zlib.crc32(img[:at])) & 0xFFFFFFFF


def finish(raw, L, build_id, bss_size, entry=None):
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
    load, = struct.unpack_from("<I", img, L["KH_LOAD_ADDR"])
    if entry is not None:
        if not load + header_size <= entry < load + len(img):
            fail(f"entry 0x{entry:x} is outside the image [0x{load:x}, 0x{load + len(img):x})")
        struct.pack_into("<I", img, L["KH_ENTRY"], entry)
    struct.pack_into("<I", img, L["KH_IMAGE_SIZE"], len(img))
    struct.pack_into("<I", img, L["KH_BSS_SIZE"], bss_size)
    bid = build_id.encode()[: L["KH_BUILD_ID_LEN"] - 1]
    img[L["KH_BUILD_ID"]: L["KH_BUILD_ID"] + L["KH_BUILD_ID_LEN"]] = bid.ljust(L["KH_BUILD_ID_LEN"], b"\0")
    struct.pack_into("<I", img, L["KH_CRC32"], image_crc(img, L))     # last: it covers the rest
    return bytes(img)
