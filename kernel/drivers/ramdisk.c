/* RAM disk block device (see ramdisk.h). blockdev_read() has checked the range already. */
#include "kernel/drivers/ramdisk.h"

#include "kernel/core/log.h"

static enum blockdev_err ramdisk_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                      void *buf)
{
    struct ramdisk *rd = dev->priv;
    const uint8_t *src = rd->base + lba * BLOCKDEV_SECTOR_SIZE;
    __builtin_memcpy(buf, src, (size_t)count * BLOCKDEV_SECTOR_SIZE);
    return BLOCKDEV_OK;
}

enum blockdev_err ramdisk_init(struct ramdisk *rd, const void *base, uint64_t bytes,
                               const char *name)
{
    if (!rd || !base || bytes < BLOCKDEV_SECTOR_SIZE) {
        kprintf("ramdisk: %s: no usable memory (base %p, %llu bytes)\n", name ? name : "?",
                base, (unsigned long long)bytes);
        return BLOCKDEV_E_INVAL;
    }
    rd->base = base;
    rd->dev.name = name;
    rd->dev.sectors = bytes / BLOCKDEV_SECTOR_SIZE;
    rd->dev.read = ramdisk_read;
    rd->dev.write = NULL;           /* stage2's copy: writing it would change nothing on disk */
    rd->dev.priv = rd;
    return BLOCKDEV_OK;
}
