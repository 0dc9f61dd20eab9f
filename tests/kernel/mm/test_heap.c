/* Host unit tests of the kernel heap (kernel/mm/heap*.c, called as heap_malloc, ...): size
 * classes, alignment, coalescing, whole pages, realloc/calloc semantics, out of memory,
 * statistics, and every corruption the heap promises to catch. A corruption test runs in a
 * forked child, which must die in panic() (SIGABRT from tests/lib/kernel_stubs.c) with the
 * expected diagnostic, naming the block and the caller. */
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/check.h"
#include "tests/lib/kernel_stubs.h"
#include "tests/kernel/mm/test_heap_host.h"
#include "kernel/mm/heap_impl.h"     /* heap_g: the heap_check tests corrupt counters */

#define MIB ((size_t)1 << 20)

static size_t live_blocks(void)
{
    struct heap_stats s;
    heap_get_stats(&s);
    return s.live_blocks;
}

TEST(small_sizes_round_trip)
{
    heap_host_reset(1, 8 * MIB, false);
    static unsigned char *p[2200];
    for (size_t n = 0; n < 2200; n++) {
        p[n] = heap_malloc(n);
        REQUIREF(p[n] != NULL, "size %zu", n);
        CHECKF((uintptr_t)p[n] % HEAP_ALIGN == 0, "size %zu", n);
        CHECKF(heap_usable_size(p[n]) >= n, "size %zu", n);
        for (size_t i = 0; i < n; i++)
            p[n][i] = (unsigned char)(n + i);
    }
    CHECK_EQ_U64(live_blocks(), 2200);
    CHECK_EQ_U64(heap_check(), 0);
    for (size_t n = 0; n < 2200; n++) {
        for (size_t i = 0; i < n; i++)
            if (p[n][i] != (unsigned char)(n + i)) {
                CHECKF(0, "size %zu byte %zu changed", n, i);
                break;
            }
        heap_free(p[n]);
    }
    struct heap_stats s;
    heap_get_stats(&s);
    CHECK_EQ_U64(s.live_blocks, 0);
    CHECK_EQ_U64(s.in_use_bytes, 0);
    CHECK_EQ_U64(heap_check(), 0);
}

TEST(aligned_alloc_honours_alignment)
{
    heap_host_reset(2, 32 * MIB, true);
    for (size_t align = 1; align <= 1 * MIB; align <<= 1)
        for (size_t n = 1; n < 100000; n = n * 7 + 3) {
            void *p = heap_aligned_alloc(align, n);
            REQUIREF(p != NULL, "align %zu size %zu", align, n);
            CHECKF((uintptr_t)p % align == 0, "align %zu size %zu", align, n);
            heap_free(p);
        }
    CHECK(heap_aligned_alloc(48, 10) == NULL);
    CHECK(heap_aligned_alloc(0, 10) == NULL);
    CHECK_EQ_U64(heap_check(), 0);
}

TEST(large_blocks_are_whole_pages)
{
    heap_host_reset(3, 16 * MIB, false);
    void *p = heap_malloc(HEAP_LARGE_MIN + 1);
    REQUIRE(p != NULL);
    CHECK((uintptr_t)p % HEAP_PAGE_SIZE == 0);
    CHECK(heap_usable_size(p) % HEAP_PAGE_SIZE == 0);
    CHECK(heap_usable_size(p) >= HEAP_LARGE_MIN + 1);
    heap_free(p);
}

/* Freeing everything in a scrambled order must coalesce back into one block. */
TEST(free_coalesces_to_one_block)
{
    heap_host_reset(4, 16 * MIB, false);
    struct heap_stats before, after;
    heap_get_stats(&before);
    enum { N = 500 };
    static void *p[N];
    for (int i = 0; i < N; i++) {
        p[i] = heap_malloc(1200 + (size_t)i * 37);
        REQUIRE(p[i] != NULL);
    }
    for (int i = 0; i < N; i++)
        heap_free(p[(i * 211) % N]);
    heap_get_stats(&after);
    CHECK_EQ_U64(after.free_blocks, 1);
    CHECK_EQ_U64(after.free_bytes, before.free_bytes);
    CHECK_EQ_U64(after.largest_free_bytes, before.largest_free_bytes);
    CHECK_EQ_U64(heap_check(), 0);
}

TEST(realloc_semantics)
{
    heap_host_reset(5, 16 * MIB, true);
    size_t sizes[] = {10, 20, 5, 3000, 200000, 2900, 100, 1};
    unsigned char *p = NULL;
    size_t prev = 0;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        p = heap_realloc(p, sizes[k]);      /* the first call acts as malloc */
        REQUIREF(p != NULL, "step %zu", k);
        size_t keep = prev < sizes[k] ? prev : sizes[k];
        for (size_t i = 0; i < keep; i++)
            if (p[i] != (unsigned char)(i * 7)) {
                CHECKF(0, "step %zu byte %zu lost", k, i);
                break;
            }
        for (size_t i = 0; i < sizes[k]; i++)
            p[i] = (unsigned char)(i * 7);
        prev = sizes[k];
        CHECK_EQ_U64(heap_check(), 0);
    }
    CHECK(heap_realloc(p, 0) == NULL);
    CHECK_EQ_U64(live_blocks(), 0);
    CHECK_EQ_U64(heap_check(), 0);
}

TEST(calloc_zeroes_and_checks_overflow)
{
    heap_host_reset(6, 16 * MIB, false);
    unsigned char *p = heap_malloc(4000);
    REQUIRE(p != NULL);
    for (int i = 0; i < 4000; i++)
        p[i] = 0xAA;
    heap_free(p);
    unsigned char *q = heap_calloc(100, 40);
    REQUIRE(q != NULL);
    for (int i = 0; i < 4000; i++)
        if (q[i]) {
            CHECKF(0, "byte %d not zero", i);
            break;
        }
    CHECK(heap_calloc(SIZE_MAX / 2, 3) == NULL);
    heap_free(q);
}

TEST(out_of_memory_returns_null_and_keeps_heap)
{
    heap_host_reset(7, 256 * 1024, true);
    CHECK(heap_malloc(1 * MIB) == NULL);
    CHECK(heap_malloc(SIZE_MAX - 8) == NULL);
    static void *p[4096];
    int n = 0;
    while (n < 4096 && (p[n] = heap_malloc(700)) != NULL)
        n++;
    CHECKF(n > 100 && n < 4096, "%d blocks", n);
    struct heap_stats s;
    heap_get_stats(&s);
    CHECK(s.failed >= 3);
    CHECK_EQ_U64(heap_check(), 0);
    for (int i = 0; i < n; i++)
        heap_free(p[i]);
    CHECK(heap_malloc(100000) != NULL, "memory comes back after the frees");
    CHECK_EQ_U64(heap_check(), 0);
}

