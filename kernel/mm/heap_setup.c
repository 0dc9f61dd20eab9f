/* The kernel heap's setup and services around the allocation paths of heap.c: heap_init,
 * regions, CPU hooks, the lock over the shared TLSF tier, statistics, guard-mode canaries,
 * error reporting and the byte helpers (no libc in the kernel). Contract in heap.h, design in
 * docs/heap.md. Setup calls run while one CPU uses the heap; heap_lock and the guard helpers
 * run on any CPU. */
#include "kernel/mm/heap_impl.h"
#include "kernel/core/log.h"

/* Before heap_init too the hook is callable and index 0 is in range, so a call that comes
 * too early reaches the slow path and its "not ready" answer. */
struct heap_state heap_g = {.cpu_index = heap_cpu_zero, .max_cpus = 1};

/* ---- byte helpers (no libc in the kernel) -------------------------------------------- */

void heap_fill(void *dst, uint8_t byte, size_t n)
{
    unsigned char *d = dst;
    uintptr_t word = (uintptr_t)-1 / 0xFF * byte;     /* byte repeated in every lane */
    for (; n && ((uintptr_t)d & (sizeof(word) - 1)); n--)
        *d++ = byte;
    for (; n >= sizeof(word); n -= sizeof(word), d += sizeof(word))
        *(uintptr_t *)d = word;
    for (; n; n--)
        *d++ = byte;
}

void heap_copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(uintptr_t) - 1)) == 0)
        for (; n >= sizeof(uintptr_t); n -= sizeof(uintptr_t)) {
            *(uintptr_t *)d = *(const uintptr_t *)s;
            d += sizeof(uintptr_t);
            s += sizeof(uintptr_t);
        }
    for (; n; n--)
        *d++ = *s++;
}

size_t heap_find_not(const void *p, uint8_t byte, size_t n)
{
    const unsigned char *c = p;
    uintptr_t word = (uintptr_t)-1 / 0xFF * byte;
    size_t i = 0;
    for (; i < n && ((uintptr_t)(c + i) & (sizeof(word) - 1)); i++)
        if (c[i] != byte)
            return i;
    for (; i + sizeof(word) <= n && *(const uintptr_t *)(c + i) == word; i += sizeof(word))
        ;
    for (; i < n; i++)
        if (c[i] != byte)
            return i;
    return n;
}

/* ---- reporting ----------------------------------------------------------------------- */

static const char *const heap_err_names[HEAP_E_COUNT] = {
    [HEAP_OK] = "ok",
    [HEAP_E_NOT_INIT] = "heap_init not called",
    [HEAP_E_REGION_SMALL] = "region too small",
    [HEAP_E_REGION_OVERLAP] = "region overlaps another",
    [HEAP_E_TOO_MANY] = "too many regions",
    [HEAP_E_NOMEM] = "out of memory",
    [HEAP_E_DOUBLE_FREE] = "double free",
    [HEAP_E_BAD_POINTER] = "pointer not from this heap",
    [HEAP_E_BAD_HEADER] = "block header corrupt or pointer not from malloc",
    [HEAP_E_OVERFLOW] = "write past the end of a block",
    [HEAP_E_USE_AFTER_FREE] = "write to freed memory",
    [HEAP_E_FREELIST] = "free list corrupt",
    [HEAP_E_NEIGHBOUR] = "neighbouring block header corrupt",
    [HEAP_E_BAD_CPU] = "CPU count or index out of range",
};

const char *heap_strerror(enum heap_err err)
{
    return (unsigned)err < HEAP_E_COUNT ? heap_err_names[err] : "unknown heap error";
}

void heap_fail(enum heap_err err, const void *block, const void *caller, const char *what)
{
    kprintf("heap: %s: %s: block %p, caller %p\n", heap_strerror(err), what, block, caller);
    if (heap_in_range(block) && ((uintptr_t)block & (HEAP_ALIGN - 1)) == 0) {
        const struct heap_uhdr *h = heap_uhdr_of((void *)block);
        kprintf("heap: block %p header info 0x%08x tag 0x%08x\n", block, h->info, h->tag);
    }
    panic("heap: %s at block %p (caller %p)", heap_strerror(err), block, caller);
}

/* ---- guard mode ---------------------------------------------------------------------- */

void heap_guard_arm(void *ptr, size_t usable, size_t asked)
{
    char *p = ptr;
    uint32_t slack = (uint32_t)(usable - asked);
    struct heap_trailer *t = (struct heap_trailer *)(p + usable - HEAP_TRAILER_SIZE);
    heap_fill(p + asked, HEAP_CANARY_FILL, slack - HEAP_TRAILER_SIZE);
    t->slack = slack;
    t->check = heap_tag(ptr, slack, 0, HEAP_STATE_TRAILER);
}

