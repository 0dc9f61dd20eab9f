/* The kernel heap's allocation calls (malloc, free, calloc, realloc, aligned_alloc) and its
 * small tier: requests up to HEAP_SMALL_MAX bytes come from the calling CPU's per-class cache
 * of recently freed slots (as glibc's tcache) and behind it from the CPU's own size-class
 * slabs (HEAP_SLAB_SIZE blocks of the TLSF tier, heap_tlsf.c) with per-slab LIFO free lists,
 * so the common case is a cache pop or push plus one header check, with no lock. Slots freed
 * by another CPU come back through the slab's lock-free remote list. Setup, statistics, the
 * lock and the guard helpers are in heap_setup.c. Contract in heap.h, design in
 * docs/heap.md. Called by kernel code after heap_init() and heap_add_region(); never from
 * interrupts. */
#include "kernel/mm/heap_impl.h"
#include "kernel/core/log.h"

/* Slot strides of the size classes (bytes of header + usable): 16-byte steps up to 256, then
 * 64-byte steps up to 1088 (waste per block at most 20 %). A slot's usable size is its stride
 * minus HEAP_UHDR_SIZE, so the last class serves HEAP_SMALL_MAX = 1080 bytes. */
static const uint16_t heap_class_stride[HEAP_CLASS_COUNT] = {
    16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
    320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024, 1088,
};
_Static_assert(HEAP_SMALL_MAX + HEAP_UHDR_SIZE == 1088, "last class serves HEAP_SMALL_MAX");

/* Class of a request, indexed by slot size in HEAP_CLASS_UNIT granules (filled by heap_init),
 * stored as the byte offset of the class's entry in struct heap_cpu's cls[]: malloc's fast
 * path adds it to the CPU's share without scaling the class number. */
#define CLASS_INDEX_COUNT ((HEAP_SMALL_MAX + HEAP_UHDR_SIZE) / HEAP_CLASS_UNIT + 1)
_Static_assert(HEAP_CLASS_COUNT * sizeof(struct heap_class) <= 0xFFFF,
               "class entry offsets fit 16 bits");
static uint16_t heap_class_off[CLASS_INDEX_COUNT];

static size_t class_off(size_t n)
{
    return heap_class_off[(n + HEAP_UHDR_SIZE + HEAP_CLASS_UNIT - 1) / HEAP_CLASS_UNIT];
}

static unsigned class_of(size_t n)
{
    return (unsigned)(class_off(n) / sizeof(struct heap_class));
}

/* ---- CPUs and the lock --------------------------------------------------------------- */

/* The calling CPU's share; an index the hook should never return is reported. With
 * heap_cpu_bindable() the share is bound to the CPU (heap_impl.h, heap_cpu_bound), so the
 * fast paths find it without the hook from then on. */
static inline __attribute__((always_inline)) struct heap_cpu *this_cpu(const void *caller)
{
    uint32_t i = heap_g.cpu_index();
    if (HEAP_UNLIKELY(i >= heap_g.max_cpus)) {
        kprintf("heap: cpu_index() returned %u, CPU count is %u\n", i, heap_g.max_cpus);
        heap_fail(HEAP_E_BAD_CPU, NULL, caller, "CPU index out of range");
    }
    if (heap_cpu_bindable())
        heap_cpu_bind(&heap_g.cpu[i]);
    return &heap_g.cpu[i];
}

