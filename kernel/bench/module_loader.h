/* The .mod loader (include/fluid/module.h, docs/module-format.md): validates every header
 * field of a module file, then places it into memory the caller provides: copies code and
 * data, zeroes bss, applies the relocation table for the address the code will run at.
 * Portable C with no allocation and no I/O: the kernel, the 32-bit host runner
 * (tools/hostrun) and the host tests (tests/kernel/bench/test_module_loader.c) use the same code.
 * A bad module is rejected with a reason, never by crashing. */
#ifndef FLUID_KERNEL_MODULE_LOADER_H
#define FLUID_KERNEL_MODULE_LOADER_H

#include <fluid/module.h>
#include <fluid/types.h>

/* Every result of the loader: mod_strerror() names each one, mod_format_error() words it
 * with the values of a struct mod_diag. */
enum mod_err {
    MOD_OK = 0,
    MOD_E_TRUNCATED,        /* file shorter than the header */
    MOD_E_MAGIC,            /* magic is not FLUID_MOD_MAGIC */
    MOD_E_HEADER_CRC,       /* header_crc32 does not match the header bytes */
    MOD_E_VERSION,          /* format_version unsupported */
    MOD_E_HEADER_SIZE,      /* header_size != sizeof(struct fluid_mod_header) */
    MOD_E_NAME,             /* name empty, unterminated or outside [a-z0-9_] */
    MOD_E_RESERVED,         /* reserved0 or unknown build_flags bits set */
    MOD_E_TIER,             /* tier >= FLUID_TIER_COUNT */
    MOD_E_ALIGN,            /* align not a power of two in [ALIGN_MIN, ALIGN_MAX] */
    MOD_E_FEATURE_BITS,     /* required_features has bits Fluid does not define */
    MOD_E_RELOC_COUNT,      /* reloc_count > FLUID_MOD_MAX_RELOCS */
    MOD_E_IMAGE_SIZE,       /* code + data + bss > FLUID_MOD_MAX_IMAGE, or no code */
    MOD_E_FILE_SIZE,        /* header + code + data + relocs != file size */
    MOD_E_ENTRY,            /* entry not inside code */
    MOD_E_CRC,              /* body_crc32 does not match the body */
    MOD_E_RELOC,            /* a relocation outside code + data */
    MOD_E_CPU_FEATURES,     /* the CPU lacks a required feature */
    MOD_E_DEST_SIZE,        /* destination smaller than the image */
    MOD_E_DEST_ALIGN,       /* destination or run address not aligned to `align` */
    MOD_E_COUNT             /* number of values above (table sizes); not a result */
};

/* What a rejection was about: the two values its message shows (meaning per error). 64 bits
 * wide: a sum of 32-bit header fields is shown as it is, not cut to 32 bits. */
struct mod_diag {
    enum mod_err err;
    uint64_t expected;
    uint64_t got;
};

/* A validated module: a copy of its header and where its parts are in the file. */
struct mod_info {
    struct fluid_mod_header hdr;
    char name[FLUID_MOD_NAME_LEN];      /* NUL-terminated copy of hdr.name */
    char cflags[FLUID_MOD_CFLAGS_LEN];  /* NUL-terminated copy of hdr.cflags */
    const uint8_t *body;                /* code, then data, in the file */
    const uint8_t *relocs;              /* reloc_count little-endian u32 offsets */
    uint32_t image_size;                /* code + data + bss: bytes mod_place needs */
};

/* Checks every field of file[0..size) in the documented order; CPU features against
 * cpu_features (FLUID_FEAT_*). Fills *info on MOD_OK; on failure fills *diag (may be NULL)
 * and returns the error. Never reads outside file[0..size). */
enum mod_err mod_check(const void *file, size_t size, uint32_t cpu_features,
                       struct mod_info *info, struct mod_diag *diag);

/* Places a checked module at dest (dest_size bytes), for code that will run at run_addr
 * (equal to dest in the kernel and host runner; different in host tests). Copies code and
 * data, zeroes bss, adds run_addr to every relocated u32. Returns MOD_E_DEST_* (and fills
 * *diag) if the memory is too small or misaligned, else MOD_OK. */
enum mod_err mod_place(const struct mod_info *info, void *dest, size_t dest_size,
                       uint32_t run_addr, struct mod_diag *diag);

/* The entry point's address once placed at run_addr. */
uint32_t mod_entry_addr(const struct mod_info *info, uint32_t run_addr);

/* Writes "module <label>: <reason>" into buf (always NUL-terminated when cap > 0), e.g.
 * "module sha256: bad CRC (expected 0x1234abcd, got 0x0badf00d)". Returns the length the
 * full text would have had. */
size_t mod_format_error(const char *label, const struct mod_diag *diag, char *buf, size_t cap);

/* Short stable name of an error ("bad_crc", ...); "unknown module error" outside the enum. */
const char *mod_strerror(enum mod_err err);

/* CRC-32/ISO-HDLC (the zlib/PNG CRC, polynomial 0xEDB88320 reflected) of data[0..n). */
uint32_t mod_crc32(const void *data, size_t n);

#endif
