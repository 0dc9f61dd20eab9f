/* MBR partition table parsing: the four primary entries at bytes 446..509 of sector 0.
 * Pure parsing of a sector the caller has read; no I/O, so it runs on the host too.
 * Extended partitions and GPT are not followed (Fluid's images use one primary partition). */
#ifndef FLUID_KERNEL_MBR_H
#define FLUID_KERNEL_MBR_H

#include <fluid/types.h>

#define MBR_PART_COUNT          4

/* Sector 0's layout (the offsets live here so that boot/asm-offsets.c can export them). */
#define MBR_TABLE_OFFSET        446     /* first partition entry */
#define MBR_ENTRY_SIZE          16
#define MBR_SIG_OFFSET          510
#define MBR_SIG_0               0x55
#define MBR_SIG_1               0xAA

/* Offsets inside one entry. */
#define PE_BOOT_INDICATOR       0       /* 0x00 or 0x80 (u8) */
#define PE_TYPE                 4       /* partition type (u8) */
#define PE_LBA_START            8       /* first sector (u32) */
#define PE_SECTOR_COUNT         12      /* length in sectors (u32) */

#define PE_BOOT_ACTIVE          0x80
#define PE_BOOT_INACTIVE        0x00

/* Partition type bytes for FAT16 (Microsoft partition-type list). */
#define MBR_TYPE_EMPTY          0x00
#define MBR_TYPE_FAT16_SMALL    0x04    /* FAT16, fewer than 65536 sectors */
#define MBR_TYPE_FAT16          0x06    /* FAT16 ("BIGDOS"), CHS-addressed */
#define MBR_TYPE_FAT16_LBA      0x0E    /* FAT16, LBA-addressed */

/* Every result of this subsystem. The first two say sector 0 holds no partition table; the
 * others are the verdict on one entry of a table (struct mbr_part.verdict). */
enum mbr_err {
    MBR_OK = 0,
    MBR_E_SIGNATURE,        /* bytes 510..511 are not 0x55 0xAA */
    MBR_E_BOOT_FLAG,        /* an entry's boot indicator is neither 0x00 nor 0x80 */
    MBR_E_RANGE,            /* an entry starts or ends past the disk end (in 64 bits) */
    MBR_E_OVERLAP,          /* two non-empty entries share sectors */
};

struct mbr_part {
    uint8_t  type;          /* partition type byte, MBR_TYPE_EMPTY if unused */
    bool     bootable;      /* boot indicator 0x80 */
    uint32_t lba;           /* first sector */
    uint32_t sectors;       /* length in sectors */
    enum mbr_err verdict;   /* MBR_OK, or why the entry must not be used: MBR_E_RANGE, _OVERLAP */
};

/* Parses sector 0 of a disk of disk_sectors sectors, named disk in the log, into parts[0..3]
 * (empty entries have type MBR_TYPE_EMPTY and length 0; an entry of length 0 counts as empty
 * whatever its type). MBR_E_SIGNATURE or MBR_E_BOOT_FLAG: sector 0 holds no partition table
 * (Linux's block/partitions/msdos.c takes a bad boot indicator for a FAT boot sector's code
 * too), and parts[] is not to be used. Otherwise it is a table and each entry gets its own
 * verdict, so a bad entry does not hide the good ones; the return value is the first bad
 * verdict in table order, or MBR_OK. Each problem is logged with the partition number
 * (1-based) and the bad value if log is set (callers probing for a bare volume pass false). */
enum mbr_err mbr_parse(const uint8_t sector[512], uint64_t disk_sectors, const char *disk,
                       struct mbr_part parts[MBR_PART_COUNT], bool log);

/* The one rule for where a partition may lie, for every source of a partition entry: the MBR
 * of a disk read through ATA or the BIOS (mbr_parse), and partition 1 as stage2 copied it to
 * RAM, judged with the disk size stage2 got from the BIOS (kernel/fs/volume.c); stage2 itself
 * applies it before the copy (boot/ramdisk.inc), in the same words. Partition number (1-based)
 * of `sectors` sectors from lba must start and end on a disk of disk_sectors sectors, in 64
 * bits (lba + sectors can pass 2^32); an empty extent (sectors 0) lies nowhere and passes.
 * Returns MBR_OK or MBR_E_RANGE, logged if log is set, as
 * "mbr: ata0: partition 1 ends at sector 69631, past the disk end (67584 sectors)". */
enum mbr_err mbr_check_extent(const char *disk, int number, uint32_t lba, uint32_t sectors,
                              uint64_t disk_sectors, bool log);

/* True for the partition types that hold FAT16 (MBR_TYPE_FAT16*). */
bool mbr_is_fat16_type(uint8_t type);

/* A short description of an enum mbr_err value; "unknown mbr error" outside the enum. */
const char *mbr_strerror(enum mbr_err err);

#endif
