/* The module cache (docs/pgo.md, docs/adaptive.md): recompiled benchmark modules stored as
 * /CACHE/I686/<NAME>.MOD on a FAT16 volume, NAME the module name's first 8 characters in
 * upper case ("PHYSICS_.MOD" holds physics_step). At boot the "cache" stage (before
 * "modules") reads every such file into memory; the suite then asks, per embedded module,
 * whether the cache has a valid replacement (cache_select) and runs it in its place. A file
 * that is unreadable or fails the loader's checks is rejected with its reason, logged and
 * reported in the profile, and the embedded module runs.
 * Variants: besides those single files, the cache may hold several builds of a module, listed
 * by the manifest CACHE_DIR/VARIANTS.TXT (kernel/bench/manifest.h) as DIR/Vnn.MOD files. Each
 * listed file is read, its CRC-32 compared with the manifest's, checked by the loader and
 * its header's name compared with the manifest's module, within CACHE_VARIANT_BUDGET bytes
 * in all; cache_variants hands the ones this CPU can run to the planner.
 * cache.c is portable (kernel and host tests); cache_stage.c finds the volume (ATA disks,
 * then the RAM copy stage2 makes) and is kernel only. */
#ifndef FLUID_KERNEL_CACHE_H
#define FLUID_KERNEL_CACHE_H

#include <fluid/module.h>
#include <fluid/types.h>

#include "kernel/bench/manifest.h"
#include "kernel/fs/fat16.h"

#define CACHE_DIR           "/CACHE/I686"
#define CACHE_EXT           "MOD"
#define CACHE_BASE_LEN      8               /* 8.3 base name: first 8 characters of the name */
#define CACHE_MAX_MODULES   32              /* .MOD files read; more are rejected */
#define CACHE_MAX_FILE      (1024u * 1024u) /* bytes; a larger .MOD file is rejected */
#define CACHE_ERROR_LEN     128
#define CACHE_MAX_VARIANTS  64              /* manifest lines kept; more are reported */
/* Bytes of variant files held in memory at once (each file's whole size counts); a variant
 * past it is refused and logged with the numbers. 2 MiB: 64 variants of a 32 KiB module. */
#define CACHE_VARIANT_BUDGET (2u * 1024u * 1024u)

/* Every result of this subsystem. FAT16 errors are not passed on as such: the
 * fat16_strerror text is logged (CACHE_E_DIR) or ends the file's rejection reason
 * (CACHE_E_READ: "cache X.MOD: unreadable: not found"). */
enum cache_err {
    CACHE_OK = 0,
    CACHE_E_NO_DIR,         /* the volume has no CACHE_DIR directory */
    CACHE_E_DIR,            /* CACHE_DIR could not be listed (a FAT16 error, logged) */
    CACHE_E_READ,           /* a file could not be opened or read (a FAT16 error) */
    CACHE_E_SIZE,           /* a file is empty or larger than CACHE_MAX_FILE */
    CACHE_E_NO_MEMORY,      /* the allocator refused the file's bytes */
    CACHE_E_MODULE,         /* the module loader's checks refused the file (mod_check) */
    CACHE_E_FILE_NAME,      /* the header's module name does not belong to the file name */
    CACHE_E_FULL,           /* more than CACHE_MAX_MODULES .MOD files */
    CACHE_E_INVAL,          /* a NULL argument */
    CACHE_E_CRC,            /* a variant's CRC-32 differs from its manifest line */
    CACHE_E_BUDGET,         /* a variant would pass CACHE_VARIANT_BUDGET */
    CACHE_E_MANIFEST,       /* the manifest was refused whole (size or header; logged) */
};

/* One .MOD file found in CACHE_DIR. */
struct cache_module {
    char file[FAT16_NAME_MAX];          /* "SHA256.MOD" */
    char name[FLUID_MOD_NAME_LEN];      /* the header's module name; "" if unreadable */
    char cflags[FLUID_MOD_CFLAGS_LEN];  /* the header's short flags; "" if unreadable */
    const uint8_t *bytes;               /* the whole file, NULL if it could not be read */
    uint32_t size;
    enum cache_err err;                 /* CACHE_OK: offered to the suite */
    char error[CACHE_ERROR_LEN];        /* "" or why the file was rejected */
};

