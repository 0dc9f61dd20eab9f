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

#endif
