/* The kernel heap's public calls (malloc, free, calloc, realloc, aligned_alloc, statistics)
 * and its small tier: requests up to HEAP_SMALL_MAX bytes come from a per-class cache of
 * recently freed slots (as glibc's tcache) and behind it from size-class slabs (HEAP_SLAB_SIZE
 * blocks of the TLSF tier, heap_tlsf.c) with per-slab LIFO free lists, so the common case is
 * a cache pop or push plus one header check. Contract in heap.h, design in docs/heap.md.
 * Called by kernel code after heap_init() and heap_add_region(); never from interrupts. */
#include "kernel/mm/heap_impl.h"
#include "kernel/core/log.h"

struct heap_state heap_g;

/* Slot strides of the size classes (bytes of header + usable): 16-byte steps up to 256, then
 * 64-byte steps up to 1088 (waste per block at most 20 %). A slot's usable size is its stride
 * minus HEAP_UHDR_SIZE, so the last class serves HEAP_SMALL_MAX = 1080 bytes. */
static const uint16_t heap_class_stride[HEAP_CLASS_COUNT] = {
    16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
    320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024, 1088,
};
_Static_assert(HEAP_SMALL_MAX + HEAP_UHDR_SIZE == 1088, "last class serves HEAP_SMALL_MAX");

/* Class of a request, indexed by slot size in HEAP_CLASS_UNIT granules (filled by heap_init). */
#define CLASS_INDEX_COUNT ((HEAP_SMALL_MAX + HEAP_UHDR_SIZE) / HEAP_CLASS_UNIT + 1)
static uint8_t heap_class_of[CLASS_INDEX_COUNT];

static unsigned class_of(size_t n)
{
    return heap_class_of[(n + HEAP_UHDR_SIZE + HEAP_CLASS_UNIT - 1) / HEAP_CLASS_UNIT];
}

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
}

/* ---- CPUs and the lock --------------------------------------------------------------- */

/* The calling CPU's share; an index the hook should never return is reported. */
static inline __attribute__((always_inline)) struct heap_cpu *this_cpu(const void *caller)
{
    uint32_t (*hook)(void) = heap_g.cpu_index;
    if (HEAP_LIKELY(!hook))
        return &heap_g.cpu[0];
    uint32_t i = hook();
    if (HEAP_UNLIKELY(i >= heap_g.max_cpus)) {
        kprintf("heap: cpu_index() returned %u, CPU count is %u\n", i, heap_g.max_cpus);
        heap_fail(HEAP_E_BAD_CPU, NULL, caller, "CPU index out of range");
    }
    return &heap_g.cpu[i];
}

static uint32_t cpu_number(const struct heap_cpu *me)
{
    return me->index;
}

