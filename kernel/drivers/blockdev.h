/* Block devices: one small interface in front of every disk the kernel reads (ATA PIO disks,
 * the boot disk through the BIOS, the RAM disk stage2 fills, partition views of these) and
 * writes (those with a write callback). Sectors are always BLOCKDEV_SECTOR_SIZE bytes. The
 * callbacks of a device are called only through blockdev_read() and blockdev_write(), which
 * check the range first, so drivers never see an out-of-range LBA.
 * Portable C: builds for the kernel (freestanding i686) and on the host for the tests. */
#ifndef FLUID_KERNEL_BLOCKDEV_H
#define FLUID_KERNEL_BLOCKDEV_H

#include <fluid/types.h>

#define BLOCKDEV_SECTOR_SIZE    512
#define BLOCKDEV_NAME_MAX       16      /* bytes, NUL included, of a partition view's name */

/* Results of blockdev reads. Drivers return these from their read callback. */
enum blockdev_err {
    BLOCKDEV_OK = 0,
    BLOCKDEV_E_RANGE,       /* lba + count runs past the end of the device, or count is 0 */
    BLOCKDEV_E_IO,          /* the device reported an error (ATA ERR/DF bit, bad status) */
    BLOCKDEV_E_TIMEOUT,     /* the device never became ready within its bounded wait */
    BLOCKDEV_E_INVAL,       /* a NULL device or buffer, or a device without a read callback */
    BLOCKDEV_E_READ_ONLY,   /* a write to a device without a write callback (the RAM copy) */
};

struct blockdev {
    const char *name;       /* for diagnostics: "ata0", "ramdisk", "ata1p1" */
    uint64_t sectors;       /* device length in BLOCKDEV_SECTOR_SIZE sectors */
    /* Reads count sectors starting at lba into buf. */
    enum blockdev_err (*read)(struct blockdev *dev, uint64_t lba, uint32_t count, void *buf);
    /* Writes count sectors from buf at lba, durably (the device's write cache flushed) before
     * it returns BLOCKDEV_OK. NULL for a read-only device. */
    enum blockdev_err (*write)(struct blockdev *dev, uint64_t lba, uint32_t count,
                               const void *buf);
    void *priv;             /* driver data */
};

/* A window [start, start + sectors) of a parent device, itself a block device. */
struct blockdev_part {
    struct blockdev dev;
    struct blockdev *parent;
    uint64_t start;         /* first sector in the parent */
    char name[BLOCKDEV_NAME_MAX];
};

/* Reads count sectors at lba after checking lba + count <= dev->sectors (without overflow).
 * Returns BLOCKDEV_OK, or an enum blockdev_err (BLOCKDEV_E_RANGE for a bad range, else the
 * driver's error); a failure is logged with the device name. */
enum blockdev_err blockdev_read(struct blockdev *dev, uint64_t lba, uint32_t count, void *buf);

/* Writes count sectors from buf at lba, with the same range check and logging as
 * blockdev_read; BLOCKDEV_E_READ_ONLY (logged) for a device that cannot write. */
enum blockdev_err blockdev_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                 const void *buf);

/* Makes part a view of sectors [start, start + sectors) of parent, named "<parent><suffix>".
 * Returns BLOCKDEV_OK, BLOCKDEV_E_INVAL for a NULL part or parent, or BLOCKDEV_E_RANGE
 * (logged) if the window does not lie inside the parent. */
enum blockdev_err blockdev_part_init(struct blockdev_part *part, struct blockdev *parent,
                                     uint64_t start, uint64_t sectors, const char *suffix);

/* A short name for an enum blockdev_err value ("out of range", ...); "unknown blockdev
 * error" for a value outside the enum. */
const char *blockdev_strerror(enum blockdev_err err);

#endif
