/* bench_heap: one allocator, one workload on one thread, timed with the host wall clock
 * (clock_gettime(CLOCK_MONOTONIC)). Built once per allocator (mk/heap.mk) with
 * -DBENCH_ALLOC_<name>; each binary calls its allocator's own entry points (heap_malloc,
 * __libc_malloc, mi_malloc, mallocx, tc_malloc; tools/bench_heap/bench_alloc.h) so no build
 * can silently measure another allocator, prints that allocator's version and whether the
 * allocator owns a block the binary got from it. tools/bench_heap/run.py runs them all;
 * the threaded workloads are in bench_threads.c.
 *   bench_<alloc> WORKLOAD [--iters N] [--repeats R] [--guard]
 * Workloads (the same random sequence for every allocator):
 *   random-mixed  slots of random size 16..1024 B, each step frees or allocates one slot at
 *                 random (as bench_random_mixed does); ops = steps
 *   large         the same with sizes 1 KiB..256 KiB and 1/8 of the steps a realloc
 * One untimed warm-up run, then R timed runs; the best is reported. After the last run, the
 * resident set size against the bytes still live gives the memory overhead. Output: one JSON
 * line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench_heap/bench_alloc.h"

#if defined(BENCH_ALLOC_fluid)
#define FLUID_REGION ((size_t)512 << 20)  /* one chunk: HEAP_CHUNK_MAX */
#endif

#define WS_SMALL    8192        /* slots of the random-mixed workload */
#define WS_LARGE    1024        /* slots of the large workload */
#define MAX_SLOTS   8192

struct workload {
    const char *name;
    unsigned slots;
    size_t min_size, span;      /* sizes min_size .. min_size + span - 1 */
    unsigned realloc_shift;     /* 1 step in 2^shift is a realloc of a live slot; 0: none */
    uint64_t default_iters;
};

static const struct workload workloads[] = {
    {"random-mixed", WS_SMALL, 16, 1009, 0, 40000000},
    {"large", WS_LARGE, 1024, 255 * 1024, 3, 2000000},
};

static void *slot_ptr[MAX_SLOTS];
static size_t slot_size[MAX_SLOTS];
static volatile unsigned char sink;

static void die(const char *what)
{
    fprintf(stderr, "bench_heap(%s): %s\n", BENCH_NAME, what);
    exit(1);
}

/* One run of w: iters steps, slots left live at the end. */
static void run(const struct workload *w, uint64_t iters, uint64_t seed)
{
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t r = xorshift64(&seed);
        unsigned idx = (unsigned)(r % w->slots);
        size_t size = w->min_size + (size_t)((r >> 32) % w->span);
        unsigned char *p = slot_ptr[idx];
        if (p && w->realloc_shift && ((r >> 20) & ((1u << w->realloc_shift) - 1)) == 0) {
            p = A_REALLOC(p, size);
        } else if (p) {
            sink ^= p[0];
            A_FREE(p);
            slot_ptr[idx] = NULL;
            continue;
        } else {
            p = A_MALLOC(size);
        }
        if (!p)
            die("allocation failed");
        p[0] = (unsigned char)i;
        p[size - 1] = (unsigned char)i;
        slot_ptr[idx] = p;
        slot_size[idx] = size;
    }
}

static void free_all(const struct workload *w)
{
    for (unsigned i = 0; i < w->slots; i++) {
        if (slot_ptr[i])
            A_FREE(slot_ptr[i]);    /* jemalloc's dallocx does not accept NULL */
        slot_ptr[i] = NULL;
    }
}

static size_t live_bytes(const struct workload *w)
{
    size_t sum = 0;
    for (unsigned i = 0; i < w->slots; i++)
        if (slot_ptr[i])
            sum += slot_size[i];
    return sum;
}

static size_t rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2)
        die("cannot read /proc/self/statm");
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void fluid_setup(int guard)
{
#ifdef BENCH_ALLOC_fluid
    void *region = mmap(NULL, FLUID_REGION, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED)
        die("mmap of the heap region failed");
    heap_init(0x5EED);
    heap_set_guard_mode(guard != 0);
    if (heap_add_region((uintptr_t)region, FLUID_REGION) != HEAP_OK)
        die("heap_add_region failed");
#else
    (void)guard;
#endif
}

/* Fluid's own view of fragmentation: 1 - largest free block / free bytes. */
static void fluid_report(void)
{
#ifdef BENCH_ALLOC_fluid
    struct heap_stats s;
    heap_get_stats(&s);
    printf(", \"heap_free_blocks\": %zu, \"heap_fragmentation\": %.4f, \"heap_slab_bytes\": %zu"
           ", \"heap_check_problems\": %u",
           s.free_blocks, s.free_bytes ? 1.0 - (double)s.largest_free_bytes / (double)s.free_bytes : 0.0,
           s.slab_bytes, heap_check());
#endif
}

int main(int argc, char **argv)
{
    const struct workload *w = NULL;
    uint64_t iters = 0;
    int repeats = 3, guard = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--guard"))
            guard = 1;
        else
            for (size_t k = 0; k < sizeof(workloads) / sizeof(workloads[0]); k++)
                if (!strcmp(argv[i], workloads[k].name))
                    w = &workloads[k];
    }
    if (!w || repeats < 1)
        die("usage: bench_<alloc> random-mixed|large [--iters N] [--repeats R] [--guard]");
    if (!iters)
        iters = w->default_iters;
    fluid_setup(guard);
    bool owns = alloc_check();
    size_t rss0 = rss_bytes();
    run(w, iters / 4, 1);                   /* warm-up, not timed */
    free_all(w);
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = now_s();
        run(w, iters, 0x9E3779B97F4A7C15ull);
        double t = now_s() - t0;
        if (t < best)
            best = t;
        if (r + 1 < repeats)
            free_all(w);
    }
    size_t live = live_bytes(w), rss = rss_bytes();
    printf("{\"allocator\": \"%s%s\", \"version\": \"%s\", \"workload\": \"%s\", "
           "\"iters\": %llu, \"best_seconds\": %.6f, \"ops_per_s\": %.0f, \"clock\": "
           "\"CLOCK_MONOTONIC\", \"live_bytes\": %zu, \"rss_growth_bytes\": %zu, "
           "\"alloc_check\": %s",
           BENCH_NAME, guard ? "+guard" : "", alloc_version(), w->name,
           (unsigned long long)iters, best, (double)iters / best, live,
           rss > rss0 ? rss - rss0 : 0, owns ? "true" : "false");
    fluid_report();
    printf("}\n");
    free_all(w);
    return 0;
}
