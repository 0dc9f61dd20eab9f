/* heap_selftest: a randomized heap workload checked after every step against a shadow model.
 * Runs inside the booted kernel (`test=heap`) and, built for the host with the heap (calls to
 * malloc there go to heap_malloc, see mk/heap.mk), as the host stress test
 * (tests/kernel/mm/test_heap_stress.c) under ASan/UBSan. The model lives in static
 * arrays (no allocation of its own): per slot the pointer, size and pattern seed, plus the
 * live blocks sorted by address to prove that no two overlap.
 * Workload: sizes 1 B .. 1 MiB skewed to small, malloc/calloc/aligned_alloc, realloc, free
 * in random order. Checked: alignment, usable size, no overlap, contents preserved (sampled
 * for big blocks), calloc zeroing, heap_check() and the statistics every CHECK_EVERY steps. */
#include "kernel/mm/heap_impl.h"
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
    uint32_t rng, seed, cpu;
    unsigned step, failures, live, oom;
    struct slot slots[SLOTS];
    uint16_t order[SLOTS];          /* live slot indices sorted by address */
};

static struct run runs[HEAP_SELFTEST_MAX_CPUS];   /* one model per CPU */

static uint32_t rnd(struct run *st)          /* xorshift32 (Marsaglia 2003) */
{
    uint32_t x = st->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return st->rng = x;
}

static void fail(struct run *st, const char *what, const void *p, size_t value)
{
    if (st->failures++ < MAX_REPORTS)
        kprintf("heap: selftest cpu %u seed %u step %u: %s (block %p, value %zu)\n",
                st->cpu, st->seed, st->step, what, p, value);
}