/* in_use counts live blocks only; the peak is that of the bytes the CPU holds, its cached
 * slots included (a's refill put 15 more of its class in the cache). */
TEST(stats_track_use_and_peak)
{
    heap_host_reset(8, 16 * MIB, false);
    struct heap_stats s;
    void *a = heap_malloc(100), *b = heap_malloc(5000);
    heap_get_stats(&s);
    CHECK_EQ_U64(s.live_blocks, 2);
    CHECKF(s.in_use_bytes >= 5100 && s.in_use_bytes < 5300, "%zu", s.in_use_bytes);
    unsigned cls = heap_uhdr_of(a)->info >> HEAP_INFO_CLASS_SHIFT & 31;
    CHECK_EQ_U64(heap_class_cached(&heap_g.cpu[0].cls[cls]), 15);
    size_t peak = s.in_use_bytes + 15 * heap_usable_size(a);
    CHECK_EQ_U64(s.peak_held_bytes, peak);
    heap_free(b);
    heap_get_stats(&s);
    CHECK_EQ_U64(s.peak_held_bytes, peak);
    CHECK_EQ_U64(s.live_blocks, 1);
    CHECK_EQ_U64(s.mallocs, 2);
    CHECK_EQ_U64(s.frees, 1);
    CHECK_EQ_U64(s.total_bytes, 16 * MIB);
    CHECK(s.free_bytes + s.slab_bytes <= s.total_bytes);
    heap_free(a);
}

TEST(free_list_links_are_encoded)
{
    heap_host_reset(9, 8 * MIB, false);
    void *a = heap_malloc(40), *b = heap_malloc(40);
    heap_free(a);
    heap_free(b);           /* b's link now points at a */
    CHECK(*(void **)b != a, "link stored in the clear");
    CHECK(*(void **)b != NULL);
}

TEST(add_region_validates)
{
    heap_host_reset(10, 4 * MIB, false);
    CHECK_EQ_U64(heap_add_region((uintptr_t)heap_host_region + MIB, MIB), HEAP_E_REGION_OVERLAP);
    CHECK_EQ_U64(heap_add_region((uintptr_t)heap_host_region + 8 * MIB, 16), HEAP_E_REGION_SMALL);
    CHECK_EQ_U64(heap_add_region((uintptr_t)heap_host_region + 8 * MIB, MIB), HEAP_OK);
    struct heap_stats s;
    heap_get_stats(&s);
    CHECK_EQ_U64(s.total_bytes, 5 * MIB);
    CHECK_EQ_U64(heap_check(), 0);
}

/* Freed small slots wait in a per-class cache: the next request of the class gets the last
 * one freed back (LIFO), and the cache holds a bounded number before slots go to the slab. */
TEST(class_cache_is_lifo_and_bounded)
{
    heap_host_reset(11, 8 * MIB, false);
    enum { N = 200 };
    static void *p[N];
    for (int i = 0; i < N; i++)
        p[i] = heap_malloc(100);
    heap_free(p[7]);
    heap_free(p[3]);
    CHECK(heap_malloc(100) == p[3]);
    CHECK(heap_malloc(97) == p[7]);
    for (int i = 0; i < N; i++)
        heap_free(p[i]);
    CHECK_EQ_U64(heap_check(), 0);
    CHECK_EQ_U64(live_blocks(), 0);
    for (int i = 0; i < N; i++)         /* all come back: from the cache, then the slabs */
        p[i] = heap_malloc(100);
    CHECK_EQ_U64(heap_check(), 0);
    CHECK_EQ_U64(live_blocks(), N);
}

/* Out of memory first returns cached slots to their slabs, so empty slabs become free TLSF
 * memory again. The first slots freed (one per slab) sit in the cache and pin every slab. */
TEST(out_of_memory_flushes_class_caches)
{
    heap_host_reset(12, 512 * 1024, false);
    enum { N = 20000 };
    static char *p[N];
    int n = 0;
    while (n < N && (p[n] = heap_malloc(64)) != NULL)
        n++;
    REQUIREF(n > 1000 && n < N, "%d blocks", n);
    int per_slab = 1;                   /* slots per slab: the stride breaks at the next slab */
    while (per_slab < n && p[per_slab] - p[per_slab - 1] == p[1] - p[0])
        per_slab++;
    REQUIREF(per_slab > 1 && n / per_slab > 2 && n / per_slab < 32, "%d per slab", per_slab);
    for (int i = 0; i < n; i += per_slab)
        heap_free(p[i]);                /* into the cache, which is not full yet */
    for (int i = 0; i < n; i++)
        if (i % per_slab)
            heap_free(p[i]);
    CHECK_EQ_U64(heap_check(), 0);
    void *big = heap_malloc(350 * 1024);
    CHECK(big != NULL, "cached slots still pin their slabs");
    CHECK_EQ_U64(heap_check(), 0);
    heap_free(big);
}

/* heap_check recounts the class caches: a wrong count or a cached slot marked live is found,
 * and a class key that changed. */
TEST(check_finds_cache_miscount)
{
    heap_host_reset(13, 4 * MIB, false);
    void *a = heap_malloc(30), *b = heap_malloc(30);
    heap_free(a);
    heap_free(b);
    unsigned cls = heap_uhdr_of(a)->info >> HEAP_INFO_CLASS_SHIFT & 31;
    uint32_t n = heap_class_cached(&heap_g.cpu[0].cls[cls]);   /* a, b and the refill's rest */
    REQUIRE(n == HEAP_CACHE_BATCH);
    CHECK_EQ_U64(heap_check(), 0);
    heap_g.cpu[0].cls[cls].room = HEAP_CACHE_MAX - (n + 1);
    CHECK(heap_check() > 0, "cache count one too high");
    heap_g.cpu[0].cls[cls].room = HEAP_CACHE_MAX - (n - 1);
    CHECK(heap_check() > 0, "cache count one too low");
    heap_g.cpu[0].cls[cls].room = HEAP_CACHE_MAX - n;
    CHECK_EQ_U64(heap_check(), 0);
    /* the fixed field the fast paths read instead of the class table */
    heap_g.cpu[0].cls[cls].key ^= 1u << HEAP_INFO_CPU_SHIFT;
    CHECK(heap_check() > 0, "class key changed");
    heap_g.cpu[0].cls[cls].key ^= 1u << HEAP_INFO_CPU_SHIFT;
    CHECK_EQ_U64(heap_check(), 0);
}

