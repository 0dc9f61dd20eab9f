/* The module cache (contract in cache.h): lists CACHE_DIR on a mounted FAT16 volume, reads
 * each .MOD file whole into memory from the caller's allocator, and checks it with the module
 * loader before the suite may run it. Files are matched to modules by their 8.3 name, so a
 * damaged file (whose header cannot be trusted) is still reported against its module.
 * Portable: no I/O besides the FAT16 driver and kprintf. */
#include "kernel/bench/cache.h"

#include <string.h>

#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/bench/module_loader.h"
#include "kernel/lib/ascii.h"

#define CACHE_PATH_MAX      (sizeof CACHE_DIR + FAT16_NAME_MAX + 1)

void cache_file_name(const char *name, char out[FAT16_NAME_MAX])
{
    size_t n = 0;
    for (; n < CACHE_BASE_LEN && name[n]; n++)
        out[n] = ascii_upper(name[n]);
    out[n++] = '.';
    for (size_t i = 0; CACHE_EXT[i]; i++)
        out[n++] = CACHE_EXT[i];
    out[n] = 0;
}

/* True for "NAME.MOD" (fat16_readdir gives upper-case 8.3 names). */
static bool is_mod_file(const struct fat16_dirent *d)
{
    if (d->is_dir)
        return false;
    const char *dot = NULL;
    for (const char *p = d->name; *p; p++)
        if (*p == '.')
            dot = p;
    return dot && strcmp(dot + 1, CACHE_EXT) == 0;
}

void cache_init(struct cache *c, cache_alloc_fn alloc, void *alloc_ctx)
{
    memset(c, 0, sizeof *c);
    c->alloc = alloc;
    c->alloc_ctx = alloc_ctx;
}

static void reject(struct cache_module *m, enum cache_err err, const char *detail)
{
    m->err = err;
    fmt_snprintf(m->error, sizeof m->error, "cache %s: %s", m->file, detail);
}

/* Reads the whole file into memory from the allocator; false (m rejected) on failure. */
static bool read_file(struct cache *c, struct fat16 *fs, struct cache_module *m)
{
    char path[CACHE_PATH_MAX], why[CACHE_ERROR_LEN];
    struct fat16_file f;
    fmt_snprintf(path, sizeof path, "%s/%s", CACHE_DIR, m->file);
    enum fat16_err err = fat16_open(fs, path, &f);
    if (err == FAT16_OK && (f.size == 0 || f.size > CACHE_MAX_FILE)) {
        fmt_snprintf(why, sizeof why, "size %u outside 1..%u bytes", (unsigned)f.size,
                     (unsigned)CACHE_MAX_FILE);
        reject(m, CACHE_E_SIZE, why);
        return false;
    }
    uint8_t *buf = err == FAT16_OK ? c->alloc(c->alloc_ctx, f.size) : NULL;
    if (err == FAT16_OK && !buf) {
        fmt_snprintf(why, sizeof why, "no memory for %u bytes", (unsigned)f.size);
        reject(m, CACHE_E_NO_MEMORY, why);
        return false;
    }
    uint32_t done = 0;
    if (err == FAT16_OK)
        err = fat16_read(&f, buf, f.size, &done);
    if (err == FAT16_OK && done != f.size)
        err = FAT16_E_CHAIN_SHORT;
    if (err != FAT16_OK) {
        fmt_snprintf(why, sizeof why, "unreadable: %s", fat16_strerror(err));
        reject(m, CACHE_E_READ, why);
        return false;
    }
    m->bytes = buf;
    m->size = f.size;
    return true;
}

/* Checks a file read whole: the loader's rules, then name against file name. */
static void check_module(struct cache_module *m)
{
    struct mod_info info;
    struct mod_diag d = {MOD_OK, 0, 0};
    char label[FAT16_NAME_MAX + sizeof "cache "], expect[FAT16_NAME_MAX];
    fmt_snprintf(label, sizeof label, "cache %s", m->file);
    if (mod_check(m->bytes, m->size, FLUID_FEAT_KNOWN, &info, &d) != MOD_OK) {
        m->err = CACHE_E_MODULE;
        mod_format_error(label, &d, m->error, sizeof m->error);
        return;
    }
    fmt_snprintf(m->name, sizeof m->name, "%s", info.name);
    fmt_snprintf(m->cflags, sizeof m->cflags, "%s", info.cflags);
    cache_file_name(info.name, expect);
    if (strcmp(expect, m->file) != 0) {
        char why[CACHE_ERROR_LEN];
        fmt_snprintf(why, sizeof why, "holds module %s, whose file is %s", info.name, expect);
        reject(m, CACHE_E_FILE_NAME, why);
    }
}

static void log_module(const struct cache_module *m)
{
    if (m->err == CACHE_OK)
        kprintf("cache: %s: %s, %u bytes, flags \"%s\"\n", m->file, m->name,
                (unsigned)m->size, m->cflags);
    else
        kprintf("cache: rejected: %s\n", m->error);
}