static uint32_t cpu_number(const struct heap_cpu *me)
{
    return me->index;
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

/* struct heap_class's key for class cls on CPU cpu: the FREE tag key XOR the info bits under
 * FAST_INFO_MASK of every slot its cache may hold. Keyed like the tag, so the fast path's one
 * compare (malloc_on) still needs the whole 32-bit tag right: a slot of another class or CPU,
 * a live slot (key_alloc differs from key_free outside the mask) or a guard-filled one fails
 * it for certain, anything else but one tag value in 2^32. */
static uint32_t heap_class_key(uint32_t cpu, unsigned cls)
{
    return heap_g.key_free ^ class_bits(cls) ^ cpu_bits(cpu);
}

static size_t class_usable(unsigned cls)
{
    return heap_class_stride[cls] - HEAP_UHDR_SIZE;
}

size_t heap_class_usable(unsigned cls)
{
    return class_usable(cls);
}

/* The bytes this CPU holds (struct heap_cpu's held: its live blocks' and its cached slots'
 * usable bytes) grew by `bytes`: a cache refill or a TLSF block. The peak follows it here,
 * never on the fast paths, which move slots between the caches and the caller and so leave
 * held as it is. */
static void held_add(struct heap_cpu *me, size_t bytes)
{
    me->held += (int64_t)bytes;
    if (me->held > me->peak)
        me->peak = me->held;
}

/* A block this CPU freed left it (to its slab, another CPU's slab or TLSF), or a cached slot
 * went back to its slab. */
static void held_sub(struct heap_cpu *me, size_t bytes)
{
    me->held -= (int64_t)bytes;
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
    s->remote = 0;
    s->first = (char *)s + HEAP_SLAB_FIRST_OFF;
    s->bump = s->first;
    s->end = (char *)s + HEAP_SLAB_END_OFF;
    s->capacity = (uint32_t)((size_t)(s->end - (s->first - HEAP_UHDR_SIZE)) / s->stride);
    slab_link(&me->cls[cls], s);
    return s;
}

/* A free slot about to be handed out again (from a class cache) or taken back from a remote
 * list must carry the FREE tag of a slot of class cls owned by the CPU whose info bits are
 * cpu_info. Returns the slot's verified info. */
static inline __attribute__((always_inline)) uint32_t check_free_header(char *p, unsigned cls,
                                                                        uint32_t cpu_info,
                                                                        const void *caller)
{
    struct heap_uhdr *h = heap_uhdr_of(p);
    uint32_t info = h->info;
    uint32_t kind = HEAP_INFO_TLSF | HEAP_INFO_INTERNAL | HEAP_INFO_CLASS | HEAP_INFO_CPU;
    if (HEAP_UNLIKELY(h->tag != heap_tag(p, info, 0, HEAP_STATE_FREE) ||
                      (info & kind) != (class_bits(cls) | cpu_info)))
        heap_fail(HEAP_E_FREELIST, p, caller, "free slot header overwritten");
    return info;
}

/* In guard mode a freed slot's fill must be intact when it is handed out again. */
static __attribute__((noinline)) void check_free_fill(char *p, unsigned cls, const void *caller)
{
    size_t n = class_usable(cls) - sizeof(uintptr_t);
    if (heap_find_not(p + sizeof(uintptr_t), HEAP_FREE_FILL, n) != n)
        heap_fail(HEAP_E_USE_AFTER_FREE, p, caller, "freed slot was written");
}

static void slab_check(struct heap_slab *s, unsigned cls, uint32_t cpu, const void *where,
                       const void *caller)
{
    if (HEAP_UNLIKELY(s->magic != slab_magic(s) || s->cls != cls || s->cpu != cpu))
        heap_fail(HEAP_E_BAD_HEADER, where, caller, "slab header overwritten");
}

/* A link read from s's own or remote free list: NULL or a slot inside the used part. */
static void check_slab_link(const struct heap_slab *s, const char *next, const void *at,
                            const void *caller, const char *what)
{
    if (HEAP_UNLIKELY(next && (next < s->first || next >= s->bump)))
        heap_fail(HEAP_E_FREELIST, at, caller, what);
}

/* Carves up to max never-used slots from s's bump pointer, each with a FREE header and
 * linked to the next in address order; the run ends in a NULL link. Returns its first slot
 * and the count in *n. */
static char *slab_carve(struct heap_slab *s, uint32_t max, uint32_t *n, const void *caller)
{
    char *head = s->bump;
    uint32_t left = (uint32_t)((size_t)(s->end - (head - HEAP_UHDR_SIZE)) / s->stride);
    if (HEAP_UNLIKELY(left == 0))
        heap_fail(HEAP_E_FREELIST, s, caller, "slab count says free, slab is full");
    uint32_t k = left < max ? left : max;
    uint32_t info = class_bits(s->cls) | cpu_bits(s->cpu);
    char *p = head;
    for (uint32_t i = 1; i <= k; i++, p += s->stride) {
        struct heap_uhdr *h = heap_uhdr_of(p);
        h->info = info | (uint32_t)(p - (char *)s);
        h->tag = heap_tag(p, h->info, 0, HEAP_STATE_FREE);
        *(uintptr_t *)p = heap_link_enc(i < k ? p + s->stride : NULL, p);
    }
    s->bump = p;
    *n = k;
    return head;
}

/* Detaches a run of up to max free slots from s (batch refill of a class cache) and returns
 * its first slot, the count in *n. Freed slots come off s's free list as they lie: the list
 * and a cache list encode their links alike, so the run needs only its last link cut. Every
 * link walked is checked to stay inside the slab; each slot's header is checked when the
 * cache hands it out. Without freed slots, never-used ones are carved. */
static char *slab_take_run(struct heap_slab *s, uint32_t max, uint32_t *n, const void *caller)
{
    char *head = s->free;
    if (!head)
        return slab_carve(s, max, n, caller);
    check_slab_link(s, head, s, caller, "slab free list head overwritten");
    char *p = head, *next;
    uint32_t k = 1;
    for (;; p = next, k++) {
        next = heap_link_dec(*(uintptr_t *)p, p);
        check_slab_link(s, next, p, caller, "free slot's encoded link overwritten");
        if (!next || k == max)
            break;
    }
    *(uintptr_t *)p = heap_link_enc(NULL, p);
    s->free = next;
    *n = k;
    return head;
}

/* An empty slab (used == 0) goes back to TLSF. Its own list must then hold every slot it
 * ever carved: `used` drops by counts that are not walked (a remote word's, slab_collect), so
 * a count overwritten upwards would make it reach 0 while slots are still out; that is caught
 * here, before the memory goes back, by one walk of the list (a slab is given back once). */
static void slab_release(struct heap_class *c, struct heap_slab *s, const void *caller)
{
    struct heap_uhdr *h = heap_uhdr_of(s);
    uint32_t info = HEAP_INFO_TLSF | HEAP_INFO_INTERNAL;
    if (h->info != info ||
        h->tag != heap_tag(s, info, heap_tblk_size(heap_tblk_of(s)), HEAP_STATE_ALLOC))
        heap_fail(HEAP_E_BAD_HEADER, s, caller, "slab's own block header overwritten");
    uint32_t carved = (uint32_t)((size_t)(s->bump - s->first) / s->stride), listed = 0;
    for (char *p = s->free; p && listed <= carved; listed++) {
        char *next = heap_link_dec(*(uintptr_t *)p, p);
        check_slab_link(s, next, p, caller, "free slot's encoded link overwritten");
        p = next;
    }
    if (HEAP_UNLIKELY(listed != carved))
        heap_fail(HEAP_E_FREELIST, s, caller, "empty slab's free list short of its slots");
    slab_unlink(c, s);
    s->magic = 0;
    heap_lock();
    heap_g.slab_bytes -= HEAP_SLAB_SIZE;
    heap_tlsf_free(s, caller);
    heap_unlock();
}

/* n slots went back onto s's free list: a full slab moves to the partial list, and an empty
 * one goes back to TLSF unless it is the class's only slab with room. */
static void slab_returned(struct heap_cpu *me, struct heap_slab *s, uint32_t n,
                          const void *caller)
{
    struct heap_class *c = &me->cls[s->cls];
    if (HEAP_UNLIKELY(n > s->used))
        heap_fail(HEAP_E_FREELIST, s, caller, "more slots returned than the slab gave out");
    bool was_full = s->used == s->capacity;
    s->used -= n;
    if (was_full) {
        slab_unlink(c, s);
        slab_link(c, s);
    }
    if (s->used == 0 && (c->partial != s || s->next))
        slab_release(c, s, caller);
}

/* A free slot (FREE tag already set) of one of this CPU's slabs goes back on its slab's list;
 * an empty slab goes back to TLSF unless it is the class's only slab with room. */
static __attribute__((noinline)) void slab_put(char *p, struct heap_cpu *me, uint32_t info,
                                              const void *caller)
{
    struct heap_slab *s = (struct heap_slab *)(p - (info & HEAP_INFO_OFFSET));
    slab_check(s, info_class(info), cpu_number(me), p, caller);
    if (HEAP_UNLIKELY(p < s->first || p >= s->bump))
        heap_fail(HEAP_E_BAD_HEADER, p, caller, "slot outside its slab's used part");
    *(uintptr_t *)p = heap_link_enc(s->free, p);
    s->free = p;
    held_sub(me, s->stride - HEAP_UHDR_SIZE);
    slab_returned(me, s, 1, caller);
}

/* Takes the slots other CPUs freed into s with one atomic exchange of its remote word
 * (acquire pairs with their release CAS, so the slots' FREE headers, fill and links written
 * before the push are seen): the list's head and length come together, so the list goes
 * onto s's own without a walk when that is empty, as it always is for a full slab (every
 * slot out). The length is checked against `used` and the head to lie in the slab's used
 * part; every further link is checked to stay inside the slab when a refill walks it
 * (slab_take_run), and each slot's header (FREE tag, class, CPU) and fill when a cache hands
 * it out, as for any freed slot. Onto a non-empty list (a partial slab, collected only when
 * out of memory) the walk to the tail checks each link and the length. May release s.
 * Returns whether there was anything to take. */
static bool slab_collect(struct heap_cpu *me, struct heap_slab *s, unsigned cls,
                         const void *caller)
{
    if (!__atomic_load_n(&s->remote, __ATOMIC_SEQ_CST))     /* see remote_free */
        return false;
    slab_check(s, cls, cpu_number(me), s, caller);
    uint32_t w = __atomic_exchange_n(&s->remote, 0, __ATOMIC_ACQUIRE);
    uint32_t n = heap_remote_count(w);
    char *head = heap_remote_head(s, w);
    if (HEAP_UNLIKELY(n == 0 || n > s->used))
        heap_fail(HEAP_E_FREELIST, s, caller, "remote free list count overwritten");
    check_slab_link(s, head, s, caller, "remote free list link overwritten");
    if (s->free) {
        char *tail = head;
        for (uint32_t k = 1; k < n; k++) {
            tail = heap_link_dec(*(uintptr_t *)tail, tail);
            if (HEAP_UNLIKELY(!tail))
                heap_fail(HEAP_E_FREELIST, s, caller, "remote free list shorter than its count");
            check_slab_link(s, tail, s, caller, "remote free list link overwritten");
        }
        if (HEAP_UNLIKELY(heap_link_dec(*(uintptr_t *)tail, tail) != NULL))
            heap_fail(HEAP_E_FREELIST, tail, caller, "remote free list longer than its count");
        *(uintptr_t *)tail = heap_link_enc(s->free, tail);
    }
    s->free = head;
    slab_returned(me, s, n, caller);        /* may release s */
    return true;
}

/* Collects the slabs of class cls if another CPU has pushed onto one of them since the last
 * time: every slab when `all` (out of memory), else full slabs until one gives slots back.
 * Collecting one slab at a time keeps its slots in the data cache from the walk here to the
 * refill that hands them out, where collecting a whole class at once walked thousands. The
 * bit is cleared before the slabs are read (sequentially consistent, see remote_free): a
 * push that lands meanwhile is either seen now or sets the bit again; stopping early sets
 * it again for the slabs not looked at. */
static void class_collect(struct heap_cpu *me, unsigned cls, bool all, const void *caller)
{
    uint32_t bit = 1u << cls;
    if (!(__atomic_load_n(&me->remote_classes, __ATOMIC_RELAXED) & bit))
        return;
    __atomic_fetch_and(&me->remote_classes, ~bit, __ATOMIC_SEQ_CST);
    struct heap_class *c = &me->cls[cls];
    for (struct heap_slab *s = c->full, *next; s; s = next) {
        next = s->next;                 /* s may move to the partial list or be released */
        if (slab_collect(me, s, cls, caller) && !all && next) {
            __atomic_fetch_or(&me->remote_classes, bit, __ATOMIC_SEQ_CST);
            return;
        }
    }
    for (struct heap_slab *s = c->partial, *next; all && s; s = next) {
        next = s->next;
        slab_collect(me, s, cls, caller);
    }
}

/* Pushes this CPU's run r onto its slab's remote list: the run's first slot is linked to the
 * list's head, then one compare-and-swap (release, so the owner's acquire exchange sees the
 * headers and links written here) makes the run's newest slot the head; then the owner's
 * class bit is set unless it is set already. After the CAS this CPU must not touch the slab:
 * the owner may collect the slots and release the slab at once. Only fields that never change
 * while the slab lives are read before.
 * Why the bit test may skip the atomic OR: the push and the test here, the clearing and the
 * list reads in class_collect, are sequentially consistent (C11 7.17.3). If this test sees
 * the bit set, the owner's clearing comes later in that single order, and so do its reads of
 * the remote lists, which then see the push. Otherwise the OR sets the bit again. Either way
 * no pushed slot waits for a bit that nobody sets. */
static void run_push(struct heap_run *r)
{
    struct heap_slab *s = r->slab;
    uint32_t *pending = &heap_g.cpu[s->cpu].remote_classes;
    uint32_t bit = 1u << s->cls;
    uint32_t head_off = (uint32_t)(r->head - (char *)s);
    uint32_t add = r->n << HEAP_REMOTE_COUNT_SHIFT;
    char *tail = r->tail;
    uint32_t old = __atomic_load_n(&s->remote, __ATOMIC_RELAXED), w;
    do {
        *(uintptr_t *)tail = heap_link_enc(heap_remote_head(s, old), tail);
        w = ((old & ~HEAP_REMOTE_OFFSET) + add) | head_off;
    } while (!__atomic_compare_exchange_n(&s->remote, &old, w, true, __ATOMIC_SEQ_CST,
                                          __ATOMIC_RELAXED));
    r->head = r->tail = NULL;
    r->slab = NULL;
    r->n = 0;
    if (!(__atomic_load_n(pending, __ATOMIC_SEQ_CST) & bit))
        __atomic_fetch_or(pending, bit, __ATOMIC_SEQ_CST);
}

/* Pushes this CPU's run of class cls, if it has one. */
static void run_flush(struct heap_cpu *me, unsigned cls)
{
    if (me->run[cls].slab)
        run_push(&me->run[cls]);
}

/* Fills the empty class cache with a run of slots from the CPU's first slab of the class
 * with room: remote frees are collected first when there are any, then a new slab is made
 * if none has room. False when out of memory. Not inlined: it runs once per
 * HEAP_CACHE_BATCH allocations at most, and inlined it costs malloc's fast path registers. */
static __attribute__((noinline)) bool cache_refill(struct heap_cpu *me, unsigned cls,
                                                   const void *caller)
{
    struct heap_class *c = &me->cls[cls];
    struct heap_slab *s = c->partial;
    run_flush(me, cls);
    if (HEAP_UNLIKELY(!s)) {
        class_collect(me, cls, false, caller);
        s = c->partial;
        if (!s)
            s = slab_new(me, cls, caller);
        if (!s)
            return false;
    }
    slab_check(s, cls, cpu_number(me), s, caller);
    uint32_t n;
    c->cache = slab_take_run(s, HEAP_CACHE_BATCH, &n, caller);
    c->room = HEAP_CACHE_MAX - n;
    held_add(me, (size_t)n * class_usable(cls));
    s->used += n;
    if (s->used == s->capacity) {
        slab_unlink(c, s);
        slab_link(c, s);
    }
    return true;
}

/* Pops the class cache's most recently freed slot, the cache not empty; the head's range (it
 * was decoded from the previous slot's link unchecked, heap_class), header and fill are
 * checked. */
static inline __attribute__((always_inline)) char *cache_take(struct heap_cpu *me,
                                                               struct heap_class *c,
                                                               unsigned cls,
                                                               uint32_t *info_out,
                                                               const void *caller)
{
    char *p = c->cache;
    if (HEAP_UNLIKELY(!heap_aligned_in_range(p)))
        heap_fail(HEAP_E_FREELIST, p, caller, "class cache link overwritten");
    uint32_t info = check_free_header(p, cls, me->info_bits, caller);
    if (HEAP_UNLIKELY(info & HEAP_INFO_GUARD))
        check_free_fill(p, cls, caller);
    c->cache = heap_link_dec(*(uintptr_t *)p, p);
    c->room++;
    *info_out = info;
    return p;
}

/* A slot just taken from a cache (verified info `old`) gets its ALLOC header; flags:
 * HEAP_INFO_GUARD or 0. */
static inline __attribute__((always_inline)) void set_alloc_tag(char *p, uint32_t old,
                                                                 uint32_t flags)
{
    struct heap_uhdr *h = heap_uhdr_of(p);
    uint32_t info = (old & ~HEAP_INFO_GUARD) | flags;
    if (HEAP_UNLIKELY(info != old)) {
        h->info = info;
        h->tag = heap_tag(p, info, 0, HEAP_STATE_ALLOC);
    } else {
        h->tag ^= HEAP_STATE_FREE ^ HEAP_STATE_ALLOC;       /* verified: tag ^ FREE */
    }
}

/* A slot of class cls with an ALLOC header (flags: HEAP_INFO_GUARD or 0), or NULL. */
static inline __attribute__((always_inline)) void *small_alloc(struct heap_cpu *me, unsigned cls,
                                                                uint32_t flags,
                                                                const void *caller)
{
    struct heap_class *c = &me->cls[cls];
    if (HEAP_UNLIKELY(!c->cache) && !cache_refill(me, cls, caller))
        return NULL;
    uint32_t old;
    char *p = cache_take(me, c, cls, &old, caller);
    set_alloc_tag(p, old, flags);
    return p;
}

/* Whether a slot's offset from its slab (info's HEAP_INFO_OFFSET) lies in the slab's slot
 * area, [s->first, s->end) for every slab, in one compare and without reading the slab. */
static inline __attribute__((always_inline)) bool slot_offset_ok(uint32_t info)
{
    return (info & HEAP_INFO_OFFSET) - HEAP_SLAB_FIRST_OFF < HEAP_SLAB_END_OFF - HEAP_SLAB_FIRST_OFF;
}

/* A remotely freed slot that lies outside its slab: reported (never returns; not declared
 * noreturn so that remote_free reaches it by a tail call and needs no stack frame). */
static __attribute__((noinline)) void remote_slot_outside(char *p, const void *caller)
{
    heap_fail(HEAP_E_BAD_HEADER, p, caller, "slot outside its slab");
}

/* remote_free's slot p of a slab other than the run's: s's header (magic, class, CPU) is
 * checked, the old run is pushed, and p starts a new run. */
static __attribute__((noinline)) void run_start(struct heap_run *r, struct heap_slab *s, char *p,
                                                uint32_t info, const void *caller)
{
    slab_check(s, info_class(info), info_cpu(info), p, caller);
    if (HEAP_UNLIKELY(!slot_offset_ok(info))) {
        remote_slot_outside(p, caller);
        return;
    }
    if (r->slab)
        run_push(r);
    *(uintptr_t *)p = heap_link_enc(NULL, p);
    r->head = r->tail = p;
    r->slab = s;
    r->n = 1;
}

/* A slot of another CPU's slab (FREE tag set) goes onto this CPU's run of its class (mimalloc
 * pushes each such block with its own compare-and-swap; a run pushes up to HEAP_RUN_MAX
 * slots with one). A slot of another slab than the run's pushes the run and starts a new
 * one (run_start), where the new slab's header is checked, once per run; every slot is
 * checked to lie inside its slab. r is the freeing CPU's run of the slot's class. A leaf
 * whose other exits are tail calls. */
static __attribute__((noinline)) void remote_free(char *p, struct heap_run *r, uint32_t info,
                                                  const void *caller)
{
    struct heap_slab *s = (struct heap_slab *)(p - (info & HEAP_INFO_OFFSET));
    if (HEAP_UNLIKELY(r->slab != s)) {
        run_start(r, s, p, info, caller);
        return;
    }
    if (HEAP_UNLIKELY(!slot_offset_ok(info))) {
        remote_slot_outside(p, caller);
        return;
    }
    *(uintptr_t *)p = heap_link_enc(r->head, p);
    r->head = p;
    if (HEAP_UNLIKELY(++r->n >= HEAP_RUN_MAX))
        run_push(r);
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
    if (HEAP_UNLIKELY((info & HEAP_INFO_CPU) != me->info_bits)) {
        held_sub(me, class_usable(cls));
        remote_free(p, &me->run[cls], info, caller);
        return;
    }
    struct heap_class *c = &me->cls[cls];
    if (HEAP_UNLIKELY(c->room == 0)) {
        slab_put(p, me, info, caller);
        return;
    }
    *(uintptr_t *)p = heap_link_enc(c->cache, p);
    c->cache = p;
    c->room--;
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
            slab_put(p, me, info, caller);
            moved++;
        }
        run_flush(me, cls);
        if (__atomic_load_n(&me->remote_classes, __ATOMIC_RELAXED) & (1u << cls)) {
            class_collect(me, cls, true, caller);
            moved++;
        }
    }
    return moved;
}

