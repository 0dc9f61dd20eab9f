/* ATA PIO driver for the four legacy IDE positions (primary 0x1F0/0x3F6, secondary
 * 0x170/0x376, master and slave each), after ATA/ATAPI-6 (T13/1410D rev. 3b). ata_probe()
 * runs IDENTIFY DEVICE (§8.15) on each position and logs what it finds; every ATA disk then
 * reads through a struct blockdev with READ SECTORS (§8.27, LBA28) or READ SECTORS EXT (§8.28,
 * LBA48). Polled, interrupts off (nIEN); every status wait is bounded in time (ATA_TIMEOUT_MS
 * in ata.c, measured with the TSC), so an absent or dead device costs a log line, never a hang. Kernel only (port I/O);
 * ata_parse_identify() is pure and host-tested. Call from one thread of control. */
#ifndef FLUID_KERNEL_ATA_H
#define FLUID_KERNEL_ATA_H

#include <fluid/types.h>

#include "kernel/drivers/blockdev.h"

#define ATA_POSITIONS       4       /* 0 primary master, 1 primary slave, 2/3 secondary */
#define ATA_IDENTIFY_WORDS  256
#define ATA_MODEL_LEN       40      /* IDENTIFY words 27..46, two characters per word */

/* Every result of this subsystem. Reads through the blockdev pass them on as blockdev errors:
 * the ATA error is logged with the status and error registers, then ATA_E_TIMEOUT becomes
 * BLOCKDEV_E_TIMEOUT and every other one BLOCKDEV_E_IO. */
enum ata_err {
    ATA_OK = 0,
    ATA_E_ABSENT,           /* floating bus (status 0xFF) or status 0 after IDENTIFY */
    ATA_E_NOT_ATA,          /* an ATAPI or SATA signature in LBA mid/high: not a PIO disk */
    ATA_E_TIMEOUT,          /* BSY never cleared or DRQ never set within the time bound */
    ATA_E_DEVICE,           /* the device set ERR or DF */
    ATA_E_IDENTIFY,         /* IDENTIFY data unusable (no LBA support, zero capacity) */
};

/* What ata_parse_identify extracts from IDENTIFY DEVICE data. */
struct ata_identity {
    uint64_t sectors;       /* addressable 512-byte sectors (words 60-61, or 100-103) */
    bool lba48;             /* 48-bit feature set supported (word 83 bit 10) */
    char model[ATA_MODEL_LEN + 1];  /* trimmed, NUL-terminated */
};

struct ata_disk {
    struct blockdev dev;
    uint16_t io_base;       /* command block registers */
    uint16_t ctrl_base;     /* control block: alternate status / device control */
    uint8_t slave;          /* 0 master, 1 slave */
    struct ata_identity id;
    char name[8];           /* "ata0".."ata3" */
};

/* Probes all four positions, logging each ("ata: ata2: QEMU HARDDISK, 32768 sectors, LBA48"
 * or why it is empty, by ata_strerror). Returns the number of ATA disks found (a count, not
 * an error: an empty position is not a failure). Safe to call again. */
int ata_probe(void);

/* The block device of position 0..3, or NULL if ata_probe found no ATA disk there. Its reads
 * fail with BLOCKDEV_E_TIMEOUT or BLOCKDEV_E_IO (the ATA error logged, see enum ata_err), or
 * BLOCKDEV_E_RANGE for a sector past LBA28 on a disk without LBA48. */
struct blockdev *ata_blockdev(unsigned position);

/* Decodes IDENTIFY DEVICE words (ATA/ATAPI-6 §8.15, table 27): capacity, LBA48, model.
 * Returns ATA_OK or ATA_E_IDENTIFY if the device lacks LBA (word 49 bit 9) or reports no
 * sectors. */
enum ata_err ata_parse_identify(const uint16_t words[ATA_IDENTIFY_WORDS],
                                struct ata_identity *out);

/* A short description of an enum ata_err value; "unknown ata error" outside the enum. */
const char *ata_strerror(enum ata_err err);

#endif