/* Adds directory entry d; false when the table is full (d is then rejected and logged). */
static bool add_entry(struct cache *c, struct fat16 *fs, const struct fat16_dirent *d)
{
    if (c->count == CACHE_MAX_MODULES) {
        kprintf("cache: rejected: cache %s: more than %u .%s files\n", d->name,
                (unsigned)CACHE_MAX_MODULES, CACHE_EXT);
        return false;
    }
    struct cache_module *m = &c->mods[c->count++];
    fmt_snprintf(m->file, sizeof m->file, "%s", d->name);
    if (read_file(c, fs, m))
        check_module(m);
    c->valid += m->err == CACHE_OK;
    log_module(m);
    return true;
}

enum cache_err cache_load(struct cache *c, struct fat16 *fs, const char *volume)
{
    if (!c || !fs || !c->alloc)
        return CACHE_E_INVAL;
    struct fat16_file dir;
    struct fat16_dirent d;
    enum fat16_err err = fat16_opendir(fs, CACHE_DIR, &dir);
    if (err == FAT16_E_NOT_FOUND || err == FAT16_E_NOT_DIR)
        return CACHE_E_NO_DIR;
    if (err != FAT16_OK) {
        kprintf("cache: %s: cannot open %s: %s\n", volume, CACHE_DIR, fat16_strerror(err));
        return CACHE_E_DIR;
    }
    c->volume = volume;
    while ((err = fat16_readdir(&dir, &d)) == FAT16_OK)
        if (is_mod_file(&d) && !add_entry(c, fs, &d))
            break;
    if (err != FAT16_OK && err != FAT16_END) {
        kprintf("cache: %s: listing %s failed: %s\n", volume, CACHE_DIR, fat16_strerror(err));
        return c->count ? CACHE_OK : CACHE_E_DIR;
    }
    kprintf("cache: %s: %u modules in %s, %u rejected\n", volume, (unsigned)c->valid,
            CACHE_DIR, (unsigned)(c->count - c->valid));
    cache_load_variants(c, fs);
    return CACHE_OK;
}

static struct cache_module *find_file(struct cache *c, const char *name)
{
    char file[FAT16_NAME_MAX];
    cache_file_name(name, file);
    for (uint32_t i = 0; i < c->count; i++)
        if (strcmp(c->mods[i].file, file) == 0)
            return &c->mods[i];
    return NULL;
}

/* Re-checks a loaded module with the CPU's real features; rejects it (logged) if missing. */
static bool usable_here(struct cache_module *m, uint32_t cpu_features)
{
    struct mod_info info;
    struct mod_diag d = {MOD_OK, 0, 0};
    char label[FAT16_NAME_MAX + sizeof "cache "];
    if (mod_check(m->bytes, m->size, cpu_features, &info, &d) == MOD_OK)
        return true;
    fmt_snprintf(label, sizeof label, "cache %s", m->file);
    m->err = CACHE_E_MODULE;
    mod_format_error(label, &d, m->error, sizeof m->error);
    kprintf("cache: rejected: %s\n", m->error);
    return false;
}

const char *cache_select(struct cache *c, const char *name, uint32_t cpu_features,
                         const uint8_t **file, uint32_t *size, const char **rejection)
{
    struct cache_module *m = c && name ? find_file(c, name) : NULL;
    if (rejection)
        *rejection = NULL;
    if (!m)
        return "embedded";
    if (m->err == CACHE_OK && strcmp(m->name, name) != 0)
        return "embedded";              /* another module sharing the 8-character prefix */
    if (m->err == CACHE_OK && usable_here(m, cpu_features)) {
        *file = m->bytes;
        *size = m->size;
        return "cache";
    }
    if (rejection)
        *rejection = m->error;
    return "embedded";
}

const char *cache_strerror(enum cache_err err)
{
    switch (err) {
    case CACHE_OK:          return "ok";
    case CACHE_E_NO_DIR:    return "no " CACHE_DIR " directory";
    case CACHE_E_DIR:       return "directory unreadable";
    case CACHE_E_READ:      return "file unreadable";
    case CACHE_E_SIZE:      return "file size out of range";
    case CACHE_E_NO_MEMORY: return "out of memory";
    case CACHE_E_MODULE:    return "invalid module";
    case CACHE_E_FILE_NAME: return "module name does not match the file name";
    case CACHE_E_FULL:      return "too many files";
    case CACHE_E_INVAL:     return "invalid argument";
    case CACHE_E_CRC:       return "CRC-32 differs from the manifest";
    case CACHE_E_BUDGET:    return "over the variant memory budget";
    case CACHE_E_MANIFEST:  return "manifest refused";
    }
    return "unknown cache error";
}