/* The slab a small block lives in (from the offset in its header). */
static struct heap_slab *slab_of(void *p)
{
    return (struct heap_slab *)((char *)p - (heap_uhdr_of(p)->info & HEAP_INFO_OFFSET));
}

/* Length of an encoded free list (a slab's own or remote list, a class cache). */
static uint32_t list_length(char *p)
{
    uint32_t n = 0;
    for (; p && n <= HEAP_SLAB_SIZE / HEAP_CLASS_UNIT; n++)
        p = heap_link_dec(*(uintptr_t *)p, p);
    return n;
}

/* The head of a slab's remote list (NULL: empty) and the length its remote word states. */
static char *remote_of(const struct heap_slab *s)
{
    return heap_remote_head(s, s->remote);
}

static uint32_t remote_count(const struct heap_slab *s)
{
    return heap_remote_count(s->remote);
}

/* An empty class cache is refilled with a run of HEAP_CACHE_BATCH slots of one slab at once:
 * never-used slots carved in address order, and once slots have gone back to the slab, a
 * run cut off the head of the slab's own free list, the rest left on it. */
TEST(cache_refills_a_batch_from_one_slab)
{
    heap_host_reset(14, 8 * MIB, false);
    char *a = heap_malloc(100);
    struct heap_slab *s = slab_of(a);
    struct heap_class *c = &heap_g.cpu[0].cls[s->cls];
    CHECK_EQ_U64(s->used, HEAP_CACHE_BATCH);
    CHECK_EQ_U64(heap_class_cached(c), HEAP_CACHE_BATCH - 1);
    for (uint32_t i = 1; i < HEAP_CACHE_BATCH; i++)
        CHECKF(heap_malloc(100) == a + i * s->stride, "carved slot %u out of order", i);
    CHECK_EQ_U64(s->used, HEAP_CACHE_BATCH);    /* the slab is not visited for these */
    CHECK_EQ_U64(heap_class_cached(c), 0);
    enum { N = 3 * HEAP_CACHE_BATCH + HEAP_CACHE_MAX };
    static char *p[N];
    for (int i = 0; i < N; i++)
        REQUIRE((p[i] = heap_malloc(100)) != NULL && slab_of(p[i]) == s);
    for (int i = 0; i < N; i++)
        heap_free(p[i]);        /* the first HEAP_CACHE_MAX fill the cache, the rest the slab */
    REQUIRE(heap_class_cached(c) == HEAP_CACHE_MAX);
    uint32_t listed = list_length(s->free);
    REQUIRE(listed == N - HEAP_CACHE_MAX);
    for (uint32_t i = 0; i < HEAP_CACHE_MAX; i++)
        heap_malloc(100);
    REQUIRE(heap_class_cached(c) == 0);
    uint32_t used = s->used;
    CHECK(heap_malloc(100) == p[N - 1], "the refill starts at the slab list's head");
    CHECK_EQ_U64(s->used, used + HEAP_CACHE_BATCH);
    CHECK_EQ_U64(heap_class_cached(c), HEAP_CACHE_BATCH - 1);
    CHECK_EQ_U64(list_length(c->cache), HEAP_CACHE_BATCH - 1);
    CHECK_EQ_U64(list_length(s->free), listed - HEAP_CACHE_BATCH);
    CHECK_EQ_U64(heap_check(), 0);
}

/* Switching guard mode on reaches malloc's fast path (its one compare with fast_below): a
 * small block allocated after the switch is guarded even with an unguarded slot on top of its
 * class cache, and after switching off again blocks are plain. */
TEST(guard_switch_reaches_the_fast_path)
{
    heap_host_reset(15, 4 * MIB, false);
    heap_free(heap_malloc(40));
    heap_set_guard_mode(true);
    char *g = heap_malloc(40);
    CHECK(heap_uhdr_of(g)->info & HEAP_INFO_GUARD, "block made after the switch is not guarded");
    heap_set_guard_mode(false);
    char *p = heap_malloc(40);
    CHECK(!(heap_uhdr_of(p)->info & HEAP_INFO_GUARD), "guard mode still on after switching off");
    heap_free(g);
    heap_free(p);
    CHECK_EQ_U64(heap_check(), 0);
}

/* ---- CPUs: one thread plays several CPUs by switching the index the hook returns -------- */

/* Most tests give the heap heap_tls_cpu_index, whose share the heap binds and its fast paths
 * read, as the kernels' cpu_index; test_cpu_index is a hook of the tests' own, which the heap
 * asks on every call instead. play_cpu switches both. */
static uint32_t test_cpu;

static uint32_t test_cpu_index(void)
{
    return test_cpu;
}

static void play_cpu(uint32_t cpu)
{
    test_cpu = cpu;
    heap_tls_set_cpu(cpu);
}

static size_t slab_bytes(void)
{
    struct heap_stats s;
    heap_get_stats(&s);
    return s.slab_bytes;
}

/* Blocks CPU 0 allocated and CPU 1 freed wait on their slabs' remote lists (heap_check
 * counts them there, the statistics sum to zero across the CPUs); CPU 0 collects them when
 * its slabs run out, so allocating the same number again takes no new slab. */
