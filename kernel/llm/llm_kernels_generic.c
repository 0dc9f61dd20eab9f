/* Kernel choice on architectures without SIMD kernels here: the scalar ones. The Makefile
 * builds this file instead of llm_kernels_x86.c for non-x86-64 targets. */
#include "kernel/llm/llm_impl.h"

const struct llm_kernels *llm_kernels_best(void)
{
    return &llm_kernels_scalar;
}

const struct llm_kernels *llm_kernels_nth(int i)
{
    return i == 0 ? &llm_kernels_scalar : NULL;
}