size_t heap_guard_check(void *ptr, size_t usable, const void *caller)
{
    char *p = ptr;
    const struct heap_trailer *t = (const struct heap_trailer *)(p + usable - HEAP_TRAILER_SIZE);
    if (t->check != heap_tag(ptr, t->slack, 0, HEAP_STATE_TRAILER) ||
        t->slack < HEAP_GUARD_EXTRA || t->slack > usable)
        heap_fail(HEAP_E_OVERFLOW, ptr, caller, "guard trailer overwritten");
    size_t asked = usable - t->slack;
    size_t zone = t->slack - HEAP_TRAILER_SIZE;
    size_t bad = heap_find_not(p + asked, HEAP_CANARY_FILL, zone);
    if (bad != zone) {
        kprintf("heap: canary byte %zu past the %zu-byte block is 0x%02x\n", bad, asked,
                (unsigned)(unsigned char)p[asked + bad]);
        heap_fail(HEAP_E_OVERFLOW, ptr, caller, "canary after the block overwritten");
    }
    return asked;
}

void heap_set_guard_mode(bool on)
{
    __atomic_store_n(&heap_g.guard, on, __ATOMIC_RELAXED);
    __atomic_store_n(&heap_g.fast_below, heap_fast_below(on), __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < HEAP_MAX_CPUS; i++)
        __atomic_store_n(&heap_g.cpu[i].free_expect,
                         heap_free_expect(heap_g.cpu[i].info_bits, on), __ATOMIC_RELAXED);
}

/* ---- CPUs and the lock --------------------------------------------------------------- */

enum heap_err heap_set_cpu_hooks(uint32_t (*cpu_index)(void), uint32_t max_cpus)
{
    if (cpu_index && (max_cpus == 0 || max_cpus > HEAP_MAX_CPUS)) {
        kprintf("heap: %u CPUs asked for, the heap serves 1..%u\n", max_cpus, HEAP_MAX_CPUS);
        return HEAP_E_BAD_CPU;
    }
    heap_g.cpu_index = cpu_index ? cpu_index : heap_cpu_zero;
    heap_g.max_cpus = cpu_index ? max_cpus : 1;
    heap_cpu_bind(NULL);            /* bound again, to the new hook's index, by this_cpu */
    return HEAP_OK;
}

#ifdef HEAP_CPU_TLS
static __thread uint32_t heap_tls_cpu;
__thread struct heap_cpu *heap_tls_share;

void heap_tls_set_cpu(uint32_t cpu)
{
    heap_tls_cpu = cpu;
    heap_tls_share = NULL;
}

uint32_t heap_tls_cpu_index(void)
{
    return heap_tls_cpu;
}
#endif

uint32_t heap_cpu_zero(void)
{
    return 0;
}

void heap_set_yield_hook(void (*yield)(void))
{
    heap_g.cpu_relax = yield;
}

/* Spins before calling the yield hook: about the time a slab refill holds the lock. */
#define LOCK_SPINS_BEFORE_YIELD 256u

/* Test-and-test-and-set: spin on a plain load (the line stays shared in every waiting CPU's
 * cache) and try the exchange only when the lock looks free. Acquire on taking it and release
 * on dropping it order the TLSF updates inside (C11 7.17.3; on x86 both are plain moves plus
 * the locked xchg, Intel SDM vol. 3A 9.2.3.8: locked instructions have a total order). Not
 * FIFO like a ticket lock: where threads outnumber cores, a ticket lock hands the lock to a
 * waiter that may not be running and everyone waits for it. */
void heap_lock(void)
{
    uint32_t spins = 0;
    while (__atomic_exchange_n(&heap_g.lock, 1u, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&heap_g.lock, __ATOMIC_RELAXED))
            heap_cpu_relax(&spins);
}

void heap_cpu_relax(uint32_t *spins)
{
    /* PAUSE (Intel SDM vol. 2B): a spin-wait hint; encoded F3 90, a plain NOP before the
     * Pentium 4, so it suits every CPU the i686 kernel runs on. */
    __asm__ volatile("pause");
    if (++*spins % LOCK_SPINS_BEFORE_YIELD == 0 && heap_g.cpu_relax)
        heap_g.cpu_relax();
}

void heap_unlock(void)
{
    __atomic_store_n(&heap_g.lock, 0u, __ATOMIC_RELEASE);
}

/* ---- setup and statistics ------------------------------------------------------------ */

static uint32_t splitmix32(uint32_t *state)
{
    uint32_t z = (*state += 0x9E3779B9u);
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    return z ^ (z >> 16);
}