TEST(remote_frees_return_to_the_owner)
{
    heap_host_reset(40, 8 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    enum { N = 1500 };
    static void *p[N];
    play_cpu(0);
    for (int i = 0; i < N; i++)
        REQUIRE((p[i] = heap_malloc(48)) != NULL);
    size_t slabs = slab_bytes();
    unsigned cls = heap_uhdr_of(p[0])->info >> HEAP_INFO_CLASS_SHIFT & 31;
    play_cpu(1);
    for (int i = 0; i < N; i++)
        heap_free(p[i]);
    CHECK_EQ_U64(heap_class_cached(&heap_g.cpu[1].cls[cls]), 0);
    CHECK(heap_g.cpu[0].remote_classes & (1u << cls), "owner's class bit not set");
    CHECK_EQ_U64(live_blocks(), 0);
    struct heap_stats st;
    heap_get_stats(&st);
    CHECK_EQ_U64(st.in_use_bytes, 0);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
    for (int i = 0; i < N; i++)
        REQUIRE((p[i] = heap_malloc(48)) != NULL);
    CHECK_EQ_U64(slab_bytes(), slabs);
    CHECK_EQ_U64(heap_check(), 0);
    for (int i = 0; i < N; i++)
        heap_free(p[i]);
    CHECK_EQ_U64(heap_check(), 0);
    CHECK_EQ_U64(live_blocks(), 0);
}

/* Another CPU's frees into a slab (pushed as one run when that CPU refills the class) are
 * taken with one exchange and spliced whole onto the slab's own list: the full slab becomes
 * partial with exactly those slots listed (no new slab), its remote list empty, and the
 * refill that collected them starts at the last one pushed. */
TEST(remote_list_is_spliced_whole)
{
    heap_host_reset(43, 8 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    play_cpu(0);
    static char *p[HEAP_SLAB_SIZE / HEAP_CLASS_UNIT];
    p[0] = heap_malloc(500);
    struct heap_slab *s = slab_of(p[0]);
    uint32_t cap = s->capacity;
    enum { FREED = HEAP_CACHE_BATCH + 5 };
    REQUIRE(cap > 2 * FREED);
    for (uint32_t i = 1; i < cap; i++)
        REQUIRE((p[i] = heap_malloc(500)) != NULL && slab_of(p[i]) == s);
    CHECK(!s->listed, "a slab with every slot out is on the full list");
    play_cpu(1);
    for (int i = 0; i < FREED; i++)
        heap_free(p[2 * i]);
    CHECK(s->remote == 0, "fewer than HEAP_RUN_MAX slots wait on CPU 1's run");
    heap_free(heap_malloc(500));    /* CPU 1's refill of the class pushes its run */
    CHECK_EQ_U64(list_length(remote_of(s)), FREED);
    CHECK_EQ_U64(remote_count(s), FREED);
    CHECK_EQ_U64(s->used, cap);
    size_t slabs = slab_bytes();
    play_cpu(0);
    CHECK(heap_malloc(500) == p[2 * (FREED - 1)], "the refill starts at the last remote free");
    CHECK_EQ_U64(slab_bytes(), slabs);
    CHECK(s->remote == 0, "remote list left behind");
    CHECK(s->listed, "the slab is back on the partial list");
    CHECK_EQ_U64(s->used, cap - FREED + HEAP_CACHE_BATCH);
    CHECK_EQ_U64(list_length(s->free), FREED - HEAP_CACHE_BATCH);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
}

/* A refill collects one full slab's remote list at a time and leaves the owner's class bit
 * set for the others, which the next refill takes; no new slab meanwhile. */
TEST(collection_takes_one_slab_at_a_time)
{
    heap_host_reset(44, 8 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    play_cpu(0);
    static char *p[2 * HEAP_SLAB_SIZE / HEAP_CLASS_UNIT];
    p[0] = heap_malloc(500);
    struct heap_slab *a = slab_of(p[0]), *b = NULL;
    uint32_t cap = a->capacity, bit = 1u << a->cls;
    enum { FREED = 10 };
    REQUIRE(cap > 2 * FREED && FREED < HEAP_CACHE_BATCH);
    for (uint32_t i = 1; i < 2 * cap; i++) {
        REQUIRE((p[i] = heap_malloc(500)) != NULL);
        b = slab_of(p[i]);
    }
    REQUIRE(b != a && !a->listed && !b->listed);
    play_cpu(1);
    for (int i = 0; i < FREED; i++) {
        heap_free(p[2 * i]);                /* slots of a */
        heap_free(p[cap + 2 * i]);          /* slots of b */
    }
    size_t slabs = slab_bytes();
    play_cpu(0);
    heap_malloc(500);
    CHECK((a->remote == 0) != (b->remote == 0), "one slab collected, not both");
    CHECK(heap_g.cpu[0].remote_classes & bit, "the class bit is set again for the other");
    for (int i = 1; i < FREED; i++)
        heap_malloc(500);                   /* the rest of the first slab's slots */
    heap_malloc(500);
    CHECK(a->remote == 0 && b->remote == 0, "the second slab was not collected");
    CHECK_EQ_U64(slab_bytes(), slabs);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
}

/* A CPU freeing slots of another CPU's slab gathers them on its run of the class and pushes
 * HEAP_RUN_MAX of them with one compare-and-swap; a slot of another slab pushes the run
 * that was there. heap_check counts the slots on runs as the slab's, and finds a run whose
 * count is wrong. */
TEST(remote_frees_are_pushed_as_runs)
{
    heap_host_reset(45, 8 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    play_cpu(0);
    static char *p[2 * HEAP_SLAB_SIZE / HEAP_CLASS_UNIT];
    p[0] = heap_malloc(200);
    struct heap_slab *a = slab_of(p[0]), *b = NULL;
    uint32_t cap = a->capacity;
    REQUIRE(cap > HEAP_RUN_MAX + 2);
    for (uint32_t i = 1; i < cap + 1; i++)
        REQUIRE((p[i] = heap_malloc(200)) != NULL);
    b = slab_of(p[cap]);
    REQUIRE(b != a);
    struct heap_run *r = &heap_g.cpu[1].run[a->cls];
    play_cpu(1);
    for (uint32_t i = 0; i < HEAP_RUN_MAX - 1; i++)
        heap_free(p[i]);
    CHECK(a->remote == 0, "a slot was pushed before the run was full");
    CHECK(r->slab == a && r->n == HEAP_RUN_MAX - 1 && r->head == p[HEAP_RUN_MAX - 2],
          "the run holds the slots, newest first");
    CHECK_EQ_U64(live_blocks(), cap + 1 - (HEAP_RUN_MAX - 1));
    CHECK_EQ_U64(heap_check(), 0);
    r->n--;
    CHECK(heap_check() > 0, "run count one short");
    r->n++;
    heap_free(p[HEAP_RUN_MAX - 1]);
    CHECK_EQ_U64(list_length(remote_of(a)), HEAP_RUN_MAX);
    CHECK_EQ_U64(remote_count(a), HEAP_RUN_MAX);
    CHECK(remote_of(a) == p[HEAP_RUN_MAX - 1], "the newest slot heads the pushed run");
    a->remote += 1u << HEAP_REMOTE_COUNT_SHIFT;
    CHECK(heap_check() > 0, "remote word's count one too many");
    a->remote -= 1u << HEAP_REMOTE_COUNT_SHIFT;
    CHECK(r->slab == NULL && r->n == 0, "the run is empty after its push");
    CHECK(heap_g.cpu[0].remote_classes & (1u << a->cls), "owner's class bit not set");
    heap_free(p[HEAP_RUN_MAX]);             /* a new run on a */
    heap_free(p[cap]);                      /* b: pushes a's run of one */
    CHECK_EQ_U64(list_length(remote_of(a)), HEAP_RUN_MAX + 1);
    CHECK_EQ_U64(remote_count(a), HEAP_RUN_MAX + 1);
    CHECK(r->slab == b && r->n == 1, "the slot of b starts a new run");
    CHECK_EQ_U64(heap_check(), 0);
    for (uint32_t i = HEAP_RUN_MAX + 1; i < cap; i++)
        heap_free(p[i]);
    CHECK_EQ_U64(live_blocks(), 0);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
}

/* free's fast path compares a slot's guard and CPU bits with its CPU's free_expect, which
 * heap_set_guard_mode changes for every CPU: a slot made with guard mode off and freed with
 * it on takes the slow path and is filled, on its own CPU and on another. heap_check finds a
 * free_expect that disagrees with the mode. NULL (which the fast path's range check sends to
 * the slow path) is still a no-op. */
TEST(guard_switch_reaches_free)
{
    heap_host_reset(16, 4 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    play_cpu(0);
    char *own = heap_malloc(40), *other = heap_malloc(40);
    size_t n = heap_usable_size(own) - sizeof(uintptr_t);
    heap_set_guard_mode(true);
    heap_free(own);
    CHECK_EQ_U64(heap_find_not(own + sizeof(uintptr_t), HEAP_FREE_FILL, n), n);
    play_cpu(1);
    heap_free(other);
    CHECK_EQ_U64(heap_find_not(other + sizeof(uintptr_t), HEAP_FREE_FILL, n), n);
    CHECK_EQ_U64(heap_check(), 0);
    heap_g.cpu[1].free_expect ^= HEAP_INFO_TLSF;
    CHECK(heap_check() > 0, "free_expect left for guard mode off");
    heap_g.cpu[1].free_expect ^= HEAP_INFO_TLSF;
    heap_set_guard_mode(false);
    heap_free(NULL);
    /* A switch that lands between free's load of free_expect and its decision: the value
     * still says guard mode while the mode is off. A slot of the freeing CPU's own slab must
     * not go onto its remote-free run. */
    char *mine = heap_malloc(40);
    heap_g.cpu[1].free_expect = heap_free_expect(heap_g.cpu[1].info_bits, true);
    heap_free(mine);
    heap_g.cpu[1].free_expect = heap_free_expect(heap_g.cpu[1].info_bits, false);
    CHECK(heap_g.cpu[1].run[slab_of(mine)->cls].slab == NULL, "own slot on a remote-free run");
    CHECK_EQ_U64(live_blocks(), 0);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
}

/* free's fast path tells slots from TLSF blocks by the tag alone: a tag computed with size 0
 * (a slot's) never equals one computed with a TLSF block's size, any multiple of 16 below
 * 2^HEAP_FL_MAX, at any address; and guard-off frees of TLSF blocks through it give every
 * byte back. */
TEST(slot_tag_never_matches_a_tlsf_block)
{
    heap_host_reset(44, 16 * MIB, false);
    struct heap_stats before, after;
    heap_get_stats(&before);
    void *blocks[3] = {heap_malloc(HEAP_SMALL_MAX + 1), heap_malloc(40000),
                       heap_malloc(HEAP_LARGE_MIN)};
    uint32_t info = heap_uhdr_of(blocks[0])->info;
    uint64_t seed = 0x7A65;
    unsigned same = 0;
    for (unsigned i = 0; i < 200000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        uint64_t max_size = (uint64_t)1 << (HEAP_FL_MAX - 4);    /* in 16-byte units */
        size_t size = (size_t)(i < 65536 ? i + 1 : seed % max_size + 1) * HEAP_ALIGN;
        const void *at = i % 2 ? blocks[i % 3] : (const void *)(uintptr_t)(seed & ~(uint64_t)15);
        if (heap_tag(at, info, size, HEAP_STATE_ALLOC) == heap_tag(at, info, 0, HEAP_STATE_ALLOC))
            same++;
    }
    CHECK_EQ_U64(same, 0);
    for (unsigned i = 0; i < 3; i++)
        heap_free(blocks[i]);
    heap_get_stats(&after);
    CHECK_EQ_U64(after.free_bytes, before.free_bytes);
    CHECK_EQ_U64(after.free_blocks, before.free_blocks);
    CHECK_EQ_U64(heap_check(), 0);
}

/* The CPU count is checked, and the message names the bad value. */
TEST(cpu_hooks_validate_the_count)
{
    heap_host_reset(41, 4 * MIB, false);
    stub_log_reset();
    CHECK(heap_set_cpu_hooks(test_cpu_index, 0) == HEAP_E_BAD_CPU);
    CHECK(heap_set_cpu_hooks(test_cpu_index, HEAP_MAX_CPUS + 1) == HEAP_E_BAD_CPU);
    CHECK(strstr(stub_log(), "33 CPUs") != NULL, "log: %s", stub_log());
    CHECK(heap_set_cpu_hooks(test_cpu_index, HEAP_MAX_CPUS) == HEAP_OK);
    CHECK(heap_set_cpu_hooks(NULL, 0) == HEAP_OK);
    play_cpu(0);
}

/* With heap_tls_cpu_index as the hook, or without hooks, malloc and free find the thread's
 * share through the thread-local pointer the heap binds on the first call
 * (heap_cpu_bindable()); any other hook is asked on every call and nothing is bound.
 * heap_tls_set_cpu and heap_set_cpu_hooks unbind it. A block CPU 0 allocated and CPU 1 frees
 * goes onto CPU 1's remote-free run, CPU 1's allocation comes from a slab of its own, and
 * each CPU's counters saw its own calls. */
TEST(tls_cpu_share_is_bound_and_read_inline)
{
    heap_host_reset(44, 8 * MIB, false);
    CHECK(heap_cpu_bindable(), "without hooks: CPU 0's share is bound");
    heap_free(heap_malloc(48));
    CHECK(heap_tls_share == &heap_g.cpu[0], "without hooks the first call binds CPU 0's share");
    REQUIRE(heap_set_cpu_hooks(test_cpu_index, 2) == HEAP_OK);
    CHECK(!heap_cpu_bindable(), "a test hook must be asked, not read around");
    CHECK(heap_tls_share == NULL, "heap_set_cpu_hooks unbinds");
    heap_free(heap_malloc(48));
    CHECK(heap_tls_share == NULL, "nothing bound with a test hook");
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    CHECK(heap_cpu_bindable(), "heap_tls_cpu_index's share is read inline");
    heap_tls_set_cpu(0);
    CHECK(heap_tls_share == NULL, "heap_tls_set_cpu unbinds");
    void *a = heap_malloc(48);
    REQUIRE(a != NULL);
    CHECK(heap_tls_share == &heap_g.cpu[0], "the first call binds CPU 0's share");
    unsigned cls = heap_uhdr_of(a)->info >> HEAP_INFO_CLASS_SHIFT & 31;
    CHECK_EQ_U64(heap_uhdr_of(a)->info >> HEAP_INFO_CPU_SHIFT & 31, 0);
    heap_tls_set_cpu(1);
    CHECK(heap_tls_share == NULL, "heap_tls_set_cpu unbinds");
    heap_free(a);
    CHECK(heap_tls_share == &heap_g.cpu[1], "the first call binds CPU 1's share");
    CHECK_EQ_U64(heap_g.cpu[1].run[cls].n, 1);
    CHECK_EQ_U64(heap_class_cached(&heap_g.cpu[1].cls[cls]), 0);
    void *b = heap_malloc(48);
    REQUIRE(b != NULL);
    CHECK_EQ_U64(heap_uhdr_of(b)->info >> HEAP_INFO_CPU_SHIFT & 31, 1);
    CHECK_EQ_U64(heap_g.cpu[0].mallocs, 3);     /* a, one without hooks, one with the test hook */
    CHECK_EQ_U64(heap_g.cpu[1].mallocs, 1);
    CHECK_EQ_U64(heap_g.cpu[1].frees, 1);
    unsigned cached = heap_class_cached(&heap_g.cpu[1].cls[cls]);
    heap_free(b);
    CHECK_EQ_U64(heap_class_cached(&heap_g.cpu[1].cls[cls]), cached + 1);
    CHECK_EQ_U64(heap_check(), 0);
    CHECK_EQ_U64(live_blocks(), 0);
    REQUIRE(heap_set_cpu_hooks(NULL, 0) == HEAP_OK);
    CHECK(heap_cpu_bindable(), "no hooks: CPU 0's share is bound again");
    CHECK(heap_tls_share == NULL, "heap_set_cpu_hooks unbinds");
    heap_tls_set_cpu(0);
}

/* The fast paths count calls only: bytes in use are what the CPU holds (changed by refills,
 * slots going back to their slab, remote frees and TLSF blocks) minus its cached slots. 40
 * blocks of one class take three refills of 16; freeing them fills the cache to 32 and puts
 * 8 back on their slab; a block freed by another CPU leaves that CPU's holding. */
TEST(held_bytes_follow_refills_and_slab_returns)
{
    heap_host_reset(47, 8 * MIB, false);
    REQUIRE(heap_set_cpu_hooks(heap_tls_cpu_index, 2) == HEAP_OK);
    play_cpu(0);
    enum { N = 40 };
    void *p[N];
    for (int i = 0; i < N; i++)
        REQUIRE((p[i] = heap_malloc(48)) != NULL);
    size_t u = heap_usable_size(p[0]);
    unsigned cls = heap_uhdr_of(p[0])->info >> HEAP_INFO_CLASS_SHIFT & 31;
    struct heap_cpu *c0 = &heap_g.cpu[0];
    CHECK_EQ_U64(c0->held, 48 * u);
    CHECK_EQ_U64(c0->peak, 48 * u);
    CHECK_EQ_U64(heap_class_cached(&c0->cls[cls]), 8);
    struct heap_stats s;
    heap_get_stats(&s);
    CHECK_EQ_U64(s.in_use_bytes, N * u);
    for (int i = 1; i < N; i++)
        heap_free(p[i]);
    CHECK_EQ_U64(heap_class_cached(&c0->cls[cls]), HEAP_CACHE_MAX);
    CHECK_EQ_U64(c0->held, (1 + HEAP_CACHE_MAX) * u);
    play_cpu(1);
    heap_free(p[0]);
    CHECK_EQ_U64(heap_g.cpu[1].held, -(int64_t)u);
    CHECK_EQ_U64(heap_g.cpu[1].peak, 0);
    heap_get_stats(&s);
    CHECK_EQ_U64(s.in_use_bytes, 0);
    CHECK_EQ_U64(s.peak_held_bytes, 48 * u);
    CHECK_EQ_U64(s.mallocs, N);
    CHECK_EQ_U64(s.frees, N);
    CHECK_EQ_U64(heap_check(), 0);
    play_cpu(0);
}

/* ---- corruption must be caught: each scenario runs in a child that must panic ---------- */

#define DEATH_OUTPUT_MAX 4096

/* Runs fn in a child; returns true if it died of SIGABRT with `needle` in its stderr. */
static bool dies_with(void (*fn)(void), const char *needle, char *out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, DEATH_OUTPUT_MAX - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(out, needle) &&
           strstr(out, "caller 0x") && strstr(out, "panic: heap:");
}

#define DEATH(name, needle)                                                 \
    TEST(detects_##name)                                                    \
    {                                                                       \
        static char out[DEATH_OUTPUT_MAX];                                  \
        CHECKF(dies_with(scenario_##name, needle, out), "output: %s", out);  \
    }

static void scenario_double_free_small(void)
{
    heap_host_reset(20, 4 * MIB, false);
    void *p = heap_malloc(32);
    heap_free(p);
    heap_free(p);
}
DEATH(double_free_small, "heap: double free")

static void scenario_double_free_medium(void)
{
    heap_host_reset(21, 4 * MIB, true);
    void *p = heap_malloc(5000);
    heap_free(p);
    heap_free(p);
}
DEATH(double_free_medium, "heap: double free")

static void scenario_double_free_by_realloc(void)
{
    heap_host_reset(22, 4 * MIB, false);
    void *p = heap_malloc(300000);
    heap_free(p);
    heap_realloc(p, 10);
}
DEATH(double_free_by_realloc, "heap: double free")

static void scenario_double_free_merged_guard(void)
{
    heap_host_reset(33, 4 * MIB, true);
    void *a = heap_malloc(3000), *b = heap_malloc(3000);
    heap_malloc(3000);
    heap_free(a);
    heap_free(b);           /* merges into a */
    heap_free(b);
}
DEATH(double_free_merged_guard, "heap: double free")

static void scenario_free_stack_pointer(void)
{
    heap_host_reset(23, 4 * MIB, false);
    long x[4] = {0};
    heap_free(x);
}
DEATH(free_stack_pointer, "pointer not from this heap")

static void scenario_free_interior_pointer(void)
{
    heap_host_reset(24, 4 * MIB, false);
    char *p = heap_malloc(200);
    for (int i = 0; i < 200; i++)
        p[i] = 0x11;
    heap_free(p + 32);
}
DEATH(free_interior_pointer, "not a pointer malloc returned")

static void scenario_free_misaligned(void)
{
    heap_host_reset(25, 4 * MIB, false);
    char *p = heap_malloc(200);
    heap_free(p + 1);
}
DEATH(free_misaligned, "pointer not from this heap")

static void scenario_header_underflow(void)
{
    heap_host_reset(26, 4 * MIB, false);
    char *p = heap_malloc(64);
    p[-1] ^= 1;
    heap_free(p);
}
DEATH(header_underflow, "block header corrupt")

static void scenario_overflow_small_guard(void)
{
    heap_host_reset(27, 4 * MIB, true);
    char *p = heap_malloc(24);
    p[24] = 0;
    heap_free(p);
}
DEATH(overflow_small_guard, "write past the end of a block")

static void scenario_overflow_medium_guard(void)
{
    heap_host_reset(28, 4 * MIB, true);
    char *p = heap_malloc(3001);
    p[3001] = 'x';
    heap_free(p);
}
DEATH(overflow_medium_guard, "write past the end of a block")

static void scenario_use_after_free_small(void)
{
    heap_host_reset(29, 4 * MIB, true);
    char *p = heap_malloc(64);
    heap_free(p);
    p[20] = 1;
    heap_malloc(64);
}
DEATH(use_after_free_small, "write to freed memory")

static void scenario_use_after_free_medium(void)
{
    heap_host_reset(30, 4 * MIB, true);
    heap_malloc(5000);
    char *p = heap_malloc(5000);
    heap_malloc(5000);
    heap_free(p);
    p[100] = 1;
    heap_malloc(4000);      /* TLSF's good fit: a smaller request finds the freed block */
}
DEATH(use_after_free_medium, "write to freed memory")

static void scenario_free_link_overwritten(void)
{
    heap_host_reset(31, 4 * MIB, false);
    void *p = heap_malloc(64);
    heap_malloc(64);
    heap_free(p);
    *(uintptr_t *)p = 0x1234;
    heap_malloc(64);
    heap_malloc(64);
}
DEATH(free_link_overwritten, "free list corrupt")

static void scenario_overflow_into_next_header(void)
{
    heap_host_reset(32, 4 * MIB, false);
    char *a = heap_malloc(3000);
    heap_malloc(3000);
    size_t n = heap_usable_size(a) + sizeof(void *);
    for (size_t i = 0; i < n; i++)
        a[i] = 0x41;
    heap_free(a);
}
DEATH(overflow_into_next_header, "neighbouring block header corrupt")

static void scenario_double_free_cached(void)
{
    heap_host_reset(34, 4 * MIB, false);
    void *a = heap_malloc(200), *b = heap_malloc(200);
    heap_free(a);
    heap_free(b);
    heap_free(a);           /* a is in the class cache, under b */
}
DEATH(double_free_cached, "heap: double free")

/* The cache holds HEAP_CACHE_MAX slots at most; a slot freed past that goes to its slab. */
static void scenario_double_free_cache_full(void)
{
    heap_host_reset(35, 4 * MIB, false);
    static void *p[100];
    for (int i = 0; i < 100; i++)
        p[i] = heap_malloc(48);
    for (int i = 0; i < 100; i++)
        heap_free(p[i]);
    heap_free(p[99]);
}
DEATH(double_free_cache_full, "heap: double free")

/* A cache link rewritten (without the key) decodes to garbage: p itself is handed out, and
 * the garbage it left as the cache's head is caught at the next pop, before it is read. */
static void scenario_cache_link_overwritten(void)
{
    heap_host_reset(36, 4 * MIB, false);
    char *p = heap_malloc(500);
    heap_free(p);
    *(uintptr_t *)p ^= 0x10000008u;
    heap_malloc(500);       /* p */
    heap_malloc(500);
}
DEATH(cache_link_overwritten, "class cache link overwritten")

/* A forged link that decodes to a live block passes the range check; that block's ALLOC tag
 * fails the FREE check when the cache gets to it. The forgery uses the fact that the first
 * slot freed into an empty cache stores an encoded NULL, i.e. the mask itself. */
static void scenario_cache_link_forged_to_live_block(void)
{
    heap_host_reset(37, 4 * MIB, false);
    char *victim = heap_malloc(300), *a = heap_malloc(300);
    heap_free(a);
    *(uintptr_t *)a = heap_link_enc(victim, a);     /* a link forged with the key */
    heap_malloc(300);       /* a, whose link now names the victim */
    heap_malloc(300);
}
DEATH(cache_link_forged_to_live_block, "free slot header overwritten")

/* A cached slot rewritten as a free slot of another class, with a FREE tag that matches its
 * new info (what a forger who knows the key writes), is a valid FREE slot, but not of this
 * class: malloc's fast path compares its tag with the class key and sends it to the full
 * check. */
static void scenario_cached_slot_of_another_class(void)
{
    heap_host_reset(44, 4 * MIB, false);
    char *a = heap_malloc(40);
    heap_free(a);
    struct heap_uhdr *h = heap_uhdr_of(a);
    h->info += 1u << HEAP_INFO_CLASS_SHIFT;
    h->tag = heap_tag(a, h->info, 0, HEAP_STATE_FREE);
    heap_malloc(40);
}
DEATH(cached_slot_of_another_class, "free slot header overwritten")

static void scenario_slab_link_overwritten(void)
{
    heap_host_reset(38, 4 * MIB, false);
    static char *p[100];
    for (int i = 0; i < 100; i++)
        p[i] = heap_malloc(64);
    for (int i = 0; i < 100; i++)
        heap_free(p[i]);    /* the cache fills up; the rest go to the slab's own list */
    *(uintptr_t *)p[99] = 0x1234;
    for (int i = 0; i < 100; i++)
        heap_malloc(64);
}
DEATH(slab_link_overwritten, "free slot's encoded link overwritten")

static void scenario_use_after_free_cached_guard(void)
{
    heap_host_reset(39, 4 * MIB, true);
    char *p = heap_malloc(700);
    heap_free(p);
    p[699] = 1;
    heap_malloc(700);
}
DEATH(use_after_free_cached_guard, "write to freed memory")

static void scenario_double_free_remote(void)
{
    heap_host_reset(42, 4 * MIB, false);
    heap_set_cpu_hooks(heap_tls_cpu_index, 2);
    play_cpu(0);
    void *p = heap_malloc(32);
    play_cpu(1);
    heap_free(p);
    play_cpu(0);
    heap_free(p);
}
DEATH(double_free_remote, "heap: double free")

/* The count in a slab's remote word is what the owner subtracts from `used` without walking
 * the list: one larger than the slots the slab has out is caught when it is collected. */
static void scenario_remote_count_overwritten(void)
{
    heap_host_reset(47, 4 * MIB, false);
    heap_set_cpu_hooks(heap_tls_cpu_index, 2);
    play_cpu(0);
    static char *p[HEAP_SLAB_SIZE / HEAP_CLASS_UNIT];
    p[0] = heap_malloc(500);
    struct heap_slab *s = slab_of(p[0]);
    for (uint32_t i = 1; i < s->capacity; i++)
        p[i] = heap_malloc(500);
    play_cpu(1);
    for (uint32_t i = 0; i < HEAP_RUN_MAX; i++)
        heap_free(p[i]);                    /* one run, pushed when it is full */
    s->remote += (s->used - HEAP_RUN_MAX + 1) << HEAP_REMOTE_COUNT_SHIFT;
    play_cpu(0);
    heap_malloc(500);                       /* the refill collects s */
}
DEATH(remote_count_overwritten, "remote free list count overwritten")

/* `used` drops by counts nobody walks (a remote word's at a collection): one overwritten
 * upwards, within the slots the slab has out, would bring it to 0 while slots are still out.
 * Here `used` is lowered by 5 directly, the same effect: when the other slots come back the
 * slab is not given back to TLSF with 5 live slots in it, the walk of its list at the release
 * finds them missing. The class cache is kept full with another slab's slots, so every free
 * of this slab's goes to the slab, and that other slab keeps this one from being the class's
 * last. */
static void scenario_slab_used_understated(void)
{
    heap_host_reset(48, 4 * MIB, false);
    static char *p[HEAP_SLAB_SIZE / HEAP_CLASS_UNIT], *q[HEAP_CACHE_MAX + HEAP_CACHE_BATCH];
    p[0] = heap_malloc(500);
    struct heap_slab *s = slab_of(p[0]);
    uint32_t cap = s->capacity;
    for (uint32_t i = 1; i < cap; i++)
        p[i] = heap_malloc(500);
    for (uint32_t i = 0; i < HEAP_CACHE_MAX + HEAP_CACHE_BATCH; i++)
        q[i] = heap_malloc(500);            /* from a second slab */
    for (uint32_t i = 0; i < HEAP_CACHE_MAX + HEAP_CACHE_BATCH; i++)
        heap_free(q[i]);                    /* the cache full of its slots */
    s->used -= 5;
    for (uint32_t i = 5; i < cap; i++)
        heap_free(p[i]);
}
DEATH(slab_used_understated, "empty slab's free list short of its slots")

/* A slot waiting on another CPU's remote-free run carries the FREE tag: freed again (by
 * either CPU) it is a double free. */
static void scenario_double_free_on_run(void)
{
    heap_host_reset(46, 4 * MIB, false);
    heap_set_cpu_hooks(heap_tls_cpu_index, 2);
    play_cpu(0);
    char *a = heap_malloc(64), *b = heap_malloc(64);
    play_cpu(1);
    heap_free(a);
    heap_free(b);
    heap_free(a);
}
DEATH(double_free_on_run, "heap: double free")

static void scenario_cpu_index_out_of_range(void)
{
    heap_host_reset(43, 4 * MIB, false);
    heap_set_cpu_hooks(test_cpu_index, 2);
    play_cpu(2);
    heap_malloc(32);
}
DEATH(cpu_index_out_of_range, "CPU index out of range")

/* An index out of range (heap_tls_set_cpu) is reported when the first call, in malloc or in
 * free, asks the hook to bind the thread's share. */
static void scenario_tls_cpu_index_out_of_range(void)
{
    heap_host_reset(45, 4 * MIB, false);
    heap_set_cpu_hooks(heap_tls_cpu_index, 2);
    heap_tls_set_cpu(2);
    heap_malloc(32);
}
DEATH(tls_cpu_index_out_of_range, "cpu_index() returned 2, CPU count is 2")

static void scenario_tls_cpu_index_out_of_range_free(void)
{
    heap_host_reset(46, 4 * MIB, false);
    heap_set_cpu_hooks(heap_tls_cpu_index, 2);
    void *p = heap_malloc(32);
    heap_tls_set_cpu(7);
    heap_free(p);
}
DEATH(tls_cpu_index_out_of_range_free, "cpu_index() returned 7, CPU count is 2")

int main(void)
{
    check_suite = "test_heap";
    RUN(small_sizes_round_trip);
    RUN(aligned_alloc_honours_alignment);
    RUN(large_blocks_are_whole_pages);
    RUN(free_coalesces_to_one_block);
    RUN(realloc_semantics);
    RUN(calloc_zeroes_and_checks_overflow);
    RUN(out_of_memory_returns_null_and_keeps_heap);
    RUN(stats_track_use_and_peak);
    RUN(free_list_links_are_encoded);
    RUN(add_region_validates);
    RUN(class_cache_is_lifo_and_bounded);
    RUN(out_of_memory_flushes_class_caches);
    RUN(check_finds_cache_miscount);
    RUN(cache_refills_a_batch_from_one_slab);
    RUN(guard_switch_reaches_the_fast_path);
    RUN(guard_switch_reaches_free);
    RUN(remote_frees_return_to_the_owner);
    RUN(remote_list_is_spliced_whole);
    RUN(collection_takes_one_slab_at_a_time);
    RUN(remote_frees_are_pushed_as_runs);
    RUN(slot_tag_never_matches_a_tlsf_block);
    RUN(cpu_hooks_validate_the_count);
    RUN(tls_cpu_share_is_bound_and_read_inline);
    RUN(held_bytes_follow_refills_and_slab_returns);
    RUN(detects_double_free_small);
    RUN(detects_double_free_medium);
    RUN(detects_double_free_by_realloc);
    RUN(detects_double_free_merged_guard);
    RUN(detects_free_stack_pointer);
    RUN(detects_free_interior_pointer);
    RUN(detects_free_misaligned);
    RUN(detects_header_underflow);
    RUN(detects_overflow_small_guard);
    RUN(detects_overflow_medium_guard);
    RUN(detects_use_after_free_small);
    RUN(detects_use_after_free_medium);
    RUN(detects_free_link_overwritten);
    RUN(detects_overflow_into_next_header);
    RUN(detects_double_free_cached);
    RUN(detects_double_free_cache_full);
    RUN(detects_cache_link_overwritten);
    RUN(detects_cached_slot_of_another_class);
    RUN(detects_cache_link_forged_to_live_block);
    RUN(detects_slab_link_overwritten);
    RUN(detects_use_after_free_cached_guard);
    RUN(detects_double_free_remote);
    RUN(detects_remote_count_overwritten);
    RUN(detects_slab_used_understated);
    RUN(detects_double_free_on_run);
    RUN(detects_cpu_index_out_of_range);
    RUN(detects_tls_cpu_index_out_of_range);
    RUN(detects_tls_cpu_index_out_of_range_free);
    return check_summary();
}
