/* The .mod benchmark-module format and the module entry ABI, defined only here
 * (docs/module-format.md). tools/fluid/modfmt.py reads and writes the same layout (its numbers
 * come from here, through boot/asm-offsets.c); tools/mkmod.py builds .mod files from linked
 * ELF; kernel/bench/module_loader.c validates and places them.
 *
 * File:   [struct fluid_mod_header][code][data][relocations: reloc_count x u32]
 * Memory: [code][data][bss], placed anywhere aligned to `align`; every relocation names the
 *         image offset of a u32 to which the load address is added (R_386_32 from the link).
 * All integers are little-endian. The body CRC covers every byte after the header. */
#ifndef FLUID_MODULE_H
#define FLUID_MODULE_H

#include "types.h"

#define FLUID_MOD_MAGIC             0x444F4D46u  /* "FMOD" */
#define FLUID_MOD_FORMAT_VERSION    1
#define FLUID_MOD_NAME_LEN          24           /* NUL-padded, [a-z0-9_], at least 1 char */
#define FLUID_MOD_CFLAGS_LEN        48           /* NUL-padded short form of the flags */
#define FLUID_MOD_ALIGN_MIN         4
#define FLUID_MOD_ALIGN_MAX         4096
#define FLUID_MOD_MAX_IMAGE         (4u << 20)   /* code + data + bss, bytes */
#define FLUID_MOD_MAX_RELOCS        65536

/* fluid_mod_header.tier: the optimisation level the module was compiled at. */
#define FLUID_TIER_O0       0
#define FLUID_TIER_O1       1
#define FLUID_TIER_O2       2
#define FLUID_TIER_O3       3
#define FLUID_TIER_OS       4
#define FLUID_TIER_OZ       5
#define FLUID_TIER_COUNT    6

/* fluid_mod_header.build_flags */
#define FLUID_BUILD_SSE2_CODEGEN    (1u << 0)   /* compiled with -msse2 -mfpmath=sse */
#define FLUID_BUILD_PGO_GENERATE    (1u << 1)   /* -fprofile-instr-generate */
#define FLUID_BUILD_PGO_USE         (1u << 2)   /* -fprofile-instr-use */
#define FLUID_BUILD_TEST_ONLY       (1u << 3)   /* a deliberately bad module for the tests */
#define FLUID_BUILD_KNOWN           0x0Fu

/* CPU features a module may require (fluid_mod_header.required_features) and the kernel
 * reports in fluid_module_ctx.cpu_features. Fluid's own numbering, not raw CPUID bits; the
 * kernel maps CPUID leaf 1 / leaf 7 bits to these (Intel SDM vol. 2A, CPUID). */
#define FLUID_FEAT_FPU      (1u << 0)
#define FLUID_FEAT_TSC      (1u << 1)
#define FLUID_FEAT_CMOV     (1u << 2)
#define FLUID_FEAT_MMX      (1u << 3)
#define FLUID_FEAT_SSE      (1u << 4)
#define FLUID_FEAT_SSE2     (1u << 5)
#define FLUID_FEAT_SSE3     (1u << 6)
#define FLUID_FEAT_SSSE3    (1u << 7)
#define FLUID_FEAT_SSE41    (1u << 8)
#define FLUID_FEAT_SSE42    (1u << 9)
#define FLUID_FEAT_AVX      (1u << 10)
#define FLUID_FEAT_AVX2     (1u << 11)
#define FLUID_FEAT_KNOWN    0x0FFFu

struct fluid_mod_header {
    uint32_t magic;             /* FLUID_MOD_MAGIC */
    uint16_t format_version;    /* FLUID_MOD_FORMAT_VERSION */
    uint16_t header_size;       /* sizeof(struct fluid_mod_header) */
    char     name[FLUID_MOD_NAME_LEN];
    uint32_t module_version;    /* the workload's own version (FLUID_MODULE_VERSION) */
    uint32_t entry;             /* image offset of fluid_main; inside code */
    uint32_t code_size;         /* bytes of text + rodata, first in the image */
    uint32_t data_size;         /* bytes of initialised writable data, after code */
    uint32_t bss_size;          /* bytes zeroed by the loader after data; not in the file */
    uint32_t reloc_count;       /* u32 image offsets after the data in the file */
    uint32_t align;             /* load address alignment, power of two */
    uint32_t required_features; /* FLUID_FEAT_* the code executes */
    uint8_t  tier;              /* FLUID_TIER_* */
    uint8_t  build_flags;       /* FLUID_BUILD_* */
    uint16_t reserved0;         /* 0 */
    uint32_t cflags_hash;       /* CRC-32 of the complete compiler flag string */
    char     cflags[FLUID_MOD_CFLAGS_LEN];  /* its short form, e.g. "-O2 -march=pentium2" */
    uint32_t body_crc32;        /* CRC-32/ISO-HDLC of bytes [header_size, file size) */
    uint32_t header_crc32;      /* CRC-32/ISO-HDLC of header bytes [0, 124) */
} __attribute__((packed));

_Static_assert(sizeof(struct fluid_mod_header) == 128, "fluid_mod_header is 128 bytes");
#define FLUID_MOD_HEADER_CRC_SPAN   124         /* bytes covered by header_crc32 */

/* Entry ABI: the kernel calls uint32_t fluid_main(const struct fluid_module_ctx *) with the
 * cdecl convention (i386 System V), interrupts as the kernel left them, direction flag clear.
 * The 32-bit result is compared with the registry's expected value, never trusted alone. */
#define FLUID_MODULE_ABI_VERSION    1

struct fluid_module_ctx {
    uint32_t abi_version;       /* FLUID_MODULE_ABI_VERSION */
    uint32_t size;              /* sizeof(struct fluid_module_ctx) */
    uint32_t call_index;        /* 0 for the first (warm-up) call, then 1, 2, ... */
    uint32_t cpu_features;      /* FLUID_FEAT_* present on this CPU */
};

typedef uint32_t (*fluid_module_entry_fn)(const struct fluid_module_ctx *ctx);

#endif