enum heap_err heap_set_cpu_hooks(uint32_t (*cpu_index)(void), uint32_t max_cpus)
{
    if (cpu_index && (max_cpus == 0 || max_cpus > HEAP_MAX_CPUS)) {
        kprintf("heap: %u CPUs asked for, the heap serves 1..%u\n", max_cpus, HEAP_MAX_CPUS);
        return HEAP_E_BAD_CPU;
    }
    heap_g.cpu_index = cpu_index;
    heap_g.max_cpus = cpu_index ? max_cpus : 1;
    return HEAP_OK;
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

static void *tlsf_alloc_locked(size_t total, size_t align, uint32_t info, const void *caller)
{
    heap_lock();
    void *p = heap_tlsf_alloc(total, align, info, caller);
    heap_unlock();
    return p;
}

static void tlsf_free_locked(void *p, const void *caller)
{
    heap_lock();
    heap_tlsf_free(p, caller);
    heap_unlock();
}

/* ---- small tier ---------------------------------------------------------------------- */

static uint32_t slab_magic(const struct heap_slab *s)
{
    return HEAP_SLAB_MAGIC ^ heap_g.key_tag ^ (uint32_t)(uintptr_t)s;
}

/* A slab sits on its class's partial list while it has a slot to give, else on the full
 * list; only the owning CPU moves it. */
static struct heap_slab **slab_list_of(struct heap_class *c, const struct heap_slab *s)
{
    return s->used < s->capacity ? &c->partial : &c->full;
}

static void slab_link(struct heap_class *c, struct heap_slab *s)
{
    struct heap_slab **head = slab_list_of(c, s);
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
    s->listed = head == &c->partial;
}

static void slab_unlink(struct heap_class *c, struct heap_slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else if (s->listed)
        c->partial = s->next;
    else
        c->full = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

static uint32_t class_bits(unsigned cls)
{
    return (uint32_t)cls << HEAP_INFO_CLASS_SHIFT;
}

static uint32_t cpu_bits(uint32_t cpu)
{
    return cpu << HEAP_INFO_CPU_SHIFT;
}

static unsigned info_class(uint32_t info)
{
    return (info & HEAP_INFO_CLASS) >> HEAP_INFO_CLASS_SHIFT;
}

static uint32_t info_cpu(uint32_t info)
{
    return (info & HEAP_INFO_CPU) >> HEAP_INFO_CPU_SHIFT;
}

static size_t class_usable(unsigned cls)
{
    return heap_class_stride[cls] - HEAP_UHDR_SIZE;
}

static struct heap_slab *slab_new(struct heap_cpu *me, unsigned cls, const void *caller)
{
    heap_lock();
    struct heap_slab *s = heap_tlsf_alloc(HEAP_SLAB_SIZE, HEAP_ALIGN, HEAP_INFO_INTERNAL, caller);
    if (s)
        heap_g.slab_bytes += HEAP_SLAB_SIZE;
    heap_unlock();
    if (!s)
        return NULL;
    s->magic = slab_magic(s);
    s->cls = cls;
    s->cpu = cpu_number(me);
    s->stride = heap_class_stride[cls];
    s->used = 0;
    s->free = NULL;
    s->remote = NULL;
    s->first = (char *)HEAP_ALIGN_UP((uintptr_t)(s + 1) + HEAP_UHDR_SIZE, HEAP_ALIGN);
    s->bump = s->first;
    s->end = (char *)s + (HEAP_SLAB_SIZE - HEAP_TBLK_HDR);
    s->capacity = (uint32_t)((size_t)(s->end - (s->first - HEAP_UHDR_SIZE)) / s->stride);
    slab_link(&me->cls[cls], s);
    return s;
}

/* A free slot about to be handed out again (from a slab list or a class cache) must carry
 * the FREE tag of a slot of class cls owned by CPU cpu, and in guard mode its fill must be
 * intact. Returns the slot's verified info. */
static __attribute__((noinline)) void check_free_fill(char *p, unsigned cls, const void *caller)
{
    size_t n = class_usable(cls) - sizeof(uintptr_t);
    if (heap_find_not(p + sizeof(uintptr_t), HEAP_FREE_FILL, n) != n)
        heap_fail(HEAP_E_USE_AFTER_FREE, p, caller, "freed slot was written");
}

static inline __attribute__((always_inline)) uint32_t check_free_slot(char *p, unsigned cls,
                                                                      uint32_t cpu,
                                                                      const void *caller)
{
    struct heap_uhdr *h = heap_uhdr_of(p);
    uint32_t info = h->info;
    uint32_t kind = HEAP_INFO_TLSF | HEAP_INFO_INTERNAL | HEAP_INFO_CLASS | HEAP_INFO_CPU;
    if (HEAP_UNLIKELY(h->tag != heap_tag(p, info, 0, HEAP_STATE_FREE) ||
                      (info & kind) != (class_bits(cls) | cpu_bits(cpu))))
        heap_fail(HEAP_E_FREELIST, p, caller, "free slot header overwritten");
    if (HEAP_UNLIKELY(info & HEAP_INFO_GUARD))
        check_free_fill(p, cls, caller);
    return info;
}

/* Pops the next free slot of s: a freed one (checked) or a never-used one, which gets a FREE
 * header here so every slot leaves with a verified header. Returns the slot's info. */
static char *slab_pop(struct heap_slab *s, uint32_t *info_out, const void *caller)
{
    char *p = s->free;
    if (!p) {
        p = s->bump;
        if (HEAP_UNLIKELY(p + s->stride - HEAP_UHDR_SIZE > s->end))
            heap_fail(HEAP_E_FREELIST, s, caller, "slab count says free, slab is full");
        s->bump = p + s->stride;
        struct heap_uhdr *h = heap_uhdr_of(p);
        h->info = class_bits(s->cls) | cpu_bits(s->cpu) | (uint32_t)(p - (char *)s);
        h->tag = heap_tag(p, h->info, 0, HEAP_STATE_FREE);
        *info_out = h->info;
        return p;
    }
    *info_out = check_free_slot(p, s->cls, s->cpu, caller);
    char *next = heap_link_dec(*(uintptr_t *)p, p);
    if (HEAP_UNLIKELY(next && (next < s->first || next >= s->bump)))
        heap_fail(HEAP_E_FREELIST, p, caller, "free slot's encoded link overwritten");
    s->free = next;
    return p;
}

static void slab_check(struct heap_slab *s, unsigned cls, uint32_t cpu, const void *where,
                       const void *caller)
{
    if (HEAP_UNLIKELY(s->magic != slab_magic(s) || s->cls != cls || s->cpu != cpu))
        heap_fail(HEAP_E_BAD_HEADER, where, caller, "slab header overwritten");
}

static void slab_release(struct heap_class *c, struct heap_slab *s, const void *caller)
{
    struct heap_uhdr *h = heap_uhdr_of(s);
    uint32_t info = HEAP_INFO_TLSF | HEAP_INFO_INTERNAL;
    if (h->info != info ||
        h->tag != heap_tag(s, info, heap_tblk_size(heap_tblk_of(s)), HEAP_STATE_ALLOC))
        heap_fail(HEAP_E_BAD_HEADER, s, caller, "slab's own block header overwritten");
    slab_unlink(c, s);
    s->magic = 0;
    heap_lock();
    heap_g.slab_bytes -= HEAP_SLAB_SIZE;
    heap_tlsf_free(s, caller);
    heap_unlock();
}

/* A free slot (FREE tag already set) of one of this CPU's slabs goes back on its slab's list;
 * an empty slab goes back to TLSF unless it is the class's only slab with room. */
static void slab_put(struct heap_cpu *me, char *p, uint32_t info, const void *caller)
{
    struct heap_slab *s = (struct heap_slab *)(p - (info & HEAP_INFO_OFFSET));
    slab_check(s, info_class(info), cpu_number(me), p, caller);
    if (HEAP_UNLIKELY(p < s->first || p >= s->bump))
        heap_fail(HEAP_E_BAD_HEADER, p, caller, "slot outside its slab's used part");
    *(uintptr_t *)p = heap_link_enc(s->free, p);
    s->free = p;
    struct heap_class *c = &me->cls[s->cls];
    if (s->used-- == s->capacity) {
        slab_unlink(c, s);
        slab_link(c, s);
    } else if (s->used == 0 && (c->partial != s || s->next)) {
        slab_release(c, s, caller);
    }
}

/* Takes the slots other CPUs freed into s (one atomic exchange; acquire pairs with their
 * release CAS, so the slots' FREE headers and fill written before the push are seen) and
 * puts them on s's own list. May release s. */
static void slab_collect(struct heap_cpu *me, struct heap_slab *s, const void *caller)
{
    if (!__atomic_load_n(&s->remote, __ATOMIC_RELAXED))
        return;
    char *p = __atomic_exchange_n(&s->remote, NULL, __ATOMIC_ACQUIRE);
    uint32_t bound = s->capacity;
    while (p) {
        if (HEAP_UNLIKELY(p < s->first || p >= s->bump || bound-- == 0))
            heap_fail(HEAP_E_FREELIST, p, caller, "remote free list link overwritten");
        uint32_t info = check_free_slot(p, s->cls, s->cpu, caller);
        char *next = heap_link_dec(*(uintptr_t *)p, p);
        slab_put(me, p, info, caller);         /* the last slot may release s */
        p = next;
    }
}

/* Collects every slab of class cls if another CPU has pushed onto one of them since the last
 * time. The bit is cleared before the slabs are read: a push that lands meanwhile sets it
 * again and is collected next time. */
static void class_collect(struct heap_cpu *me, unsigned cls, const void *caller)
{
    uint32_t bit = 1u << cls;
    if (!(__atomic_load_n(&me->remote_classes, __ATOMIC_RELAXED) & bit))
        return;
    __atomic_fetch_and(&me->remote_classes, ~bit, __ATOMIC_ACQUIRE);
    struct heap_class *c = &me->cls[cls];
    for (struct heap_slab *s = c->full, *next; s; s = next) {
        next = s->next;                 /* s may move to the partial list or be released */
        slab_collect(me, s, caller);
    }
    for (struct heap_slab *s = c->partial, *next; s; s = next) {
        next = s->next;
        slab_collect(me, s, caller);
    }
}

/* A slot from the CPU's slabs of the class: remote frees are collected first when there are
 * any, then a new slab is made if none has room. NULL when out of memory. */
static char *slab_take(struct heap_cpu *me, unsigned cls, uint32_t *info_out,
                       const void *caller)
{
    struct heap_class *c = &me->cls[cls];
    struct heap_slab *s = c->partial;
    if (HEAP_UNLIKELY(!s)) {
        class_collect(me, cls, caller);
        s = c->partial;
        if (!s)
            s = slab_new(me, cls, caller);
        if (!s)
            return NULL;
    }
    slab_check(s, cls, cpu_number(me), s, caller);
    char *p = slab_pop(s, info_out, caller);
    if (++s->used == s->capacity) {
        slab_unlink(c, s);
        slab_link(c, s);
    }
    return p;
}

/* Pops the class cache's most recently freed slot; its header and link are checked. */
static char *cache_take(struct heap_cpu *me, struct heap_class *c, unsigned cls,
                        uint32_t *info_out, const void *caller)
{
    char *p = c->cache;
    *info_out = check_free_slot(p, cls, cpu_number(me), caller);
    char *next = heap_link_dec(*(uintptr_t *)p, p);
    if (HEAP_UNLIKELY(((uintptr_t)next & (HEAP_ALIGN - 1)) || (next && !heap_in_range(next))))
        heap_fail(HEAP_E_FREELIST, p, caller, "class cache link overwritten");
    c->cache = next;
    c->cached--;
    return p;
}

/* A slot of class cls with an ALLOC header (flags: HEAP_INFO_GUARD or 0), or NULL. */
static inline __attribute__((always_inline)) void *small_alloc(struct heap_cpu *me, unsigned cls,
                                                                uint32_t flags,
                                                                const void *caller)
{
    struct heap_class *c = &me->cls[cls];
    uint32_t old;
    char *p = c->cache ? cache_take(me, c, cls, &old, caller)
                       : slab_take(me, cls, &old, caller);
    if (HEAP_UNLIKELY(!p))
        return NULL;
    struct heap_uhdr *h = heap_uhdr_of(p);
    uint32_t info = (old & ~HEAP_INFO_GUARD) | flags;
    if (HEAP_UNLIKELY(info != old)) {
        h->info = info;
        h->tag = heap_tag(p, info, 0, HEAP_STATE_ALLOC);
    } else {
        h->tag ^= HEAP_STATE_FREE ^ HEAP_STATE_ALLOC;       /* verified: hash ^ FREE */
    }
    return p;
}

/* A slot of another CPU's slab (FREE tag set) goes onto the slab's remote list: a lock-free
 * push (compare-and-swap with release, so the owner's acquire exchange sees the header and
 * link written here), then the owner's class bit. After the CAS this CPU must not touch the
 * slab: the owner may collect the slot and release the slab at once. Only fields that never
 * change while the slab lives are read before. */
static void remote_free(char *p, uint32_t info, const void *caller)
{
    struct heap_slab *s = (struct heap_slab *)(p - (info & HEAP_INFO_OFFSET));
    uint32_t owner = info_cpu(info);
    slab_check(s, info_class(info), owner, p, caller);
    if (HEAP_UNLIKELY(p < s->first || p >= s->end))
        heap_fail(HEAP_E_BAD_HEADER, p, caller, "slot outside its slab");
    char *head = __atomic_load_n(&s->remote, __ATOMIC_RELAXED);
    do {
        *(uintptr_t *)p = heap_link_enc(head, p);
    } while (!__atomic_compare_exchange_n(&s->remote, &head, p, true, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    __atomic_fetch_or(&heap_g.cpu[owner].remote_classes, 1u << info_class(info),
                      __ATOMIC_RELEASE);
}

/* Verified live slot p (ALLOC tag checked by the caller) becomes free: onto this CPU's class
 * cache (or its slab's list when the cache is full) when this CPU owns it, else onto the
 * owner's remote list. */
static void small_free(struct heap_cpu *me, char *p, uint32_t info, const void *caller)
{
    unsigned cls = info_class(info);
    struct heap_uhdr *h = heap_uhdr_of(p);
    if (HEAP_UNLIKELY((info & HEAP_INFO_GUARD) || heap_guard_on())) {
        size_t usable = class_usable(cls);
        if (info & HEAP_INFO_GUARD)
            heap_guard_check(p, usable, caller);
        heap_fill(p + sizeof(uintptr_t), HEAP_FREE_FILL, usable - sizeof(uintptr_t));
        info |= HEAP_INFO_GUARD;                        /* the slot is filled now */
        h->info = info;
        h->tag = heap_tag(p, info, 0, HEAP_STATE_FREE);
    } else {
        h->tag ^= HEAP_STATE_ALLOC ^ HEAP_STATE_FREE;   /* verified: hash ^ ALLOC */
    }
    if (HEAP_UNLIKELY(info_cpu(info) != cpu_number(me))) {
        remote_free(p, info, caller);
        return;
    }
    struct heap_class *c = &me->cls[cls];
    if (HEAP_UNLIKELY(c->cached >= HEAP_CACHE_MAX)) {
        slab_put(me, p, info, caller);
        return;
    }
    *(uintptr_t *)p = heap_link_enc(c->cache, p);
    c->cache = p;
    c->cached++;
}

/* Returns every slot in this CPU's caches to its slab and collects the remote frees (empty
 * slabs go back to TLSF); the number of slots moved or classes collected. Other CPUs' caches
 * are theirs: they keep what they hold. */
static size_t cache_flush(struct heap_cpu *me, const void *caller)
{
    size_t moved = 0;
    for (unsigned cls = 0; cls < HEAP_CLASS_COUNT; cls++) {
        struct heap_class *c = &me->cls[cls];
        while (c->cache) {
            uint32_t info;
            char *p = cache_take(me, c, cls, &info, caller);
            slab_put(me, p, info, caller);
            moved++;
        }
        if (__atomic_load_n(&me->remote_classes, __ATOMIC_RELAXED) & (1u << cls)) {
            class_collect(me, cls, caller);
            moved++;
        }
    }
    return moved;
}

/* ---- allocation and free, all tiers -------------------------------------------------- */

static inline __attribute__((always_inline)) void account_alloc(struct heap_cpu *me,
                                                                 size_t usable)
{
    me->in_use += (int64_t)usable;
    me->mallocs++;
    if (me->in_use > me->peak)
        me->peak = me->in_use;
}

static inline __attribute__((always_inline)) void account_free(struct heap_cpu *me,
                                                                size_t usable)
{
    me->in_use -= (int64_t)usable;
    me->frees++;
}

static size_t small_usable(uint32_t info)
{
    return class_usable(info_class(info));
}

/* TLSF request for `need` user bytes: whole pages from HEAP_LARGE_MIN on. */
static void *tlsf_request(size_t need, size_t align, uint32_t flags, const void *caller)
{
    size_t total;
    if (need >= HEAP_LARGE_MIN) {
        if (need > HEAP_CHUNK_MAX)
            return NULL;
        total = HEAP_TBLK_HDR + HEAP_ALIGN_UP(need, HEAP_PAGE_SIZE);
        if (align < HEAP_PAGE_SIZE)
            align = HEAP_PAGE_SIZE;
    } else {
        total = HEAP_ALIGN_UP(need + HEAP_TBLK_HDR, HEAP_ALIGN);
        if (total < HEAP_TBLK_MIN)
            total = HEAP_TBLK_MIN;
    }
    if (align > HEAP_CHUNK_MAX)
        return NULL;
    return tlsf_alloc_locked(total, align, flags, caller);
}

/* One try at a block of `need` bytes from the tier that serves it; sets *usable. */
static void *alloc_tier(struct heap_cpu *me, size_t need, size_t align, uint32_t flags,
                        size_t *usable, const void *caller)
{
    void *p;
    if (align <= HEAP_ALIGN && need <= HEAP_SMALL_MAX) {
        p = small_alloc(me, class_of(need), flags, caller);
        if (p)
            *usable = small_usable(heap_uhdr_of(p)->info);
    } else {
        p = tlsf_request(need, align, flags, caller);
        if (p)
            *usable = heap_tlsf_usable(p);
    }
    return p;
}

static void *heap_oom(struct heap_cpu *me, size_t size, const void *caller)
{
    me->failed++;
    heap_lock();
    size_t free_bytes = heap_g.tlsf_free_bytes, free_blocks = heap_g.tlsf_free_blocks;
    heap_unlock();
    kprintf("heap: out of memory: %zu bytes for caller %p (free %zu in %zu blocks)\n",
            size, caller, free_bytes, free_blocks);
    return NULL;
}

/* Any size and alignment, guard mode honoured; align is a power of two >= HEAP_ALIGN. When
 * memory runs out, this CPU's class caches go back to their slabs (freeing empty slabs) and
 * the request is tried once more. */
static void *alloc_any(size_t n, size_t align, const void *caller)
{
    struct heap_cpu *me = this_cpu(caller);
    bool guard = heap_guard_on();
    size_t need = n + (guard ? HEAP_GUARD_EXTRA : 0);
    uint32_t flags = guard ? HEAP_INFO_GUARD : 0;
    size_t usable = 0;
    if (need < n || !heap_g.ready)
        return heap_oom(me, n, caller);
    void *p = alloc_tier(me, need, align, flags, &usable, caller);
    if (!p && cache_flush(me, caller))
        p = alloc_tier(me, need, align, flags, &usable, caller);
    if (!p)
        return heap_oom(me, n, caller);
    account_alloc(me, usable);
    if (guard)
        heap_guard_arm(p, usable, n);
    return p;
}

/* Fast path: a small request outside guard mode is one class-cache pop (or slab pop) on the
 * calling CPU's own caches: no lock, no atomic read-modify-write. */
void *malloc(size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (size <= HEAP_SMALL_MAX && !heap_guard_on()) {
        struct heap_cpu *me = this_cpu(caller);
        unsigned cls = class_of(size);
        void *p = small_alloc(me, cls, 0, caller);
        if (HEAP_LIKELY(p != NULL)) {
            account_alloc(me, class_usable(cls));
            return p;
        }
    }
    return alloc_any(size, HEAP_ALIGN, caller);
}

#define FREE_FILL_WORD (0x01010101u * HEAP_FREE_FILL)    /* a freed, merged header */

/* Checks that p is a live block of this heap (or reports and panics); returns its usable
 * size and its header info. */
static inline __attribute__((always_inline)) size_t live_block(void *p, uint32_t *info_out,
                                                                const void *caller)
{
    if (HEAP_UNLIKELY(((uintptr_t)p & (HEAP_ALIGN - 1)) || !heap_in_range(p)))
        heap_fail(HEAP_E_BAD_POINTER, p, caller, "not an address this heap hands out");
    struct heap_uhdr *h = heap_uhdr_of(p);
    uint32_t info = h->info;
    size_t size = (info & HEAP_INFO_TLSF) ? heap_tblk_size(heap_tblk_of(p)) : 0;
    *info_out = info;
    if (HEAP_UNLIKELY(h->tag != heap_tag(p, info, size, HEAP_STATE_ALLOC))) {
        if (h->tag == heap_tag(p, info, size, HEAP_STATE_FREE))
            heap_fail(HEAP_E_DOUBLE_FREE, p, caller, "block is already free");
        if (h->tag == FREE_FILL_WORD && info == FREE_FILL_WORD)
            heap_fail(HEAP_E_DOUBLE_FREE, p, caller, "block is already free (merged)");
        heap_fail(HEAP_E_BAD_HEADER, p, caller,
                  "header tag wrong: overwritten, or not a pointer malloc returned");
    }
    if (HEAP_UNLIKELY(info & HEAP_INFO_INTERNAL))
        heap_fail(HEAP_E_BAD_POINTER, p, caller, "heap-internal block");
    return size ? size - HEAP_TBLK_HDR : small_usable(info);
}

static void free_block(void *p, const void *caller)
{
    struct heap_cpu *me = this_cpu(caller);
    uint32_t info;
    size_t usable = live_block(p, &info, caller);
    account_free(me, usable);
    if (!(info & HEAP_INFO_TLSF)) {
        small_free(me, p, info, caller);
        return;
    }
    if (info & HEAP_INFO_GUARD)
        heap_guard_check(p, usable, caller);
    tlsf_free_locked(p, caller);
}

void free(void *ptr)
{
    if (ptr)
        free_block(ptr, __builtin_return_address(0));
}

void *calloc(size_t count, size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (size && count > (size_t)-1 / size)
        return heap_oom(this_cpu(caller), (size_t)-1, caller);
    void *p = alloc_any(count * size, HEAP_ALIGN, caller);
    if (p)
        heap_fill(p, 0, count * size);
    return p;
}

void *aligned_alloc(size_t align, size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (align == 0 || (align & (align - 1))) {
        kprintf("heap: aligned_alloc: alignment %zu is not a power of two (caller %p)\n",
                align, caller);
        return NULL;
    }
    return alloc_any(size, align < HEAP_ALIGN ? HEAP_ALIGN : align, caller);
}

/* Bytes the caller asked for (guarded blocks) or may use (others). */
static size_t asked_size(void *p, size_t usable, uint32_t info, const void *caller)
{
    return (info & HEAP_INFO_GUARD) ? heap_guard_check(p, usable, caller) : usable;
}

void *realloc(void *ptr, size_t size)
{
    const void *caller = __builtin_return_address(0);
    if (!ptr)
        return alloc_any(size, HEAP_ALIGN, caller);
    if (size == 0) {
        free_block(ptr, caller);
        return NULL;
    }
    uint32_t info;
    size_t usable = live_block(ptr, &info, caller);
    size_t old = asked_size(ptr, usable, info, caller);
    size_t need = size + ((info & HEAP_INFO_GUARD) ? HEAP_GUARD_EXTRA : 0);
    /* Stay in place when it fits and at most half the block would be wasted. */
    if (need >= size && need <= usable && (need > usable / 2 || usable <= HEAP_SMALL_MAX)) {
        if (info & HEAP_INFO_GUARD)
            heap_guard_arm(ptr, usable, size);
        return ptr;
    }
    void *q = alloc_any(size, HEAP_ALIGN, caller);
    if (!q)
        return NULL;
    heap_copy(q, ptr, old < size ? old : size);
    free_block(ptr, caller);
    return q;
}

size_t heap_usable_size(void *ptr)
{
    const void *caller = __builtin_return_address(0);
    uint32_t info;
    size_t usable = live_block(ptr, &info, caller);
    return asked_size(ptr, usable, info, caller);
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
    heap_g.key_link = splitmix32(&seed);
    if (sizeof(uintptr_t) > sizeof(uint32_t))
        heap_g.key_link ^= (uintptr_t)splitmix32(&seed) << 16 << 16;
    heap_g.guard = HEAP_GUARD_DEFAULT;
    heap_g.max_cpus = 1;
    for (uint32_t i = 0; i < HEAP_MAX_CPUS; i++)
        heap_g.cpu[i].index = i;
    unsigned cls = 0;
    for (unsigned i = 0; i < CLASS_INDEX_COUNT; i++) {
        while (heap_class_stride[cls] < i * HEAP_CLASS_UNIT)
            cls++;
        heap_class_of[i] = (uint8_t)cls;
    }
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
        t->in_use += c->in_use;
        t->peak += c->peak > 0 ? c->peak : 0;
    }
}

void heap_get_stats(struct heap_stats *out)
{
    struct heap_totals t;
    heap_cpu_totals(&t);
    out->in_use_bytes = (size_t)t.in_use;
    out->peak_in_use_bytes = (size_t)t.peak;
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