/* ---- allocation and free, all tiers -------------------------------------------------- */


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
        if (p) {
            *usable = heap_tlsf_usable(p);
            held_add(me, *usable);
        }
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
static __attribute__((noinline)) void *alloc_any(size_t n, size_t align, const void *caller)
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
    me->mallocs++;
    if (guard)
        heap_guard_arm(p, usable, n);
    return p;
}

/* malloc's path when the class cache is empty: a batch refill and the first slot of it,
 * without alloc_any's set-up; alloc_any when out of memory (it flushes and retries). */
static __attribute__((noinline)) void *malloc_refill(size_t size, struct heap_cpu *me,
                                                     unsigned cls, const void *caller)
{
    void *p = small_alloc(me, cls, 0, caller);
    if (HEAP_UNLIKELY(!p))
        return alloc_any(size, HEAP_ALIGN, caller);
    me->mallocs++;
    return p;
}

/* The bits of a cached slot's info that its class's `key` holds (heap_class_key): the kind
 * bits clear (a slot, not TLSF or internal; not filled in guard mode) and the cache's class
 * and CPU. */
#define FAST_INFO_MASK (HEAP_INFO_TLSF | HEAP_INFO_GUARD | HEAP_INFO_INTERNAL | \
                        HEAP_INFO_CLASS | HEAP_INFO_CPU)
