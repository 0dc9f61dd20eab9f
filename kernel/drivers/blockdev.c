/* Block-device reads and writes with range checks, and partition views (see blockdev.h). Called by the
 * FAT16 driver and the kernel's disk setup; no port I/O here, so it also runs on the host. */
#include "kernel/drivers/blockdev.h"

#include "kernel/core/log.h"

const char *blockdev_strerror(enum blockdev_err err)
{
    switch (err) {
    case BLOCKDEV_OK:        return "ok";
    case BLOCKDEV_E_RANGE:   return "out of range";
    case BLOCKDEV_E_IO:      return "device error";
    case BLOCKDEV_E_TIMEOUT: return "timeout";
    case BLOCKDEV_E_INVAL:   return "invalid argument";
    case BLOCKDEV_E_READ_ONLY: return "read-only device";
    }
    return "unknown blockdev error";
}

/* True if [lba, lba + count) lies inside a device of `sectors` sectors; no overflow. */
static bool range_ok(uint64_t sectors, uint64_t lba, uint32_t count)
{
    return count != 0 && lba < sectors && count <= sectors - lba;
}

/* The range check and the logging both directions share; `what` is "read" or "write". */
static enum blockdev_err in_range(const struct blockdev *dev, const char *what, uint64_t lba,
                                  uint32_t count)
{
    if (range_ok(dev->sectors, lba, count))
        return BLOCKDEV_OK;
    kprintf("blockdev: %s: %s of %u sectors at LBA %llu past the end (%llu sectors)\n",
            dev->name, what, count, (unsigned long long)lba, (unsigned long long)dev->sectors);
    return BLOCKDEV_E_RANGE;
}

static enum blockdev_err logged(const struct blockdev *dev, const char *what, uint64_t lba,
                                uint32_t count, enum blockdev_err err)
{
    if (err != BLOCKDEV_OK)
        kprintf("blockdev: %s: %s of %u sectors at LBA %llu failed: %s\n", dev->name, what,
                count, (unsigned long long)lba, blockdev_strerror(err));
    return err;
}

enum blockdev_err blockdev_read(struct blockdev *dev, uint64_t lba, uint32_t count, void *buf)
{
    if (!dev || !dev->read || !buf)
        return BLOCKDEV_E_INVAL;
    enum blockdev_err err = in_range(dev, "read", lba, count);
    return err != BLOCKDEV_OK ? err
                              : logged(dev, "read", lba, count, dev->read(dev, lba, count, buf));
}

enum blockdev_err blockdev_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                 const void *buf)
{
    if (!dev || !buf)
        return BLOCKDEV_E_INVAL;
    if (!dev->write) {
        kprintf("blockdev: %s: read-only, write of %u sectors at LBA %llu refused\n",
                dev->name, count, (unsigned long long)lba);
        return BLOCKDEV_E_READ_ONLY;
    }
    enum blockdev_err err = in_range(dev, "write", lba, count);
    return err != BLOCKDEV_OK ? err
                              : logged(dev, "write", lba, count, dev->write(dev, lba, count, buf));
}

/* The partition's callbacks: shift into the parent's LBA space (range already checked
 * against the partition, and the partition against the parent at init). */
static enum blockdev_err part_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                   void *buf)
{
    struct blockdev_part *part = dev->priv;
    return blockdev_read(part->parent, part->start + lba, count, buf);
}

static enum blockdev_err part_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                    const void *buf)
{
    struct blockdev_part *part = dev->priv;
    return blockdev_write(part->parent, part->start + lba, count, buf);
}

/* Copies "<a><b>" into dst (size bytes), truncating; always NUL-terminated. */
static void join_name(char *dst, size_t size, const char *a, const char *b)
{
    size_t n = 0;
    for (; a && *a && n + 1 < size; a++)
        dst[n++] = *a;
    for (; b && *b && n + 1 < size; b++)
        dst[n++] = *b;
    dst[n] = '\0';
}

enum blockdev_err blockdev_part_init(struct blockdev_part *part, struct blockdev *parent,
                                     uint64_t start, uint64_t sectors, const char *suffix)
{
    if (!part || !parent)
        return BLOCKDEV_E_INVAL;
    if (sectors == 0 || start >= parent->sectors || sectors > parent->sectors - start) {
        kprintf("blockdev: %s: partition at LBA %llu, %llu sectors, outside the %llu-sector "
                "device\n", parent->name, (unsigned long long)start,
                (unsigned long long)sectors, (unsigned long long)parent->sectors);
        return BLOCKDEV_E_RANGE;
    }
    join_name(part->name, sizeof part->name, parent->name, suffix);
    part->parent = parent;
    part->start = start;
    part->dev.name = part->name;
    part->dev.sectors = sectors;
    part->dev.read = part_read;
    part->dev.write = parent->write ? part_write : NULL;
    part->dev.priv = part;
    return BLOCKDEV_OK;
}
