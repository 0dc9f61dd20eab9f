"""The MBR partition table as kernel/fs/mbr.h defines it (offsets, boot flag, FAT16 type
bytes and signature, from the generated layout): entries written by the image tools, read by
the cache writer and the tests."""
import struct

from fluid import layout

CHS_START, CHS_END = 1, 5       # 3-byte CHS fields, which the kernel ignores (LBA only)


def fat16_types():
    """The partition types the kernel mounts as FAT16 (mbr_is_fat16_type)."""
    L = layout.default()
    return (L["MBR_TYPE_FAT16_SMALL"], L["MBR_TYPE_FAT16"], L["MBR_TYPE_FAT16_LBA"])


def entry(ptype, lba, sectors, active=True, chs_start=b"\0\0\0", chs_end=b"\0\0\0"):
    """The bytes of one partition entry."""
    L = layout.default()
    e = bytearray(L["MBR_ENTRY_SIZE"])
    e[L["PE_BOOT_INDICATOR"]] = L["PE_BOOT_ACTIVE"] if active else L["PE_BOOT_INACTIVE"]
    e[L["PE_TYPE"]] = ptype
    e[CHS_START:CHS_START + 3] = chs_start
    e[CHS_END:CHS_END + 3] = chs_end
    struct.pack_into("<I", e, L["PE_LBA_START"], lba)
    struct.pack_into("<I", e, L["PE_SECTOR_COUNT"], sectors)
    return bytes(e)


def entry_offset(i):
    L = layout.default()
    return L["MBR_TABLE_OFFSET"] + i * L["MBR_ENTRY_SIZE"]


def signature():
    """The two bytes sector 0 ends with."""
    L = layout.default()
    return bytes([L["MBR_SIG_0"], L["MBR_SIG_1"]])


def signed(sector):
    at = layout.default()["MBR_SIG_OFFSET"]
    return bytes(sector[at:at + 2]) == signature()


def write_table(sector, entries):
    """Put entries (each from entry()) into the table of bytearray sector 0 and sign it."""
    for i, e in enumerate(entries):
        sector[entry_offset(i):entry_offset(i) + len(e)] = e
    at = layout.default()["MBR_SIG_OFFSET"]
    sector[at:at + 2] = signature()


def table(sector):
    """[(boot flag, type, first LBA, sectors)] of the entries of sector 0."""
    L = layout.default()
    out = []
    for i in range(L["MBR_PART_COUNT"]):
        e = bytes(sector[entry_offset(i):entry_offset(i) + L["MBR_ENTRY_SIZE"]])
        out.append((e[L["PE_BOOT_INDICATOR"]], e[L["PE_TYPE"]],
                    struct.unpack_from("<I", e, L["PE_LBA_START"])[0],
                    struct.unpack_from("<I", e, L["PE_SECTOR_COUNT"])[0]))
    return out
