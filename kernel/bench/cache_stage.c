/* The "cache" boot stage (kernel/bench/cache.h): finds the volume holding the module cache
 * (kernel/fs/volume.h gives the order: a separate disk, the boot partition, stage2's RAM
 * copy; docs/pgo.md) and loads it for the suite stage that follows. File bytes live on the
 * kernel heap for the rest of the boot. */
#include "kernel/bench/cache.h"

#include "kernel/core/bootcheck.h"
#include "kernel/core/log.h"
#include "kernel/fs/volume.h"
#include "kernel/mm/heap.h"

#define CACHE_ALLOC_ALIGN   16

static struct cache cache;
static bool cache_ready;
static struct volume volume;

static void *heap_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return aligned_alloc(CACHE_ALLOC_ALIGN, size);
}

bool cache_stage(void)
{
    cache_init(&cache, heap_alloc, NULL);
    cache_ready = true;
    if (!volume_find(&volume, CACHE_DIR, kernel_boot_info(), "cache")) {
        kprintf("cache: the suite runs the embedded modules\n");
        return true;
    }
    cache_load(&cache, &volume.fs, volume.name);
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

uint32_t cache_variant_total(void)
{
    return cache_ready ? cache.variants_valid : 0;
}

uint32_t cache_pick_variants(const char *name, uint32_t cpu_features,
                             const struct cache_variant **out, uint32_t max)
{
    return cache_ready ? cache_variants(&cache, name, cpu_features, out, max) : 0;
}
