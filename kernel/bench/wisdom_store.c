/* Wisdom on the boot volume (contract in wisdom_store.h): what an earlier boot decided,
 * loaded before the modules run and written back after them. */
#include "kernel/bench/wisdom_store.h"

#include <string.h>

#include "kernel/bench/wisdom.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/cpu.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/fs/volume.h"
#include "kernel/mm/heap.h"

static struct wisdom wisdom_in, wisdom_out;
static bool wisdom_for_this_cpu;    /* wisdom_in was made on this CPU */
static bool wisdom_on_volume;       /* WISDOM_PATH found and of the right size */
static struct volume wisdom_volume;
static uint32_t wisdom_hits, wisdom_misses, wisdom_invalidated;

static struct wisdom_cpu this_cpu(uint32_t features)
{
    struct wisdom_cpu c = {"", cpu_info()->family, cpu_info()->model, cpu_info()->stepping,
                           features};
    fmt_snprintf(c.vendor, sizeof c.vendor, "%s", cpu_info()->vendor[0] ? cpu_info()->vendor
                                                                        : "none");
    return c;
}

/* Opens WISDOM_PATH on the volume holding WISDOM_DIR; false (logged) if absent or not the
 * size the image tools make. */
static bool wisdom_open(const struct boot_info *bi, struct fat16_file *f)
{
    if (!wisdom_on_volume && !volume_find(&wisdom_volume, WISDOM_DIR, bi, "wisdom")) {
        kprintf("wisdom: no %s on any volume: the planner measures\n", WISDOM_DIR);
        return false;
    }
    enum fat16_err err = fat16_open(&wisdom_volume.fs, WISDOM_PATH, f);
    if (err == FAT16_OK && f->size != WISDOM_FILE_BYTES) {
        kprintf("wisdom: %s is %u bytes, not the %u the image tools make: ignored\n",
                WISDOM_PATH, (unsigned)f->size, WISDOM_FILE_BYTES);
        return false;
    }
    if (err != FAT16_OK)
        kprintf("wisdom: %s: %s\n", WISDOM_PATH, fat16_strerror(err));
    return wisdom_on_volume = err == FAT16_OK;
}

void wisdom_store_load(const struct boot_info *bi, uint32_t features)
{
    struct fat16_file f;
    char why[WISDOM_REASON_LEN];
    uint32_t got = 0;
    uint8_t *buf = malloc(WISDOM_FILE_BYTES);
    if (!buf || !wisdom_open(bi, &f) || fat16_read(&f, buf, WISDOM_FILE_BYTES, &got) != FAT16_OK ||
        got != WISDOM_FILE_BYTES) {
        free(buf);
        return;
    }
    enum wisdom_err err = wisdom_parse(buf, WISDOM_FILE_BYTES, &wisdom_in, why);
    free(buf);
    struct wisdom_cpu me = this_cpu(features);
    const struct wisdom_cpu *c = &wisdom_in.cpu;
    if (err == WISDOM_E_EMPTY)
        kprintf("wisdom: %s:%s: none yet\n", wisdom_volume.name, WISDOM_PATH);
    else if (err != WISDOM_OK)
        kprintf("wisdom: %s:%s: %s (%s): ignored\n", wisdom_volume.name, WISDOM_PATH,
                wisdom_strerror(err), why);
    else if (!wisdom_same_cpu(c, &me))
        kprintf("wisdom: %s: made on %s family %u model %u stepping %u features %08x, this "
                "is %s %u %u %u %08x: its %u modules invalidated\n", WISDOM_PATH, c->vendor,
                (unsigned)c->family, (unsigned)c->model, (unsigned)c->stepping,
                (unsigned)c->features, me.vendor, (unsigned)me.family, (unsigned)me.model,
                (unsigned)me.stepping, (unsigned)me.features, (unsigned)wisdom_in.count);
    else
        kprintf("wisdom: %s:%s: %u modules for this CPU\n", wisdom_volume.name, WISDOM_PATH,
                (unsigned)wisdom_in.count);
    wisdom_for_this_cpu = err == WISDOM_OK && wisdom_same_cpu(c, &me);
}

void wisdom_store_apply(const char *name, struct suite_adaptive *ad,
                         const struct planner_config *cfg)
{
    const struct wisdom_entry *w = wisdom_find(&wisdom_in, name);
    suite_adapt_keys(ad);
    if (!cfg->enabled || cfg->swap_every_call || ad->count < 2) {
        ad->wisdom = "off";
    } else if (!w) {
        ad->wisdom = "miss";
        wisdom_misses++;
    } else if (!wisdom_for_this_cpu || !wisdom_keys_match(w, ad->keys, ad->count)) {
        ad->wisdom = "invalidated";
        wisdom_invalidated++;
        kprintf("wisdom: %s: %s: ignored, the planner measures\n", name, wisdom_for_this_cpu
                ? "its candidates changed (files or flags)" : "made on another CPU");
    } else {
        ad->wisdom = "hit";
        ad->wisdom_start = w->chosen;
        ad->wisdom_fixed = true;
        wisdom_hits++;
        kprintf("wisdom: %s: hit: starts on variant %u, no measuring\n", name,
                (unsigned)w->chosen);
    }
}

void wisdom_store_note(const char *name, const struct suite_adaptive *ad)
{
    if (!ad->wisdom || strcmp(ad->wisdom, "off") == 0 || wisdom_out.count == WISDOM_MAX_MODULES)
        return;
    struct wisdom_entry *e = &wisdom_out.e[wisdom_out.count++];
    memset(e, 0, sizeof *e);
    fmt_snprintf(e->module, sizeof e->module, "%s", name);
    e->chosen = ad->pm.current;
    e->count = ad->count;
    memcpy(e->keys, ad->keys, ad->count * sizeof ad->keys[0]);
}

void wisdom_store_save(const struct boot_info *bi, uint32_t features)
{
    struct fat16_file f;
    if (wisdom_out.count == 0)
        return;
    if (cmdline_has(WISDOM_OPTION_OFF)) {
        kprintf("wisdom: not saved (%s)\n", WISDOM_OPTION_OFF);
        return;
    }
    wisdom_out.cpu = this_cpu(features);
    for (uint32_t i = 0; wisdom_for_this_cpu && i < wisdom_in.count; i++)
        if (!wisdom_find(&wisdom_out, wisdom_in.e[i].module) &&
            wisdom_out.count < WISDOM_MAX_MODULES)
            wisdom_out.e[wisdom_out.count++] = wisdom_in.e[i];
    uint8_t *buf = malloc(WISDOM_FILE_BYTES);
    enum wisdom_err err = buf ? wisdom_format(&wisdom_out, buf) : WISDOM_E_INVAL;
    enum fat16_err ferr = FAT16_E_IO;
    if (err == WISDOM_OK && wisdom_open(bi, &f))
        ferr = fat16_write(&f, buf, WISDOM_FILE_BYTES);
    if (ferr == FAT16_OK)
        kprintf("wisdom: saved %u modules to %s:%s\n", (unsigned)wisdom_out.count,
                wisdom_volume.name, WISDOM_PATH);
    else
        kprintf("wisdom: not saved: %s\n", err != WISDOM_OK ? wisdom_strerror(err)
                                                            : fat16_strerror(ferr));
    free(buf);
}

void wisdom_store_log_counts(void)
{
    if (wisdom_hits + wisdom_misses + wisdom_invalidated)
        kprintf("wisdom: %u hits, %u misses, %u invalidated\n", (unsigned)wisdom_hits,
                (unsigned)wisdom_misses, (unsigned)wisdom_invalidated);
}