_Static_assert(((HEAP_STATE_ALLOC ^ HEAP_STATE_FREE) & ~FAST_INFO_MASK) != 0,
               "a live slot's tag never passes malloc's compare with a class key");

/* Fast path on the calling CPU's share me: a small request outside guard mode (one compare
 * with fast_below) is one checked pop of the class cache: the head's range (which also finds
 * the cache empty), then its tag against the class key (heap_class_key: tag, kind, class, CPU
 * and guard state in one compare); no lock, no atomic read-modify-write. Only `size` and `me`
 * are live, so it runs in scratch registers and every other exit is a tail call. A slot whose
 * header or range does not pass (a guard slot with a fill to verify, or a corrupted one) goes
 * to alloc_any, whose cache_take checks it again and reports it or verifies its fill; so does
 * every other request. */
static inline __attribute__((always_inline)) void *malloc_on(struct heap_cpu *me, size_t size,
                                                             const void *caller)
{
    if (HEAP_LIKELY(size < __atomic_load_n(&heap_g.fast_below, __ATOMIC_RELAXED))) {
        struct heap_class *c = (struct heap_class *)((char *)me->cls + class_off(size));
        char *p = c->cache;
        /* The empty cache's NULL fails the range check too (heap_g.lo >= HEAP_PAGE_SIZE). */
        if (HEAP_UNLIKELY(!heap_aligned_in_range(p))) {
            if (p == NULL)
                return malloc_refill(size, me, (unsigned)(c - me->cls), caller);
            return alloc_any(size, HEAP_ALIGN, caller);         /* cache_take reports it */
        }
        struct heap_uhdr *h = heap_uhdr_of(p);
        uint32_t tag = h->tag;
        if (HEAP_LIKELY(tag == heap_slot_tag(p, h->info & ~FAST_INFO_MASK, c->key))) {
            c->cache = heap_link_dec(*(uintptr_t *)p, p);   /* checked when it is popped */
            c->room++;
            h->tag = tag ^ HEAP_STATE_FREE ^ HEAP_STATE_ALLOC;  /* verified: tag ^ FREE */
            me->mallocs++;          /* a slot from the cache to the caller: held is unchanged */
            return p;
        }
    }
    return alloc_any(size, HEAP_ALIGN, caller);
}

