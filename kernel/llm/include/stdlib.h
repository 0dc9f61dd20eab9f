/* <stdlib.h> for the inference engine's hosted compile in the x86-64 kernel (mk/kernel64.mk):
 * clang's <xmmintrin.h> includes <mm_malloc.h>, which includes <stdlib.h> whenever
 * __STDC_HOSTED__ is 1. Only the allocation functions are declared; the kernel heap
 * (kernel/mm/heap.c, kernel/mm/heap.h) defines them. Nothing else of ISO C's <stdlib.h> exists in
 * the kernel, so nothing else is declared: a use fails to compile rather than to link. */
#ifndef FLUID_KERNEL_LLM_STDLIB_H
#define FLUID_KERNEL_LLM_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t align, size_t size);

#endif
