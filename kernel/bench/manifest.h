/* The variant manifest of the module cache (docs/adaptive.md): a text file,
 * CACHE_DIR/VARIANTS.TXT, listing every variant build of every module that the cache holds,
 * one per line:
 *     fluid-variants 1                               (first line that is not blank or #)
 *     <module> <DIR>/<FILE>.<EXT> <crc32> <flags label...>
 *     sha256 SHA256/V01.MOD 1a2b3c4d -O3 -msse2 -funroll-loops
 * module is a module name ([a-z0-9_], FLUID_MOD_NAME_LEN - 1 at most), the path an 8.3 file
 * in an 8-character directory under CACHE_DIR ([A-Z0-9_] only, so no "..", no absolute path),
 * crc32 eight hex digits (CRC-32/ISO-HDLC of the whole file, kernel/lib/crc32.h), the flags
 * label the rest of the line (printable ASCII, FLUID_MOD_CFLAGS_LEN - 1 at most).
 * Pure (kernel, host tests, fuzz target): no I/O; a bad line is reported through the caller's
 * callback with its number and the offending value, and skipped. */
#ifndef FLUID_KERNEL_MANIFEST_H
#define FLUID_KERNEL_MANIFEST_H

#include <fluid/module.h>
#include <fluid/types.h>

#define MANIFEST_FILE        "VARIANTS.TXT"
#define MANIFEST_MAGIC       "fluid-variants"
#define MANIFEST_VERSION     1
#define MANIFEST_MAX_BYTES   (64u * 1024u)   /* a larger manifest is refused whole */
#define MANIFEST_MAX_LINE    160             /* characters; a longer line is bad */
#define MANIFEST_PATH_LEN    (8 + 1 + 8 + 1 + 3 + 1)    /* "DIRNAME8/FILENAME.EXT" + NUL */
#define MANIFEST_CRC_DIGITS  8
#define MANIFEST_VALUE_LEN   40              /* the bad value quoted in a report, cut */

/* Every result of this subsystem. */
enum manifest_err {
    MANIFEST_OK = 0,
    MANIFEST_E_HEADER,      /* the first line is not "fluid-variants 1" (manifest ignored) */
    MANIFEST_E_TOO_BIG,     /* more than MANIFEST_MAX_BYTES (manifest ignored) */
    MANIFEST_E_LONG_LINE,   /* a line over MANIFEST_MAX_LINE characters */
    MANIFEST_E_FIELDS,      /* fewer than four fields */
    MANIFEST_E_NAME,        /* the module name is empty, too long or has a bad character */
    MANIFEST_E_PATH,        /* the path is not DIR/NAME.EXT in 8.3 upper case */
    MANIFEST_E_CRC,         /* the CRC is not exactly eight hex digits */
    MANIFEST_E_FLAGS,       /* the flags label is too long or not printable ASCII */
    MANIFEST_E_FULL,        /* more variant lines than the caller's table holds */
    MANIFEST_E_INVAL,       /* a NULL argument */
};

/* One variant line. */
struct manifest_entry {
    char module[FLUID_MOD_NAME_LEN];        /* "sha256" */
    char path[MANIFEST_PATH_LEN];           /* "SHA256/V01.MOD", relative to CACHE_DIR */
    uint32_t crc;                           /* of the whole file */
    char flags[FLUID_MOD_CFLAGS_LEN];       /* "-O3 -msse2" */
    uint32_t line;                          /* 1-based line number in the manifest */
};

/* Called once per bad line (or once for a bad header/size, line 0 for the size): err says
 * what is wrong, value is the offending text (NUL-terminated, cut to MANIFEST_VALUE_LEN). */
typedef void (*manifest_report_fn)(void *ctx, uint32_t line, enum manifest_err err,
                                   const char *value);

/* Parses one line (without its line feed; a trailing CR is ignored) into *out. On failure
 * returns the error and copies the offending field into bad[MANIFEST_VALUE_LEN]. */
enum manifest_err manifest_parse_line(const char *text, size_t len, struct manifest_entry *out,
                                      char bad[MANIFEST_VALUE_LEN]);

/* Parses a whole manifest of size bytes into out[0..max): every good variant line is stored
 * (in file order) and *count set; every bad line is reported and skipped. Returns MANIFEST_OK,
 * or MANIFEST_E_HEADER / MANIFEST_E_TOO_BIG (reported; *count 0), MANIFEST_E_INVAL. Lines
 * past a full table are reported once each (MANIFEST_E_FULL). */
enum manifest_err manifest_parse(const char *text, uint32_t size, struct manifest_entry *out,
                                 uint32_t max, uint32_t *count, manifest_report_fn report,
                                 void *ctx);

/* A short description of an enum manifest_err value; "unknown manifest error" outside it. */
const char *manifest_strerror(enum manifest_err err);

#endif
