/* Host names of the kernel heap's allocation functions. The host builds of kernel/mm/heap*.c
 * (mk/heap.mk) are compiled with `-include tests/lib/heap_host_names.h`, so the functions
 * heap.h and heap.c spell malloc, free, ... are defined as heap_malloc, heap_free, ... and a
 * test or benchmark binary holds them beside the C library's own malloc. Kernel builds never
 * see this file. Function-like macros: only calls and declarations are renamed, not struct
 * members of the same name (struct heap_slab's `free`). Test code gets the renamed
 * declarations from tests/lib/heap_host.h. */
#ifndef FLUID_TESTS_HEAP_HOST_NAMES_H
#define FLUID_TESTS_HEAP_HOST_NAMES_H

#define malloc(size)                heap_malloc(size)
#define free(ptr)                   heap_free(ptr)
#define calloc(count, size)         heap_calloc(count, size)
#define realloc(ptr, size)          heap_realloc(ptr, size)
#define aligned_alloc(align, size)  heap_aligned_alloc(align, size)

#endif
