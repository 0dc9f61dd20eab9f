/* heap_selftest: a randomized heap workload checked after every step against a shadow model.
 * Runs inside the booted kernel (`test=heap`) and, built for the host with the heap (calls to
 * malloc there go to heap_malloc, see mk/heap.mk), as the host stress test
 * (tests/kernel/mm/test_heap_stress.c) under ASan/UBSan. The model lives in static
 * arrays (no allocation of its own): per slot the pointer, size and pattern seed, plus the
 * live blocks sorted by address to prove that no two overlap.
 * Workload: sizes 1 B .. 1 MiB skewed to small, malloc/calloc/aligned_alloc, realloc, free
 * in random order. Checked: alignment, usable size, no overlap, contents preserved (sampled
 * for big blocks), calloc zeroing, heap_check() and the statistics every CHECK_EVERY steps. */
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"

#define SLOTS           256
#define CHECK_EVERY     1024u
#define MAX_REPORTS     10
#define SAMPLE_HEAD     256     /* bytes always checked at each end of a block */
#define SAMPLE_STRIDE   61      /* then every 61st byte (prime: varied alignment) */
#define TOGGLE_EVERY    512u

struct slot {
    unsigned char *p;
    size_t size;
    uint32_t seed;
};

struct run {
    uint32_t rng, seed;
    unsigned step, failures, live, oom;
    struct slot slots[SLOTS];
    uint16_t order[SLOTS];          /* live slot indices sorted by address */
};

static struct run st;

static uint32_t rnd(void)          /* xorshift32 (Marsaglia 2003) */
{
    uint32_t x = st.rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return st.rng = x;
}

static void fail(const char *what, const void *p, size_t value)
{
    if (st.failures++ < MAX_REPORTS)
        kprintf("heap: selftest seed %u step %u: %s (block %p, value %zu)\n",
                st.seed, st.step, what, p, value);
}

/* 60 % up to 128 B, 25 % up to 2 KiB, 10 % up to 64 KiB, 4 % up to 256 KiB, 1 % up to 1 MiB. */
static size_t random_size(void)
{
    uint32_t r = rnd() % 100;
    size_t top = r < 60 ? 128 : r < 85 ? 2048 : r < 95 ? 65536 : r < 99 ? 262144 : 1048576;
    return 1 + rnd() % top;
}

static unsigned char pattern(uint32_t seed, size_t i)
{
    return (unsigned char)((seed >> (i & 7)) ^ (i * 131u) ^ (i >> 9));
}

/* Next sampled offset after i in a block of n bytes. */
static size_t next_sample(size_t i, size_t n)
{
    if (i + 1 < SAMPLE_HEAD || n < 2 * SAMPLE_HEAD || i + 1 >= n - SAMPLE_HEAD)
        return i + 1;
    size_t j = i + SAMPLE_STRIDE;
    return j < n - SAMPLE_HEAD ? j : n - SAMPLE_HEAD;
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->size; i = next_sample(i, s->size))
        s->p[i] = pattern(s->seed, i);
}

/* Checks the first `upto` bytes of the samples of s (its current size). */
static void verify(const struct slot *s, size_t upto, const char *what)
{
    for (size_t i = 0; i < upto; i = next_sample(i, s->size))
        if (s->p[i] != pattern(s->seed, i)) {
            fail(what, s->p, i);
            return;
        }
}