void heap_init(uint32_t seed)
{
    heap_fill(&heap_g, 0, sizeof(heap_g));
    heap_g.key_tag = splitmix32(&seed);
    heap_g.key_alloc = heap_g.key_tag ^ HEAP_STATE_ALLOC;
    heap_g.key_free = heap_g.key_tag ^ HEAP_STATE_FREE;
    heap_g.key_link = splitmix32(&seed);
    if (sizeof(uintptr_t) > sizeof(uint32_t))
        heap_g.key_link ^= (uintptr_t)splitmix32(&seed) << 16 << 16;
    heap_g.guard = HEAP_GUARD_DEFAULT;
    heap_g.fast_below = heap_fast_below(HEAP_GUARD_DEFAULT);
    (void)heap_set_cpu_hooks(NULL, 0);  /* one CPU, the caller's share unbound; cannot fail */
    for (uint32_t i = 0; i < HEAP_MAX_CPUS; i++) {
        heap_g.cpu[i].index = i;
        heap_g.cpu[i].info_bits = i << HEAP_INFO_CPU_SHIFT;
        heap_g.cpu[i].free_expect = heap_free_expect(i << HEAP_INFO_CPU_SHIFT,
                                                     HEAP_GUARD_DEFAULT);
    }
    heap_classes_init();
    heap_g.ready = true;
}

static bool overlaps_chunk(uintptr_t base, uintptr_t end)
{
    for (unsigned i = 0; i < heap_g.nchunks; i++)
        if (base < heap_g.chunks[i].end && heap_g.chunks[i].base < end)
            return true;
    return false;
}

enum heap_err heap_add_region(uintptr_t base, size_t size)
{
    if (!heap_g.ready)
        return HEAP_E_NOT_INIT;
    uintptr_t end = base + size < base ? (uintptr_t)-1 : base + size;
    if (base < HEAP_PAGE_SIZE)
        base = HEAP_PAGE_SIZE;      /* keep NULL and the first page out of the heap */
    base = HEAP_ALIGN_UP(base, HEAP_ALIGN);
    end &= ~(uintptr_t)(HEAP_ALIGN - 1);
    if (end <= base || end - base < HEAP_TBLK_MIN + HEAP_TBLK_HDR) {
        kprintf("heap: region %p + %zu too small, ignored\n", (void *)base, size);
        return HEAP_E_REGION_SMALL;
    }
    if (overlaps_chunk(base, end)) {
        kprintf("heap: region %p..%p overlaps one already added\n", (void *)base, (void *)end);
        return HEAP_E_REGION_OVERLAP;
    }
    while (end - base >= HEAP_TBLK_MIN + HEAP_TBLK_HDR) {
        size_t piece = end - base > HEAP_CHUNK_MAX ? HEAP_CHUNK_MAX : end - base;
        heap_lock();
        enum heap_err err = heap_tlsf_add_chunk(base, piece);
        if (err == HEAP_OK)
            heap_g.total_bytes += piece;
        heap_unlock();
        if (err != HEAP_OK) {
            kprintf("heap: region at %p: %s\n", (void *)base, heap_strerror(err));
            return err;
        }
        base += piece;
    }
    return HEAP_OK;
}

void heap_cpu_totals(struct heap_totals *t)
{
    heap_fill(t, 0, sizeof(*t));
    for (unsigned i = 0; i < HEAP_MAX_CPUS; i++) {
        const struct heap_cpu *c = &heap_g.cpu[i];
        t->mallocs += c->mallocs;
        t->frees += c->frees;
        t->failed += c->failed;
        t->in_use += c->held;
        for (unsigned k = 0; k < HEAP_CLASS_COUNT; k++)
            t->in_use -= (int64_t)((size_t)heap_class_cached(&c->cls[k]) * heap_class_usable(k));
        t->peak += c->peak > 0 ? c->peak : 0;
    }
}

void heap_get_stats(struct heap_stats *out)
{
    struct heap_totals t;
    heap_cpu_totals(&t);
    out->in_use_bytes = (size_t)t.in_use;
    out->peak_held_bytes = (size_t)t.peak;
    out->live_blocks = (size_t)(t.mallocs - t.frees);
    out->mallocs = t.mallocs;
    out->frees = t.frees;
    out->failed = t.failed;
    out->guard_mode = heap_guard_on();
    heap_lock();
    out->total_bytes = heap_g.total_bytes;
    out->free_bytes = heap_g.tlsf_free_bytes;
    out->largest_free_bytes = heap_tlsf_largest_free();
    out->free_blocks = heap_g.tlsf_free_blocks;
    out->slab_bytes = heap_g.slab_bytes;
    heap_unlock();
}
