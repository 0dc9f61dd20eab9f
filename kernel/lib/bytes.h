/* Little-endian integers in byte buffers (on-disk and on-wire fields: MBR, FAT16, .mod
 * files, llama2.c model and tokenizer files, ACPI and MP tables). Byte by byte, so any alignment is safe; clang
 * turns each into a single load or store on x86. Header-only, pure, for every build. */
#ifndef FLUID_KERNEL_LIB_BYTES_H
#define FLUID_KERNEL_LIB_BYTES_H

#include <fluid/types.h>

static inline uint16_t ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static inline void st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif
