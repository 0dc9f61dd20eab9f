/* Variant builds in the module cache (contract in cache.h): reads the manifest, then each
 * variant file it lists, and keeps those that pass every check for the planner. Portable: no
 * I/O besides the FAT16 driver and kprintf (the kernel, host tests). */
#include "kernel/bench/cache.h"

#include <string.h>

#include "kernel/bench/module_loader.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/lib/crc32.h"

#define VARIANT_PATH_MAX   (sizeof CACHE_DIR + MANIFEST_PATH_LEN + 1)
#define MANIFEST_PATH      CACHE_DIR "/" MANIFEST_FILE

static void refuse(struct cache_variant *v, enum cache_err err, const char *detail)
{
    v->err = err;
    fmt_snprintf(v->error, sizeof v->error, "variant %s (%s): %s", v->m.path, v->m.module,
                 detail);
}

static void on_bad_line(void *ctx, uint32_t line, enum manifest_err err, const char *value)
{
    struct cache *c = ctx;
    c->manifest_bad_lines++;
    kprintf("cache: %s line %u: %s: \"%s\": skipped\n", MANIFEST_FILE, (unsigned)line,
            manifest_strerror(err), value);
}

/* Opens path and checks its size against 1..max; on success *f is open. */
static enum cache_err open_sized(struct fat16 *fs, const char *path, uint32_t max,
                                 struct fat16_file *f, char *why, size_t why_len)
{
    enum fat16_err err = fat16_open(fs, path, f);
    if (err != FAT16_OK) {
        fmt_snprintf(why, why_len, "unreadable: %s", fat16_strerror(err));
        return err == FAT16_E_NOT_FOUND ? CACHE_E_NO_DIR : CACHE_E_READ;
    }
    if (f->size == 0 || f->size > max) {
        fmt_snprintf(why, why_len, "size %u outside 1..%u bytes", (unsigned)f->size,
                     (unsigned)max);
        return CACHE_E_SIZE;
    }
    return CACHE_OK;
}

/* Reads all of the open file f into a new buffer from the cache's allocator. */
static enum cache_err read_all(struct cache *c, struct fat16_file *f, uint8_t **out,
                               char *why, size_t why_len)
{
    uint8_t *buf = c->alloc(c->alloc_ctx, f->size);
    if (!buf) {
        fmt_snprintf(why, why_len, "no memory for %u bytes", (unsigned)f->size);
        return CACHE_E_NO_MEMORY;
    }
    uint32_t done = 0;
    enum fat16_err err = fat16_read(f, buf, f->size, &done);
    if (err == FAT16_OK && done != f->size)
        err = FAT16_E_CHAIN_SHORT;
    if (err != FAT16_OK) {
        fmt_snprintf(why, why_len, "unreadable: %s", fat16_strerror(err));
        return CACHE_E_READ;
    }
    *out = buf;
    return CACHE_OK;
}

/* The checks a cache file gets (cache.c check_module), plus the manifest's CRC and module. */
static void check_variant(struct cache_variant *v)
{
    char why[CACHE_ERROR_LEN];
    uint32_t crc = crc32_iso_hdlc(v->bytes, v->size);
    if (crc != v->m.crc) {
        fmt_snprintf(why, sizeof why, "CRC-32 %08x, the manifest says %08x", (unsigned)crc,
                     (unsigned)v->m.crc);
        refuse(v, CACHE_E_CRC, why);
        return;
    }
    struct mod_info info;
    struct mod_diag d = {MOD_OK, 0, 0};
    if (mod_check(v->bytes, v->size, FLUID_FEAT_KNOWN, &info, &d) != MOD_OK) {
        v->err = CACHE_E_MODULE;
        mod_format_error(v->m.path, &d, v->error, sizeof v->error);
        return;
    }
    if (strcmp(info.name, v->m.module) != 0) {
        fmt_snprintf(why, sizeof why, "holds module %s", info.name);
        refuse(v, CACHE_E_FILE_NAME, why);
    }
}

