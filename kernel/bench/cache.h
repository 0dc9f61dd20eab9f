/* The module cache (docs/pgo.md): recompiled benchmark modules stored as
 * /CACHE/I686/<NAME>.MOD on a FAT16 volume, NAME the module name's first 8 characters in
 * upper case ("PHYSICS_.MOD" holds physics_step). At boot the "cache" stage (before
 * "modules") reads every such file into memory; the suite then asks, per embedded module,
 * whether the cache has a valid replacement (cache_select) and runs it in its place. A file
 * that is unreadable or fails the loader's checks is rejected with its reason, logged and
 * reported in the profile, and the embedded module runs.
 * cache.c is portable (kernel and host tests); cache_stage.c finds the volume (ATA disks,
 * then the RAM copy stage2 makes) and is kernel only. */
#ifndef FLUID_KERNEL_CACHE_H
#define FLUID_KERNEL_CACHE_H

#include <fluid/module.h>
#include <fluid/types.h>

#include "kernel/fs/fat16.h"

#define CACHE_DIR           "/CACHE/I686"
#define CACHE_EXT           "MOD"
#define CACHE_BASE_LEN      8               /* 8.3 base name: first 8 characters of the name */
#define CACHE_MAX_MODULES   32              /* .MOD files read; more are rejected */
#define CACHE_MAX_FILE      (1024u * 1024u) /* bytes; a larger .MOD file is rejected */
#define CACHE_ERROR_LEN     128

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

/* Returns size bytes aligned to 16, or NULL. Memory is never given back (boot lifetime). */
typedef void *(*cache_alloc_fn)(void *ctx, size_t size);

struct cache {
    cache_alloc_fn alloc;
    void *alloc_ctx;
    const char *volume;                 /* device name of the volume read, NULL if none */
    uint32_t count;                     /* entries in mods[] */
    uint32_t valid;                     /* of them, err == CACHE_OK */
    struct cache_module mods[CACHE_MAX_MODULES];
};

/* Empties c and sets its allocator. */
void cache_init(struct cache *c, cache_alloc_fn alloc, void *alloc_ctx);

/* Reads every CACHE_DIR/ *.MOD file of the mounted volume fs into c and checks each with
 * the module loader (all CPU features allowed here; cache_select checks the real ones).
 * Logs one line per file. Returns CACHE_OK (even if some files were rejected: see
 * mods[].err), CACHE_E_NO_DIR, CACHE_E_DIR or CACHE_E_INVAL. */
enum cache_err cache_load(struct cache *c, struct fat16 *fs, const char *volume);

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

/* Kernel only: cache_select on the cache the stage loaded (embedded if the stage did not run). */
const char *cache_pick(const char *name, uint32_t cpu_features, const uint8_t **file,
                       uint32_t *size, const char **rejection);

#endif
