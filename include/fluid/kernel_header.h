/* The header at offset 0 of every kernel image. Stage2 reads it from disk before anything
 * else and refuses to jump unless every field checks out: magic, version, size within the
 * boot area, load address, entry inside the image, supported architecture, room in RAM, and
 * the CRC-32. The CRC covers the header too (all of it but crc32 itself): a field that is in
 * range but wrong (an entry point off by a few bytes, the other architecture) would pass the
 * range checks and hang or reset the machine at the jump. tools/mkkernel.py fills image_size,
 * entry, bss_size, build_id and, last, crc32 after linking. Defined only here; stage2 and the
 * tools take their offsets from the generated asm-offsets.inc. */
#ifndef FLUID_KERNEL_HEADER_H
#define FLUID_KERNEL_HEADER_H

#include "types.h"

#define KERNEL_HEADER_MAGIC     0x44554C46u   /* "FLUD" */
#define KERNEL_HEADER_VERSION   2             /* 2: the CRC covers the header as well */

/* kernel_header.arch: what mode stage2 must enter before the jump. */
#define KERNEL_ARCH_I686        1   /* 32-bit protected mode, paging off */
#define KERNEL_ARCH_X86_64      2   /* long mode, identity-mapped (needs CPUID LM) */

struct kernel_header {
    uint32_t magic;             /* KERNEL_HEADER_MAGIC */
    uint16_t version;           /* KERNEL_HEADER_VERSION */
    uint16_t header_size;       /* sizeof(struct kernel_header) */
    uint32_t image_size;        /* bytes of the whole image, header included */
    uint32_t load_addr;         /* physical address the image must be copied to */
    uint32_t entry;             /* physical address of the entry point */
    uint32_t arch;              /* KERNEL_ARCH_* */
    uint32_t crc32;             /* CRC-32/ISO-HDLC of bytes [0, image_size) but these four */
    uint32_t bss_size;          /* bytes the kernel zeroes after the image (informative) */
    uint8_t  build_id[32];      /* NUL-padded git revision, for the profile */
} __attribute__((packed));

_Static_assert(sizeof(struct kernel_header) == 64, "kernel_header is 64 bytes");

#endif
