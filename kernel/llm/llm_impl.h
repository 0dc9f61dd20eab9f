/* Internal helpers shared by the kernel/llm .c files: string and memory primitives written
 * here so the engine needs no libc beyond <math.h> (llm_math.h), and little-endian loads
 * for on-disk fields. Not part of the public interface (llm.h). */
#ifndef FLUID_LLM_IMPL_H
#define FLUID_LLM_IMPL_H

#include "kernel/lib/bytes.h"
#include "kernel/llm/llm.h"

size_t llm_strlen(const char *s);
int llm_strcmp(const char *a, const char *b);
void llm_memcpy(void *dst, const void *src, size_t n);
void llm_memset(void *dst, int c, size_t n);
/* Copies at most cap - 1 bytes and NUL-terminates; returns false if src did not fit. */
bool llm_strlcpy(char *dst, const char *src, size_t cap);

/* Little-endian on-disk int32 and float32 fields (unaligned-safe; ld32 is kernel/lib/bytes.h). */
static inline int32_t llm_ld32s(const uint8_t *p)
{
    return (int32_t)ld32(p);
}

static inline float llm_ldf32(const uint8_t *p)
{
    union { uint32_t u; float f; } v = { .u = ld32(p) };
    return v.f;
}

/* True for a finite float (not NaN, not +-inf): exponent bits not all ones. */
static inline bool llm_isfinite(float f)
{
    union { float f; uint32_t u; } v = { .f = f };
    return (v.u & 0x7f800000u) != 0x7f800000u;
}

static inline float llm_fabsf(float f)
{
    union { float f; uint32_t u; } v = { .f = f };
    v.u &= 0x7fffffffu;
    return v.f;
}

#endif
