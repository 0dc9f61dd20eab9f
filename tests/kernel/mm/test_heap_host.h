/* Host harness for the kernel heap (kernel/mm/heap*.c, whose malloc, free, ... the host build
 * names heap_malloc, heap_free, ...: tests/lib/heap_host.h): one region from mmap stands in
 * for the E820 RAM the kernel would hand over. The region is mapped once per process and
 * reused by every heap_host_reset(), which starts an empty heap on it. */
#ifndef FLUID_TESTS_TEST_HEAP_HOST_H
#define FLUID_TESTS_TEST_HEAP_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The sweep mode of the stress binaries: `--seeds FIRST COUNT` and `--steps N` after the
 * program name. Sets *first, *count and *steps (left as they are when not given); false, with
 * the usage line on stderr, for anything else. */
static inline bool heap_host_sweep_args(int argc, char **argv, uint32_t *first,
                                        unsigned *count, unsigned *steps)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 2 < argc) {
            *first = (uint32_t)strtoul(argv[i + 1], NULL, 0);
            *count = (unsigned)strtoul(argv[i + 2], NULL, 0);
            i += 2;
        } else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
            *steps = (unsigned)strtoul(argv[++i], NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--seeds FIRST COUNT] [--steps N]\n", argv[0]);
            return false;
        }
    }
    return true;
}

#endif
