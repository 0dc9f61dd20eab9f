/* Host harness for the kernel heap (kernel/mm/heap*.c, whose malloc, free, ... the host build
 * names heap_malloc, heap_free, ...: tests/lib/heap_host.h): one region from mmap stands in
 * for the E820 RAM the kernel would hand over. The region is mapped once per process and
 * reused by every heap_host_reset(), which starts an empty heap on it. */
#ifndef FLUID_TESTS_TEST_HEAP_HOST_H
#define FLUID_TESTS_TEST_HEAP_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tests/lib/heap_host.h"
#include "tests/lib/check.h"

/* CHECK/REQUIRE with printf arguments after the message (check.h's own forms put the
 * condition text last, after the caller's arguments). */
#define CHECKF(cond, fmt, ...)                                                      \
    do {                                                                            \
        if (!(cond)) CHECK_FAIL_("check failed: %s: " fmt, #cond, __VA_ARGS__);     \
    } while (0)
#define REQUIREF(cond, fmt, ...)                                                    \
    do {                                                                            \
        if (!(cond)) {                                                              \
            CHECK_FAIL_("required: %s: " fmt, #cond, __VA_ARGS__);                  \
            return;                                                                 \
        }                                                                           \
    } while (0)

#define HEAP_HOST_REGION_BYTES ((size_t)96 << 20)

static unsigned char *heap_host_region;

/* Empty heap over the first `bytes` of the region (at most HEAP_HOST_REGION_BYTES). */
static inline void heap_host_reset(uint32_t seed, size_t bytes, bool guard)
{
    if (!heap_host_region) {
        void *p = mmap(NULL, HEAP_HOST_REGION_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("heap_host: mmap");
            exit(2);
        }
        heap_host_region = p;
    }
    heap_init(seed);
    heap_set_guard_mode(guard);
    if (heap_add_region((uintptr_t)heap_host_region, bytes) != HEAP_OK) {
        fprintf(stderr, "heap_host: heap_add_region failed\n");
        exit(2);
    }
}

#endif
