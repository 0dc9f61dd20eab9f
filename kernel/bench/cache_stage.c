/* The "cache" boot stage (kernel/bench/cache.h): finds the volume holding the module cache and
 * loads it for the suite stage that follows. Volumes are tried in this order, and the first
 * one that mounts and has a CACHE_DIR directory is used (docs/pgo.md):
 *   1. an ATA disk other than the boot disk: a separate cache disk (cache.img) overrides;
 *   2. the boot disk's partition, found over ATA (partition start == boot_info.partition_lba);
 *   3. the RAM copy of that partition stage2 made with INT 13h (AHCI machines such as q35,
 *      whose disks the ATA PIO driver cannot see).
 * File bytes live on the kernel heap for the rest of the boot. */
#include "kernel/bench/cache.h"

#include <fluid/bootinfo.h>
#include "kernel/arch/x86/ata.h"
#include "kernel/core/bootcheck.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/drivers/ramdisk.h"

#define CACHE_ALLOC_ALIGN   16

static struct cache cache;
static bool cache_ready;
static struct fat16 fs;
static struct blockdev_part part;
static struct ramdisk rd;

static void *heap_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return aligned_alloc(CACHE_ALLOC_ALIGN, size);
}

/* Mounts disk and loads its cache; true if the volume had a cache directory. */
static bool try_disk(struct blockdev *disk)
{
    if (fat16_mount_disk(&fs, disk, &part) != FAT16_OK)
        return false;
    const char *volume = fs.dev ? fs.dev->name : disk->name;
    int err = cache_load(&cache, &fs, volume);
    if (err == CACHE_E_NO_DIR)
        kprintf("cache: %s: no %s directory\n", volume, CACHE_DIR);
    return err != CACHE_E_NO_DIR;
}

/* ATA disks: pass 0 tries every disk but the boot disk, pass 1 only the boot disk. */
static bool try_ata(const struct boot_info *bi, int pass)
{
    for (unsigned i = 0; i < ATA_POSITIONS; i++) {
        struct blockdev *dev = ata_blockdev(i);
        if (!dev || fat16_mount_disk(&fs, dev, &part) != FAT16_OK)
            continue;
        bool is_boot = bi && fs.dev == &part.dev && part.start == bi->partition_lba;
        if (is_boot == (pass == 1) && try_disk(dev))
            return true;
    }
    return false;
}

static bool try_ramdisk(const struct boot_info *bi)
{
    if (!bi || !bi->ramdisk_addr)
        return false;
    if (ramdisk_init(&rd, (const void *)(uintptr_t)bi->ramdisk_addr, bi->ramdisk_size,
                     "ramdisk") != BLOCKDEV_OK)
        return false;
    return try_disk(&rd.dev);
}

bool cache_stage(void)
{
    const struct boot_info *bi = kernel_boot_info();
    cache_init(&cache, heap_alloc, NULL);
    cache_ready = true;
    ata_probe();
    if (try_ata(bi, 0) || try_ata(bi, 1) || try_ramdisk(bi))
        return true;
    kprintf("cache: no volume with %s; the suite runs the embedded modules\n", CACHE_DIR);
    return true;
}

const char *cache_pick(const char *name, uint32_t cpu_features, const uint8_t **file,
                       uint32_t *size, const char **rejection)
{
    if (!cache_ready) {
        if (rejection)
            *rejection = NULL;
        return "embedded";
    }
    return cache_select(&cache, name, cpu_features, file, size, rejection);
}
