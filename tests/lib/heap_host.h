/* The kernel heap's interface for host test code: kernel/mm/heap.h with the allocation
 * functions under their host names (heap_malloc, heap_free, ...; tests/lib/heap_host_names.h),
 * while malloc, free, ... stay the C library's. Include it before anything else that
 * includes kernel/mm/heap.h. */
#ifndef FLUID_TESTS_HEAP_HOST_H
#define FLUID_TESTS_HEAP_HOST_H

#ifdef FLUID_KERNEL_HEAP_H
#error "tests/lib/heap_host.h must come before kernel/mm/heap.h"
#endif

#include "tests/lib/heap_host_names.h"
#include "kernel/mm/heap.h"

#undef malloc
#undef free
#undef calloc
#undef realloc
#undef aligned_alloc

#endif
