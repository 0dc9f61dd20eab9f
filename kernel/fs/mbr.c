/* MBR partition table parser (see mbr.h). Layout of each 16-byte entry, from the IBM PC
 * convention every BIOS follows: boot indicator (u8), CHS start (3 bytes, ignored), type (u8),
 * CHS end (3 bytes, ignored), LBA start (u32 LE), sector count (u32 LE). */
#include "kernel/fs/mbr.h"

#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

const char *mbr_strerror(enum mbr_err err)
{
    switch (err) {
    case MBR_OK:          return "ok";
    case MBR_E_SIGNATURE: return "no 0x55AA boot signature";
    case MBR_E_BOOT_FLAG: return "bad boot indicator";
    case MBR_E_RANGE:     return "partition outside the disk";
    case MBR_E_OVERLAP:   return "partitions overlap";
    }
    return "unknown mbr error";
}

bool mbr_is_fat16_type(uint8_t type)
{
    return type == MBR_TYPE_FAT16_SMALL || type == MBR_TYPE_FAT16 || type == MBR_TYPE_FAT16_LBA;
}

enum mbr_err mbr_check_extent(const char *disk, int number, uint32_t lba, uint32_t sectors,
                              uint64_t disk_sectors, bool log)
{
    uint64_t end = (uint64_t)lba + sectors;     /* first sector after it: up to 2^33 - 2 */
    if (sectors == 0)
        return MBR_OK;
    if (lba >= disk_sectors) {
        if (log)
            kprintf("mbr: %s: partition %d starts at sector %u, past the disk end (%llu "
                    "sectors)\n", disk, number, lba, (unsigned long long)disk_sectors);
        return MBR_E_RANGE;
    }
    if (end > disk_sectors) {
        if (log)
            kprintf("mbr: %s: partition %d ends at sector %llu, past the disk end (%llu "
                    "sectors)\n", disk, number, (unsigned long long)end - 1,
                    (unsigned long long)disk_sectors);
        return MBR_E_RANGE;
    }
    return MBR_OK;
}

/* Decodes entry i (partition i + 1) and judges it alone: boot indicator (a table-level
 * verdict, returned), then its extent (its own verdict, in p->verdict). */
static enum mbr_err parse_entry(const uint8_t *e, int i, uint64_t disk_sectors, const char *disk,
                                struct mbr_part *p, bool log)
{
    uint8_t boot = e[PE_BOOT_INDICATOR];
    p->type = e[PE_TYPE];
    p->lba = ld32(e + PE_LBA_START);
    p->sectors = ld32(e + PE_SECTOR_COUNT);
    p->bootable = boot == PE_BOOT_ACTIVE;
    p->verdict = MBR_OK;
    if (p->type == MBR_TYPE_EMPTY || p->sectors == 0) {
        p->type = MBR_TYPE_EMPTY;
        p->sectors = 0;
        return MBR_OK;
    }
    if (boot != PE_BOOT_ACTIVE && boot != PE_BOOT_INACTIVE) {
        if (log)
            kprintf("mbr: %s: partition %d: boot indicator 0x%02x is neither 0x00 nor 0x80\n",
                    disk, i + 1, boot);
        return MBR_E_BOOT_FLAG;
    }
    p->verdict = mbr_check_extent(disk, i + 1, p->lba, p->sectors, disk_sectors, log);
    return MBR_OK;
}

/* Two entries that each lie on the disk and share a sector. */
static bool overlap(const struct mbr_part *a, const struct mbr_part *b)
{
    if (a->type == MBR_TYPE_EMPTY || b->type == MBR_TYPE_EMPTY ||
        a->verdict == MBR_E_RANGE || b->verdict == MBR_E_RANGE)
        return false;
    return (uint64_t)a->lba < (uint64_t)b->lba + b->sectors &&
           (uint64_t)b->lba < (uint64_t)a->lba + a->sectors;
}

enum mbr_err mbr_parse(const uint8_t sector[512], uint64_t disk_sectors, const char *disk,
                       struct mbr_part parts[MBR_PART_COUNT], bool log)
{
    if (sector[MBR_SIG_OFFSET] != MBR_SIG_0 || sector[MBR_SIG_OFFSET + 1] != MBR_SIG_1) {
        if (log)
            kprintf("mbr: %s: signature 0x%02x%02x, expected 0x55AA\n", disk,
                    sector[MBR_SIG_OFFSET], sector[MBR_SIG_OFFSET + 1]);
        return MBR_E_SIGNATURE;
    }
    for (int i = 0; i < MBR_PART_COUNT; i++) {
        enum mbr_err err = parse_entry(sector + MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE, i,
                                       disk_sectors, disk, &parts[i], log);
        if (err != MBR_OK)
            return err;
    }
    for (int i = 0; i < MBR_PART_COUNT; i++)
        for (int j = i + 1; j < MBR_PART_COUNT; j++)
            if (overlap(&parts[i], &parts[j])) {
                if (log)
                    kprintf("mbr: %s: partitions %d and %d overlap\n", disk, i + 1, j + 1);
                parts[i].verdict = parts[j].verdict = MBR_E_OVERLAP;
            }
    for (int i = 0; i < MBR_PART_COUNT; i++)
        if (parts[i].verdict != MBR_OK)
            return parts[i].verdict;
    return MBR_OK;
}