static unsigned find_pos(const unsigned char *p)    /* first order[] entry with address >= p */
{
    unsigned lo = 0, hi = st.live;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (st.slots[st.order[mid]].p < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t extent(const struct slot *s)
{
    return s->size ? s->size : 1;
}

/* Enters a new block into the address order; reports overlap with either neighbour. */
static void order_insert(unsigned idx)
{
    const struct slot *s = &st.slots[idx];
    unsigned pos = find_pos(s->p);
    if (pos > 0) {
        const struct slot *a = &st.slots[st.order[pos - 1]];
        if (a->p + extent(a) > s->p)
            fail("overlaps the block below", s->p, (size_t)(uintptr_t)a->p);
    }
    if (pos < st.live) {
        const struct slot *b = &st.slots[st.order[pos]];
        if (s->p + extent(s) > b->p)
            fail("overlaps the block above", s->p, (size_t)(uintptr_t)b->p);
    }
    for (unsigned k = st.live; k > pos; k--)
        st.order[k] = st.order[k - 1];
    st.order[pos] = (uint16_t)idx;
    st.live++;
}

static void order_remove(unsigned idx)
{
    unsigned pos = find_pos(st.slots[idx].p);
    while (pos < st.live && st.order[pos] != idx)
        pos++;
    if (pos == st.live) {
        fail("model lost a block", st.slots[idx].p, idx);
        return;
    }
    for (unsigned k = pos; k + 1 < st.live; k++)
        st.order[k] = st.order[k + 1];
    st.live--;
}

/* A fresh block from the heap: alignment, usable size, overlap, then the pattern. */
static void adopt(unsigned idx, void *p, size_t size, size_t align, bool zeroed)
{
    struct slot *s = &st.slots[idx];
    s->p = p;
    s->size = size;
    s->seed = rnd();
    if ((uintptr_t)p % (align < HEAP_ALIGN ? HEAP_ALIGN : align))
        fail("misaligned", p, align);
    if (heap_usable_size(p) < size)
        fail("usable size below the request", p, heap_usable_size(p));
    for (size_t i = 0; zeroed && i < size; i = next_sample(i, size))
        if (s->p[i]) {
            fail("calloc memory not zero", p, i);
            break;
        }
    order_insert(idx);
    fill(s);
}

static void do_alloc(unsigned idx)
{
    size_t size = random_size(), align = HEAP_ALIGN;
    uint32_t kind = rnd() % 100;
    void *p;
    if (kind < 65) {
        p = malloc(size);
    } else if (kind < 75) {
        size_t count = 1 + rnd() % 8, each = 1 + size / count;
        size = count * each;
        p = calloc(count, each);
    } else {
        align = (size_t)1 << (3 + rnd() % 10 + (rnd() % 16 == 0 ? 4 : 0));
        p = aligned_alloc(align, size);
    }
    if (!p) {
        st.oom++;
        if (size <= 4096)
            fail("small allocation failed", NULL, size);
        return;
    }
    adopt(idx, p, size, align, kind >= 65 && kind < 75);
}

static void do_free(unsigned idx)
{
    struct slot *s = &st.slots[idx];
    verify(s, s->size, "contents changed before free");
    order_remove(idx);
    free(s->p);
    s->p = NULL;
}

static void do_realloc(unsigned idx)
{
    struct slot *s = &st.slots[idx];
    size_t size = random_size();
    verify(s, s->size, "contents changed before realloc");
    order_remove(idx);
    unsigned char *q = realloc(s->p, size);
    if (!q) {
        st.oom++;
        order_insert(idx);          /* the old block must be intact */
        verify(s, s->size, "failed realloc changed the block");
        return;
    }
    size_t keep = size < s->size ? size : s->size;
    struct slot moved = *s;
    moved.p = q;
    verify(&moved, keep, "realloc lost contents");
    s->p = q;
    s->size = size;
    if ((uintptr_t)q % HEAP_ALIGN)
        fail("realloc result misaligned", q, 0);
    order_insert(idx);
    fill(s);
}

static void check_all(size_t base_live)
{
    for (unsigned k = 0; k < st.live; k++) {
        const struct slot *s = &st.slots[st.order[k]];
        verify(s, s->size, "contents changed");
    }
    unsigned problems = heap_check();
    if (problems)
        fail("heap_check found problems", NULL, problems);
    struct heap_stats hs;
    heap_get_stats(&hs);
    if (hs.live_blocks != base_live + st.live)
        fail("live block count", NULL, hs.live_blocks);
}

static void step(void)
{
    unsigned idx = rnd() % SLOTS;
    if (!st.slots[idx].p)
        do_alloc(idx);
    else if (rnd() % 100 < 60)
        do_free(idx);
    else
        do_realloc(idx);
}

unsigned heap_selftest(uint32_t seed, unsigned steps, unsigned flags)
{
    struct heap_stats before;
    heap_get_stats(&before);
    st.rng = (seed * 2654435761u) | 1;  /* never 0: xorshift's fixed point */
    st.seed = seed;
    st.failures = st.live = st.oom = 0;
    for (unsigned i = 0; i < SLOTS; i++)
        st.slots[i].p = NULL;
    for (st.step = 0; st.step < steps && st.failures < MAX_REPORTS; st.step++) {
        if ((flags & HEAP_SELFTEST_TOGGLE_GUARD) && st.step % TOGGLE_EVERY == 0)
            heap_set_guard_mode(rnd() & 1);
        step();
        if (st.step % CHECK_EVERY == CHECK_EVERY - 1)
            check_all(before.live_blocks);
    }
    check_all(before.live_blocks);
    while (st.live)
        do_free(st.order[st.live - 1]);
    heap_set_guard_mode(before.guard_mode);
    struct heap_stats after;
    heap_get_stats(&after);
    if (after.live_blocks != before.live_blocks || after.in_use_bytes != before.in_use_bytes)
        fail("blocks left behind", NULL, after.live_blocks);
    if (heap_check())
        fail("heap_check after the run", NULL, 0);
    return st.failures;
}
