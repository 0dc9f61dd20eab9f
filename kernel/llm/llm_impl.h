/* Internal helpers shared by the kernel/llm .c files: the engine's libc is <string.h> here
 * and <math.h> (llm_math.h), from libs/llvmlibc in the kernel and from the C library on
 * Linux; formatting is kernel/core/format.h. Also the on-disk field loads. Not part of the
 * public interface (llm.h). */
#ifndef FLUID_LLM_IMPL_H
#define FLUID_LLM_IMPL_H

#include <string.h>

#include "kernel/lib/bytes.h"
#include "kernel/llm/llm.h"

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

/* Index of the first NaN or infinity among v[0..n), or -1 when all are finite. A float is not
 * finite exactly when its exponent bits are all ones (IEEE 754-2008 §3.4); the first pass
 * tests the bits without branching, so it vectorizes (an isfinite() loop with an early exit
 * does not), and only a bad vector pays for the second pass that finds the index. */
#define LLM_F32_EXP_MASK    0x7f800000u

static inline int32_t llm_first_nonfinite(const float *v, int32_t n)
{
    uint32_t bad = 0;
    for (int32_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        bad |= (bits & LLM_F32_EXP_MASK) == LLM_F32_EXP_MASK;
    }
    for (int32_t i = 0; bad && i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        if ((bits & LLM_F32_EXP_MASK) == LLM_F32_EXP_MASK)
            return i;
    }
    return -1;
}

#endif