/* The CPU's share is bound in its per-CPU place (heap_impl.h, heap_cpu_bound): one inline
 * load, and malloc calls no function on its fast path. While it is unbound (NULL) alloc_any's
 * this_cpu asks the hook, checks the index and binds it, if the hook is HEAP_CPU_HOOK or there
 * are none; with any other hook nothing is bound and every call asks it there. */
void *malloc(size_t size)
{
    const void *caller = __builtin_return_address(0);
    struct heap_cpu *me = heap_cpu_bound();
    if (HEAP_LIKELY(me != NULL))
        return malloc_on(me, size, caller);
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

static __attribute__((noinline)) void free_block(void *p, const void *caller)
{
    if (!p)
        return;                             /* free(NULL): the fast path's range check sent it */
    struct heap_cpu *me = this_cpu(caller);
    uint32_t info;
    size_t usable = live_block(p, &info, caller);
    me->frees++;
    if (!(info & HEAP_INFO_TLSF)) {
        small_free(me, p, info, caller);
        return;
    }
    held_sub(me, usable);
    if (info & HEAP_INFO_GUARD)
        heap_guard_check(p, usable, caller);
    tlsf_free_locked(p, caller);
}

/* Fast path on the calling CPU's share me: a small block allocated outside guard mode and
 * freed while guard mode is off is one tag check, then a push onto the class cache (no lock,
 * no atomic read-modify-write) when this CPU owns the slot's slab, else onto this CPU's
 * remote-free run. The tag is computed for a block size of 0, which no TLSF block's tag
 * matches (heap_tag), so a block that passes is a slot; its guard bit and CPU are compared
 * with free_expect in one compare, which also fails in guard mode. NULL fails the range check
 * and free_block returns. Every exit but the cache push is a tail call. Everything else and
 * any header that fails the check go to free_block, which tells what is wrong. */
static inline __attribute__((always_inline)) void free_on(struct heap_cpu *me, void *ptr,
                                                          const void *caller)
{
    if (HEAP_LIKELY(heap_aligned_in_range(ptr))) {
        struct heap_uhdr *h = heap_uhdr_of(ptr);
        uint32_t info = h->info, tag = h->tag;
        uint32_t expect = __atomic_load_n(&me->free_expect, __ATOMIC_RELAXED);
        if (HEAP_LIKELY(tag == heap_slot_tag(ptr, info, heap_g.key_alloc))) {
            struct heap_class *c = (struct heap_class *)((char *)me->cls +
                                                         heap_class_offset(info));
            if (HEAP_LIKELY((info & (HEAP_INFO_GUARD | HEAP_INFO_CPU)) == expect)) {
                me->frees++;        /* onto the cache (held is unchanged) or slab_put */
                h->tag = tag ^ HEAP_STATE_ALLOC ^ HEAP_STATE_FREE;  /* verified: tag ^ ALLOC */
                if (HEAP_UNLIKELY(c->room-- == 0)) {
                    c->room = 0;    /* the decrement borrowed: the cache is full */
                    slab_put(ptr, me, info, caller);
                    return;
                }
                *(uintptr_t *)ptr = heap_link_enc(c->cache, ptr);
                c->cache = ptr;
                return;
            }
            /* Another CPU's slot, not guarded, with guard mode off: the CPU bits are
             * compared here again, not inferred from the compare above, whose free_expect may
             * have been loaded with guard mode on; a switch to off before the mode is read
             * here would otherwise send one of this CPU's own slots to a remote-free run. */
            if (HEAP_LIKELY((info & (HEAP_INFO_GUARD | HEAP_INFO_CPU)) != me->info_bits &&
                            !(info & HEAP_INFO_GUARD) && !heap_guard_on())) {
                me->frees++;
                unsigned cls = info_class(info);
                held_sub(me, class_usable(cls));
                h->tag = tag ^ HEAP_STATE_ALLOC ^ HEAP_STATE_FREE;
                remote_free(ptr, &me->run[cls], info, caller);
                return;
            }
        }
    }
    free_block(ptr, caller);
}

/* As malloc: the CPU's bound share, else free_block (whose this_cpu binds it as alloc_any's
 * does). */
void free(void *ptr)
{
    const void *caller = __builtin_return_address(0);
    struct heap_cpu *me = heap_cpu_bound();
    if (HEAP_LIKELY(me != NULL)) {
        free_on(me, ptr, caller);
        return;
    }
    free_block(ptr, caller);
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

/* Fills the request-size to class table (heap_init). */
void heap_classes_init(void)
{
    unsigned cls = 0;
    for (unsigned i = 0; i < CLASS_INDEX_COUNT; i++) {
        while (heap_class_stride[cls] < i * HEAP_CLASS_UNIT)
            cls++;
        heap_class_off[i] = (uint16_t)(cls * sizeof(struct heap_class));
    }
    for (uint32_t cpu = 0; cpu < HEAP_MAX_CPUS; cpu++) {
        for (cls = 0; cls < HEAP_CLASS_COUNT; cls++) {
            heap_g.cpu[cpu].cls[cls].key = heap_class_key(cpu, cls);
            heap_g.cpu[cpu].cls[cls].room = HEAP_CACHE_MAX;
        }
    }
}

bool heap_class_fixed_ok(const struct heap_class *c, uint32_t cpu, unsigned cls)
{
    return c->key == heap_class_key(cpu, cls);
}
