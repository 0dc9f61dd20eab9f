/* A block device over memory: the copy of the cache partition stage2 makes with INT 13h
 * (boot_info.ramdisk_addr / ramdisk_size) when the kernel has no ATA path to the boot disk,
 * and the host tests' in-memory images. Read-only. Portable C. */
#ifndef FLUID_KERNEL_RAMDISK_H
#define FLUID_KERNEL_RAMDISK_H

#include "kernel/drivers/blockdev.h"

struct ramdisk {
    struct blockdev dev;
    const uint8_t *base;    /* first byte of sector 0 */
};

/* Makes rd a block device of bytes / BLOCKDEV_SECTOR_SIZE sectors at base (a partial last
 * sector is ignored). Returns BLOCKDEV_E_INVAL (logged) for a NULL base or fewer than one
 * sector, else BLOCKDEV_OK. */
enum blockdev_err ramdisk_init(struct ramdisk *rd, const void *base, uint64_t bytes,
                               const char *name);

#endif