/* Reads and checks the variant of manifest entry m; the budget is counted in 64 bits. */
static void load_variant(struct cache *c, struct fat16 *fs, const struct manifest_entry *m)
{
    struct cache_variant *v = &c->variants[c->variant_count++];
    char path[VARIANT_PATH_MAX], why[CACHE_ERROR_LEN];
    struct fat16_file f;
    memset(v, 0, sizeof *v);
    v->m = *m;
    fmt_snprintf(path, sizeof path, "%s/%s", CACHE_DIR, m->path);
    enum cache_err err = open_sized(fs, path, CACHE_MAX_FILE, &f, why, sizeof why);
    if (err == CACHE_OK && c->variant_bytes + (uint64_t)f.size > CACHE_VARIANT_BUDGET) {
        fmt_snprintf(why, sizeof why, "%u bytes would pass the budget of %u (%llu in use)",
                     (unsigned)f.size, (unsigned)CACHE_VARIANT_BUDGET,
                     (unsigned long long)c->variant_bytes);
        err = CACHE_E_BUDGET;
    }
    uint8_t *buf = NULL;
    if (err == CACHE_OK)
        err = read_all(c, &f, &buf, why, sizeof why);
    if (err != CACHE_OK) {
        refuse(v, err == CACHE_E_NO_DIR ? CACHE_E_READ : err, why);
    } else {
        v->bytes = buf;
        v->size = f.size;
        c->variant_bytes += f.size;
        check_variant(v);
    }
    c->variants_valid += v->err == CACHE_OK;
    if (v->err == CACHE_OK)
        kprintf("cache: variant %s: %s, %u bytes, crc32 %08x, \"%s\"\n", v->m.path,
                v->m.module, (unsigned)v->size, (unsigned)v->m.crc, v->m.flags);
    else
        kprintf("cache: rejected: %s\n", v->error);
}

/* The manifest's text, or NULL (said why, unless there is no manifest at all). */
static const char *read_manifest(struct cache *c, struct fat16 *fs, uint32_t *size,
                                 enum cache_err *err)
{
    char why[CACHE_ERROR_LEN];
    struct fat16_file f;
    uint8_t *text = NULL;
    *err = open_sized(fs, MANIFEST_PATH, MANIFEST_MAX_BYTES, &f, why, sizeof why);
    if (*err == CACHE_E_NO_DIR) {
        *err = CACHE_OK;
        return NULL;
    }
    if (*err == CACHE_OK)
        *err = read_all(c, &f, &text, why, sizeof why);
    if (*err != CACHE_OK) {
        kprintf("cache: %s: %s: no variants\n", MANIFEST_FILE, why);
        if (*err == CACHE_E_SIZE)
            *err = CACHE_E_MANIFEST;
        return NULL;
    }
    *size = f.size;
    return (const char *)text;
}

enum cache_err cache_load_variants(struct cache *c, struct fat16 *fs)
{
    static struct manifest_entry lines[CACHE_MAX_VARIANTS];
    if (!c || !fs || !c->alloc)
        return CACHE_E_INVAL;
    uint32_t size = 0, n = 0;
    enum cache_err err;
    const char *text = read_manifest(c, fs, &size, &err);
    if (!text)
        return err;
    if (manifest_parse(text, size, lines, CACHE_MAX_VARIANTS, &n, on_bad_line, c) !=
        MANIFEST_OK) {
        kprintf("cache: %s refused: no variants\n", MANIFEST_FILE);
        return CACHE_E_MANIFEST;
    }
    for (uint32_t i = 0; i < n; i++)
        load_variant(c, fs, &lines[i]);
    kprintf("cache: %u variants, %u rejected, %u bad manifest lines, %llu of %u bytes\n",
            (unsigned)c->variants_valid, (unsigned)(c->variant_count - c->variants_valid),
            (unsigned)c->manifest_bad_lines, (unsigned long long)c->variant_bytes,
            (unsigned)CACHE_VARIANT_BUDGET);
    return CACHE_OK;
}

uint32_t cache_variants(struct cache *c, const char *name, uint32_t cpu_features,
                        const struct cache_variant **out, uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t i = 0; c && name && i < c->variant_count && n < max; i++) {
        struct cache_variant *v = &c->variants[i];
        if (v->err != CACHE_OK || strcmp(v->m.module, name) != 0)
            continue;
        struct mod_info info;
        struct mod_diag d = {MOD_OK, 0, 0};
        if (mod_check(v->bytes, v->size, cpu_features, &info, &d) != MOD_OK) {
            v->err = CACHE_E_MODULE;
            mod_format_error(v->m.path, &d, v->error, sizeof v->error);
            kprintf("cache: rejected: %s\n", v->error);
            continue;
        }
        out[n++] = v;
    }
    return n;
}