/* 60 % up to 128 B, 25 % up to 2 KiB, 10 % up to 64 KiB, 4 % up to 256 KiB, 1 % up to 1 MiB. */
static size_t random_size(struct run *st)
{
    uint32_t r = rnd(st) % 100;
    size_t top = r < 60 ? 128 : r < 85 ? 2048 : r < 95 ? 65536 : r < 99 ? 262144 : 1048576;
    return 1 + rnd(st) % top;
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
static void verify(struct run *st, const struct slot *s, size_t upto, const char *what)
{
    for (size_t i = 0; i < upto; i = next_sample(i, s->size))
        if (s->p[i] != pattern(s->seed, i)) {
            fail(st, what, s->p, i);
            return;
        }
}

static unsigned find_pos(const struct run *st, const unsigned char *p)    /* first order[] entry with address >= p */
{
    unsigned lo = 0, hi = st->live;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (st->slots[st->order[mid]].p < p)
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
static void order_insert(struct run *st, unsigned idx)
{
    const struct slot *s = &st->slots[idx];
    unsigned pos = find_pos(st, s->p);
    if (pos > 0) {
        const struct slot *a = &st->slots[st->order[pos - 1]];
        if (a->p + extent(a) > s->p)
            fail(st, "overlaps the block below", s->p, (size_t)(uintptr_t)a->p);
    }
    if (pos < st->live) {
        const struct slot *b = &st->slots[st->order[pos]];
        if (s->p + extent(s) > b->p)
            fail(st, "overlaps the block above", s->p, (size_t)(uintptr_t)b->p);
    }
    for (unsigned k = st->live; k > pos; k--)
        st->order[k] = st->order[k - 1];
    st->order[pos] = (uint16_t)idx;
    st->live++;
}

static void order_remove(struct run *st, unsigned idx)
{
    unsigned pos = find_pos(st, st->slots[idx].p);
    while (pos < st->live && st->order[pos] != idx)
        pos++;
    if (pos == st->live) {
        fail(st, "model lost a block", st->slots[idx].p, idx);
        return;
    }
    for (unsigned k = pos; k + 1 < st->live; k++)
        st->order[k] = st->order[k + 1];
    st->live--;
}

/* A fresh block from the heap: alignment, usable size, overlap, then the pattern. */
static void adopt(struct run *st, unsigned idx, void *p, size_t size, size_t align, bool zeroed)
{
    struct slot *s = &st->slots[idx];
    s->p = p;
    s->size = size;
    s->seed = rnd(st);
    if ((uintptr_t)p % (align < HEAP_ALIGN ? HEAP_ALIGN : align))
        fail(st, "misaligned", p, align);
    if (heap_usable_size(p) < size)
        fail(st, "usable size below the request", p, heap_usable_size(p));
    for (size_t i = 0; zeroed && i < size; i = next_sample(i, size))
        if (s->p[i]) {
            fail(st, "calloc memory not zero", p, i);
            break;
        }
    order_insert(st, idx);
    fill(s);
}

static void do_alloc(struct run *st, unsigned idx)
{
    size_t size = random_size(st), align = HEAP_ALIGN;
    uint32_t kind = rnd(st) % 100;
    void *p;
    if (kind < 65) {
        p = malloc(size);
    } else if (kind < 75) {
        size_t count = 1 + rnd(st) % 8, each = 1 + size / count;
        size = count * each;
        p = calloc(count, each);
    } else {
        align = (size_t)1 << (3 + rnd(st) % 10 + (rnd(st) % 16 == 0 ? 4 : 0));
        p = aligned_alloc(align, size);
    }
    if (!p) {
        st->oom++;
        if (size <= 4096)
            fail(st, "small allocation failed", NULL, size);
        return;
    }
    adopt(st, idx, p, size, align, kind >= 65 && kind < 75);
}

static void do_free(struct run *st, unsigned idx)
{
    struct slot *s = &st->slots[idx];
    verify(st, s, s->size, "contents changed before free");
    order_remove(st, idx);
    free(s->p);
    s->p = NULL;
}

static void do_realloc(struct run *st, unsigned idx)
{
    struct slot *s = &st->slots[idx];
    size_t size = random_size(st);
    verify(st, s, s->size, "contents changed before realloc");
    order_remove(st, idx);
    unsigned char *q = realloc(s->p, size);
    if (!q) {
        st->oom++;
        order_insert(st, idx);          /* the old block must be intact */
        verify(st, s, s->size, "failed realloc changed the block");
        return;
    }
    size_t keep = size < s->size ? size : s->size;
    struct slot moved = *s;
    moved.p = q;
    verify(st, &moved, keep, "realloc lost contents");
    s->p = q;
    s->size = size;
    if ((uintptr_t)q % HEAP_ALIGN)
        fail(st, "realloc result misaligned", q, 0);
    order_insert(st, idx);
    fill(s);
}

static void check_all(struct run *st, size_t base_live)
{
    for (unsigned k = 0; k < st->live; k++) {
        const struct slot *s = &st->slots[st->order[k]];
        verify(st, s, s->size, "contents changed");
    }
    unsigned problems = heap_check();
    if (problems)
        fail(st, "heap_check found problems", NULL, problems);
    struct heap_stats hs;
    heap_get_stats(&hs);
    if (hs.live_blocks != base_live + st->live)
        fail(st, "live block count", NULL, hs.live_blocks);
}

static void step(struct run *st)
{
    unsigned idx = rnd(st) % SLOTS;
    if (!st->slots[idx].p)
        do_alloc(st, idx);
    else if (rnd(st) % 100 < 60)
        do_free(st, idx);
    else
        do_realloc(st, idx);
}

static void run_start(struct run *st, uint32_t seed, uint32_t cpu)
{
    st->rng = ((seed + cpu * 0x3C6EF372u) * 2654435761u) | 1;  /* never 0: xorshift's fixed point */
    st->seed = seed;
    st->cpu = cpu;
    st->failures = st->live = st->oom = 0;
    for (unsigned i = 0; i < SLOTS; i++)
        st->slots[i].p = NULL;
}

unsigned heap_selftest(uint32_t seed, unsigned steps, unsigned flags)
{
    struct run *st = &runs[0];
    struct heap_stats before;
    heap_get_stats(&before);
    run_start(st, seed, 0);
    for (st->step = 0; st->step < steps && st->failures < MAX_REPORTS; st->step++) {
        if ((flags & HEAP_SELFTEST_TOGGLE_GUARD) && st->step % TOGGLE_EVERY == 0)
            heap_set_guard_mode(rnd(st) & 1);
        step(st);
        if (st->step % CHECK_EVERY == CHECK_EVERY - 1)
            check_all(st, before.live_blocks);
    }
    check_all(st, before.live_blocks);
    while (st->live)
        do_free(st, st->order[st->live - 1]);
    heap_set_guard_mode(before.guard_mode);
    struct heap_stats after;
    heap_get_stats(&after);
    if (after.live_blocks != before.live_blocks || after.in_use_bytes != before.in_use_bytes)
        fail(st, "blocks left behind", NULL, after.live_blocks);
    if (heap_check())
        fail(st, "heap_check after the run", NULL, 0);
    return st->failures;
}

/* ---- the threaded self-test ---------------------------------------------------------- */

#define MAILBOX_SLOTS   16      /* blocks waiting for one CPU; a sender finding it full frees */
#define HANDOFF_PERCENT 20      /* of the steps on a live block: hand it to another CPU */
#define FREE_PERCENT    45      /* ... free it here; the rest reallocs it */

/* A block on its way to another CPU, with what the receiver needs to check it. */
struct parcel {
    unsigned char *p;
    size_t size;
    uint32_t seed;
};

/* One CPU's incoming blocks: a small array under a spinlock of its own (the heap's lock is
 * not for this). A CPU-local lock held for a few stores; the heap is never called inside. */
struct mailbox {
    uint32_t lock;
    uint32_t count;
    struct parcel items[MAILBOX_SLOTS];
} __attribute__((aligned(HEAP_CACHE_LINE)));

static struct mailbox mailboxes[HEAP_SELFTEST_MAX_CPUS];
static uint32_t cpus_done;      /* atomic: CPUs past their steps (they send nothing more) */

static void mailbox_lock(struct mailbox *m)
{
    uint32_t spins = 0;
    while (__atomic_exchange_n(&m->lock, 1u, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&m->lock, __ATOMIC_RELAXED))
            heap_cpu_relax(&spins);
}

static void mailbox_unlock(struct mailbox *m)
{
    __atomic_store_n(&m->lock, 0u, __ATOMIC_RELEASE);
}

static bool mailbox_put(struct mailbox *m, const struct parcel *in)
{
    mailbox_lock(m);
    bool room = m->count < MAILBOX_SLOTS;
    if (room)
        m->items[m->count++] = *in;
    mailbox_unlock(m);
    return room;
}

static bool mailbox_take(struct mailbox *m, struct parcel *out)
{
    mailbox_lock(m);
    bool got = m->count > 0;
    if (got)
        *out = m->items[--m->count];
    mailbox_unlock(m);
    return got;
}

void heap_selftest_threaded_prepare(uint32_t cpus)
{
    for (uint32_t i = 0; i < HEAP_SELFTEST_MAX_CPUS; i++)
        mailboxes[i].count = mailboxes[i].lock = 0;
    __atomic_store_n(&cpus_done, 0u, __ATOMIC_RELEASE);
    (void)cpus;
}

/* Sends the live block in slot idx to a random other CPU (or frees it when that CPU's
 * mailbox is full). The receiver's mailbox lock orders the block's contents for it. */
static void hand_off(struct run *st, unsigned idx, uint32_t cpus)
{
    struct slot *s = &st->slots[idx];
    verify(st, s, s->size, "contents changed before hand-off");
    uint32_t to = (st->cpu + 1 + rnd(st) % (cpus - 1)) % cpus;
    struct parcel pc = {s->p, s->size, s->seed};
    if (!mailbox_put(&mailboxes[to], &pc)) {
        do_free(st, idx);
        return;
    }
    order_remove(st, idx);
    s->p = NULL;
}

/* A block from another CPU: its contents must be as the sender left them. Then it is freed
 * here, realloc'ed here, or kept in this CPU's model (freed later) when keep allows. */
static void receive(struct run *st, const struct parcel *pc, bool keep)
{
    struct slot in = {pc->p, pc->size, pc->seed};
    verify(st, &in, in.size, "handed-over block changed in transit");
    unsigned idx = rnd(st) % SLOTS, how = rnd(st) % 3;
    if (!keep || st->slots[idx].p || how == 0) {
        free(in.p);
        return;
    }
    st->slots[idx] = in;
    order_insert(st, idx);
    if (how == 1)
        do_realloc(st, idx);
}

static void step_threaded(struct run *st, uint32_t cpus)
{
    struct parcel pc;
    if (mailbox_take(&mailboxes[st->cpu], &pc))
        receive(st, &pc, true);
    unsigned idx = rnd(st) % SLOTS;
    unsigned r = rnd(st) % 100;
    if (!st->slots[idx].p)
        do_alloc(st, idx);
    else if (r < HANDOFF_PERCENT && cpus > 1)
        hand_off(st, idx, cpus);
    else if (r < HANDOFF_PERCENT + FREE_PERCENT)
        do_free(st, idx);
    else
        do_realloc(st, idx);
}

/* Frees what arrives until every CPU is past its steps and the mailbox is empty. */
static void drain(struct run *st, uint32_t cpus)
{
    struct parcel pc;
    uint32_t spins = 0;
    for (;;) {
        bool all_done = __atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) == cpus;
        while (mailbox_take(&mailboxes[st->cpu], &pc))
            receive(st, &pc, false);
        if (all_done)
            return;
        heap_cpu_relax(&spins);
    }
}

unsigned heap_selftest_threaded(uint32_t cpu, uint32_t cpus, uint32_t seed, unsigned steps)
{
    if (cpus == 0 || cpus > HEAP_SELFTEST_MAX_CPUS || cpu >= cpus) {
        kprintf("heap: selftest: cpu %u of %u: the threaded self-test runs 1..%u CPUs\n", cpu,
                cpus, HEAP_SELFTEST_MAX_CPUS);
        return 1;
    }
    struct run *st = &runs[cpu];
    run_start(st, seed, cpu);
    for (st->step = 0; st->step < steps && st->failures < MAX_REPORTS; st->step++)
        step_threaded(st, cpus);
    for (unsigned k = 0; k < st->live; k++)
        verify(st, &st->slots[st->order[k]], st->slots[st->order[k]].size, "contents changed");
    while (st->live)
        do_free(st, st->order[st->live - 1]);
    __atomic_fetch_add(&cpus_done, 1u, __ATOMIC_RELEASE);
    drain(st, cpus);
    return st->failures;
}
