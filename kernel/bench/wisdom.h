/* Planner wisdom (docs/adaptive.md): the planner's decisions kept on the FAT16 partition in
 * one preallocated file, WISDOM_PATH (WISDOM_FILE_BYTES, made by the image tools), so that the
 * next boot on the same CPU with the same candidates starts each module on its chosen
 * variant without measuring. The file is text: a WISDOM_HEADER_BYTES header line, then the
 * body, then newlines to the end:
 *     FLUID-WISDOM 1 bytes=0000000123 crc32=1a2b3c4d
 *     cpu GenuineIntel 6 6 3 0000001f           vendor, family, model, stepping, features
 *     module sum 2 3 a4077c49:f3fff6e8,875099e4:0a1b2c3d,ed4a127e:12345678
 * (bytes: the body's length; crc32: its CRC-32/ISO-HDLC; features: the FLUID_FEAT_* bits of
 * the CPU; per module: the chosen candidate's index, the candidate count, and each candidate's
 * key, the CRC-32 of its file and its header's cflags_hash, in candidate order). A body whose
 * CPU line differs from this CPU is ignored whole; a module line whose keys differ from this
 * boot's candidates is ignored (invalidated). tools/fluid/wisdom.py reads and writes the same.
 * Pure (kernel, host tests): parsing and formatting only; the kernel's file I/O is in
 * kernel/bench/suite.c. */
#ifndef FLUID_KERNEL_WISDOM_H
#define FLUID_KERNEL_WISDOM_H

#include <fluid/module.h>
#include <fluid/types.h>

#include "kernel/bench/planner.h"

#define WISDOM_DIR           "/WISDOM"
#define WISDOM_PATH          "/WISDOM/I686.WIS"
#define WISDOM_FILE_NAME     "I686.WIS"
#define WISDOM_FILE_BYTES    (8u * 1024u)
#define WISDOM_HEADER_BYTES  64
#define WISDOM_MAGIC         "FLUID-WISDOM"
#define WISDOM_VERSION       1
#define WISDOM_MAX_MODULES   32
#define WISDOM_VENDOR_LEN    12      /* CPUID vendor string */
#define WISDOM_MAX_LINE      512     /* a module line with 8 keys is about 200 characters */
#define WISDOM_OPTION_OFF    "wisdom.write=0"
#define WISDOM_REASON_LEN    96

/* Every result of this subsystem. */
enum wisdom_err {
    WISDOM_OK = 0,
    WISDOM_E_EMPTY,         /* never written (all padding): no wisdom yet */
    WISDOM_E_HEADER,        /* the header line is not "FLUID-WISDOM 1 bytes=... crc32=..." */
    WISDOM_E_SIZE,          /* bytes= is larger than the file's room */
    WISDOM_E_CRC,           /* the body's CRC-32 differs from the header's */
    WISDOM_E_LINE,          /* a body line breaks a rule (its number is reported) */
    WISDOM_E_NO_CPU,        /* the body has no cpu line before its module lines */
    WISDOM_E_FULL,          /* more than WISDOM_MAX_MODULES module lines */
    WISDOM_E_TOO_BIG,       /* formatting: the body does not fit the file */
    WISDOM_E_INVAL,         /* a NULL argument */
};

/* The CPU the decisions were made on. */
struct wisdom_cpu {
    char vendor[WISDOM_VENDOR_LEN + 1];
    uint32_t family, model, stepping;
    uint32_t features;                  /* FLUID_FEAT_* */
};

/* A candidate's identity: its file and its flags. */
struct wisdom_key {
    uint32_t file_crc;                  /* CRC-32/ISO-HDLC of the whole .mod file */
    uint32_t flags_hash;                /* the header's cflags_hash */
};

/* One module's decision. */
struct wisdom_entry {
    char module[FLUID_MOD_NAME_LEN];
    uint32_t chosen;                    /* candidate index */
    uint32_t count;                     /* candidates (keys[0..count)) */
    struct wisdom_key keys[PLANNER_MAX_CANDIDATES];
};

struct wisdom {
    struct wisdom_cpu cpu;
    uint32_t count;
    struct wisdom_entry e[WISDOM_MAX_MODULES];
};

/* Parses a whole file (size bytes). On failure *w is empty, and why[WISDOM_REASON_LEN]
 * names what was wrong ("CRC-32 1a2b3c4d, the header says 00000000", "line 3: bad key"). */
enum wisdom_err wisdom_parse(const uint8_t *file, uint32_t size, struct wisdom *w,
                             char why[WISDOM_REASON_LEN]);

/* Formats w into file[0..WISDOM_FILE_BYTES) (header, body, newline padding). */
enum wisdom_err wisdom_format(const struct wisdom *w, uint8_t *file);

/* True if a and b are the same CPU (vendor, family, model, stepping, features). */
bool wisdom_same_cpu(const struct wisdom_cpu *a, const struct wisdom_cpu *b);

/* The entry for module, or NULL. */
const struct wisdom_entry *wisdom_find(const struct wisdom *w, const char *module);

/* True if e's keys are exactly keys[0..count). */
bool wisdom_keys_match(const struct wisdom_entry *e, const struct wisdom_key *keys,
                       uint32_t count);

/* A short description of an enum wisdom_err value; "unknown wisdom error" outside it. */
const char *wisdom_strerror(enum wisdom_err err);

#endif
