/* The allocator a bench_heap binary measures, chosen at build time with -DBENCH_ALLOC_<name>
 * (mk/heap.mk builds one binary per allocator). Each calls its allocator's own entry points
 * (heap_malloc, __libc_malloc, mi_malloc, mallocx, tc_malloc), never plain malloc, so no
 * build can silently measure another allocator; alloc_version() names the version and
 * alloc_check() asks the allocator itself whether a block the binary got through A_MALLOC is
 * its own (a benchmark prints the answer, and tools/bench_heap/run.py refuses a "no").
 * Note: libmimalloc, libjemalloc and libtcmalloc_minimal also define __libc_malloc, so only a
 * binary linked with none of them measures glibc through it; the glibc check (glibc's own
 * mallinfo2 grows) catches the other case. */
#ifndef FLUID_TOOLS_BENCH_ALLOC_H
#define FLUID_TOOLS_BENCH_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#if defined(BENCH_ALLOC_fluid)
#include "tests/lib/heap_host.h"
#define BENCH_NAME "fluid"
#define A_MALLOC(n) heap_malloc(n)
#define A_FREE(p) heap_free(p)
#define A_REALLOC(p, n) heap_realloc(p, n)
static const char *alloc_version(void) { return "kernel/mm/heap.c (header checks on)"; }
/* heap_usable_size checks the block's keyed header tag: it panics on a foreign pointer. */
static bool alloc_owns(void *p) { return heap_usable_size(p) > 0; }
#elif defined(BENCH_ALLOC_glibc)
#include <gnu/libc-version.h>
#include <malloc.h>             /* mallinfo2 */
void *__libc_malloc(size_t);
void __libc_free(void *);
void *__libc_realloc(void *, size_t);
#define BENCH_NAME "glibc"
#define A_MALLOC(n) __libc_malloc(n)
#define A_FREE(p) __libc_free(p)
#define A_REALLOC(p, n) __libc_realloc(p, n)
static const char *alloc_version(void) { return gnu_get_libc_version(); }
/* glibc's own arena statistics grew by the block (mallinfo2 is glibc's; 64 KiB is below its
 * mmap threshold, so the block comes from the arena). */
static size_t alloc_before;
static void alloc_snapshot(void) { alloc_before = mallinfo2().uordblks; }
static bool alloc_owns(void *p)
{
    (void)p;
    return mallinfo2().uordblks >= alloc_before + 64 * 1024;
}
#define ALLOC_SNAPSHOT 1
#elif defined(BENCH_ALLOC_mimalloc)
#include <mimalloc.h>
#define BENCH_NAME "mimalloc"
#define A_MALLOC(n) mi_malloc(n)
#define A_FREE(p) mi_free(p)
#define A_REALLOC(p, n) mi_realloc(p, n)
static const char *alloc_version(void)
{
    static char v[32];
    snprintf(v, sizeof(v), "%d", mi_version());
    return v;
}
static bool alloc_owns(void *p) { return mi_is_in_heap_region(p); }
#elif defined(BENCH_ALLOC_jemalloc)
#include <jemalloc/jemalloc.h>
#define BENCH_NAME "jemalloc"
#define A_MALLOC(n) mallocx(n, 0)
#define A_FREE(p) dallocx(p, 0)
#define A_REALLOC(p, n) rallocx(p, n, 0)
static const char *alloc_version(void) { return JEMALLOC_VERSION; }
/* jemalloc's per-thread count of bytes it allocated went up by at least the block. */
static uint64_t alloc_before;
static void alloc_snapshot(void)
{
    size_t len = sizeof(alloc_before);
    if (mallctl("thread.allocated", &alloc_before, &len, NULL, 0) != 0)
        alloc_before = UINT64_MAX;
}
static bool alloc_owns(void *p)
{
    (void)p;
    uint64_t after = 0;
    size_t len = sizeof(after);
    return mallctl("thread.allocated", &after, &len, NULL, 0) == 0 &&
           alloc_before != UINT64_MAX && after >= alloc_before + 64 * 1024;
}
#define ALLOC_SNAPSHOT 1
#elif defined(BENCH_ALLOC_tcmalloc)
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#define BENCH_NAME "tcmalloc"
#define A_MALLOC(n) tc_malloc(n)
#define A_FREE(p) tc_free(p)
#define A_REALLOC(p, n) tc_realloc(p, n)
static const char *alloc_version(void) { return tc_version(NULL, NULL, NULL); }
static bool alloc_owns(void *p)
{
    return MallocExtension_GetOwnership(p) == MallocExtension_kOwned;
}
#else
#error "build with -DBENCH_ALLOC_<fluid|glibc|mimalloc|jemalloc|tcmalloc>"
#endif

#ifndef ALLOC_SNAPSHOT
static void alloc_snapshot(void) {}
#endif

/* Allocates a 64 KiB block through A_MALLOC and asks the allocator whether it is its own. */
static inline bool alloc_check(void)
{
    alloc_snapshot();
    void *p = A_MALLOC(64 * 1024);
    bool ok = p && alloc_owns(p);
    if (p)
        A_FREE(p);
    return ok;
}

/* The workloads' shared pieces: Marsaglia's xorshift64 (sizes and choices, the same sequence
 * for every allocator) and the wall clock the benchmarks time with. */
static inline uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
