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

/* Decodes and checks entry i alone. */
static enum mbr_err parse_entry(const uint8_t *e, int i, uint64_t disk_sectors,
                                struct mbr_part *p, bool log)
{
    uint8_t boot = e[PE_BOOT_INDICATOR];
    p->type = e[PE_TYPE];
    p->lba = ld32(e + PE_LBA_START);
    p->sectors = ld32(e + PE_SECTOR_COUNT);
    p->bootable = boot == PE_BOOT_ACTIVE;
    if (p->type == MBR_TYPE_EMPTY || p->sectors == 0) {
        p->type = MBR_TYPE_EMPTY;
        p->sectors = 0;
        return MBR_OK;
    }
    if (boot != PE_BOOT_ACTIVE && boot != PE_BOOT_INACTIVE) {
        if (log)
            kprintf("mbr: entry %d: boot indicator 0x%02x is neither 0x00 nor 0x80\n", i, boot);
        return MBR_E_BOOT_FLAG;
    }
    if ((uint64_t)p->lba + p->sectors > disk_sectors) {
        if (log)
            kprintf("mbr: entry %d: sectors %u..%llu pass the disk end (%llu sectors)\n", i, p->lba,
                (unsigned long long)p->lba + p->sectors - 1, (unsigned long long)disk_sectors);
        return MBR_E_RANGE;
    }
    return MBR_OK;
}

static bool overlap(const struct mbr_part *a, const struct mbr_part *b)
{
    if (a->type == MBR_TYPE_EMPTY || b->type == MBR_TYPE_EMPTY)
        return false;
    return (uint64_t)a->lba < (uint64_t)b->lba + b->sectors &&
           (uint64_t)b->lba < (uint64_t)a->lba + a->sectors;
}

enum mbr_err mbr_parse(const uint8_t sector[512], uint64_t disk_sectors,
                       struct mbr_part parts[MBR_PART_COUNT], bool log)
{
    if (sector[MBR_SIG_OFFSET] != MBR_SIG_0 || sector[MBR_SIG_OFFSET + 1] != MBR_SIG_1) {
        if (log)
            kprintf("mbr: signature 0x%02x%02x, expected 0x55AA\n", sector[MBR_SIG_OFFSET],
                sector[MBR_SIG_OFFSET + 1]);
        return MBR_E_SIGNATURE;
    }
    for (int i = 0; i < MBR_PART_COUNT; i++) {
        enum mbr_err err = parse_entry(sector + MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE, i,
                                       disk_sectors, &parts[i], log);
        if (err != MBR_OK)
            return err;
    }
    for (int i = 0; i < MBR_PART_COUNT; i++)
        for (int j = i + 1; j < MBR_PART_COUNT; j++)
            if (overlap(&parts[i], &parts[j])) {
                if (log)
                    kprintf("mbr: entries %d and %d overlap\n", i, j);
                return MBR_E_OVERLAP;
            }
    return MBR_OK;
}