/* One variant listed by the manifest. */
struct cache_variant {
    struct manifest_entry m;            /* module, path, CRC, flags label, manifest line */
    const uint8_t *bytes;               /* the whole file, NULL if it could not be read */
    uint32_t size;
    enum cache_err err;                 /* CACHE_OK: offered to the planner */
    char error[CACHE_ERROR_LEN];        /* "" or why the variant was refused */
};

/* Returns size bytes aligned to 16, or NULL. Memory is never given back (boot lifetime). */
typedef void *(*cache_alloc_fn)(void *ctx, size_t size);

struct cache {
    cache_alloc_fn alloc;
    void *alloc_ctx;
    const char *volume;                 /* device name of the volume read, NULL if none */
    uint32_t count;                     /* entries in mods[] */
    uint32_t valid;                     /* of them, err == CACHE_OK */
    struct cache_module mods[CACHE_MAX_MODULES];
    uint32_t variant_count;             /* entries in variants[] */
    uint32_t variants_valid;            /* of them, err == CACHE_OK */
    uint32_t manifest_bad_lines;        /* manifest lines reported and skipped */
    uint64_t variant_bytes;             /* bytes of variant files held (<= the budget) */
    struct cache_variant variants[CACHE_MAX_VARIANTS];
};

/* Empties c and sets its allocator. */
void cache_init(struct cache *c, cache_alloc_fn alloc, void *alloc_ctx);

/* Reads every CACHE_DIR/ *.MOD file of the mounted volume fs into c and checks each with
 * the module loader (all CPU features allowed here; cache_select checks the real ones).
 * Logs one line per file. Returns CACHE_OK (even if some files were rejected: see
 * mods[].err), CACHE_E_NO_DIR, CACHE_E_DIR or CACHE_E_INVAL. */
enum cache_err cache_load(struct cache *c, struct fat16 *fs, const char *volume);

/* Reads CACHE_DIR/MANIFEST_FILE, if there is one, and every variant it lists (cache.h's
 * rules above); logs a line per variant and per bad manifest line. Returns CACHE_OK (no
 * manifest, or some variants refused: see variants[].err), CACHE_E_MANIFEST, CACHE_E_READ
 * or CACHE_E_INVAL. cache_load calls it. */
enum cache_err cache_load_variants(struct cache *c, struct fat16 *fs);

/* The variants of module name this CPU can run, in manifest order: each valid variant is
 * checked again with cpu_features (one that fails is refused, logged once). Fills
 * out[0..max) and returns how many there are (at most max). */
uint32_t cache_variants(struct cache *c, const char *name, uint32_t cpu_features,
                        const struct cache_variant **out, uint32_t max);

/* Writes the 8.3 file name of module name into out ("physics_step" -> "PHYSICS_.MOD"). */
void cache_file_name(const char *name, char out[FAT16_NAME_MAX]);

/* The cache's answer for embedded module name on a CPU with cpu_features (FLUID_FEAT_*):
 * "cache", with *file / *size set to the cache file, if a valid one exists; otherwise
 * "embedded" and *file / *size untouched. *rejection (may be NULL) gets NULL, or the reason
 * the cache file for this module was refused (also logged once). */
const char *cache_select(struct cache *c, const char *name, uint32_t cpu_features,
                         const uint8_t **file, uint32_t *size, const char **rejection);

/* A short description of an enum cache_err value; "unknown cache error" outside the enum. */
const char *cache_strerror(enum cache_err err);

/* Kernel only (cache_stage.c). The boot stage: finds the cache volume and loads it; true
 * unless a kernel rule broke (a missing cache or a bad file is not a failure). */
bool cache_stage(void);

/* Kernel only: the valid variants the stage loaded, for every module (0 if it did not run). */
uint32_t cache_variant_total(void);

/* Kernel only: cache_variants on the cache the stage loaded (0 if the stage did not run). */
uint32_t cache_pick_variants(const char *name, uint32_t cpu_features,
                             const struct cache_variant **out, uint32_t max);

/* Kernel only: cache_select on the cache the stage loaded (embedded if the stage did not run). */
const char *cache_pick(const char *name, uint32_t cpu_features, const uint8_t **file,
                       uint32_t *size, const char **rejection);

#endif
