/* heap_check: a full consistency walk of the heap for tests and debugging. It visits every
 * block of every chunk (physical order), every TLSF free list, class cache and slab slot,
 * checks the invariants heap.c and heap_tlsf.c rely on, and recounts what the counters claim (the
 * counters are the single source the statistics report; this walk proves they match).
 * Reports problems with kprintf and returns their number; never panics. O(heap size). */
#include "kernel/mm/heap_impl.h"
#include "kernel/core/log.h"

struct walk {
    unsigned problems;
    size_t live, in_use, free_bytes, free_blocks, slabs, cached, cached_listed;
    size_t slabs_listed;        /* slabs found on the CPUs' partial and full lists */
    size_t run_slots, run_slots_in_slabs;   /* on remote-free runs; of those, in live slabs */
};

static void problem(struct walk *w, const char *what, const void *where, uintptr_t value)
{
    if (w->problems++ < 20)
        kprintf("heap: check: %s at %p (value 0x%zx)\n", what, where, (size_t)value);
}

/* A guarded live block: trailer tag and canary bytes, without panicking. */
static void check_guard(struct walk *w, char *p, size_t usable)
{
    const struct heap_trailer *t = (const void *)(p + usable - HEAP_TRAILER_SIZE);
    if (t->check != heap_tag(p, t->slack, 0, HEAP_STATE_TRAILER) ||
        t->slack < HEAP_GUARD_EXTRA || t->slack > usable) {
        problem(w, "guard trailer overwritten", p, t->slack);
        return;
    }
    size_t zone = t->slack - HEAP_TRAILER_SIZE;
    if (heap_find_not(p + usable - t->slack, HEAP_CANARY_FILL, zone) != zone)
        problem(w, "guard canary overwritten", p, t->slack);
}

/* Slots of slab s waiting in its owner's class cache (the list itself is checked by
 * check_cache; here the walk is only bounded). */
static uint32_t cached_in_slab(const struct heap_slab *s)
{
    uint32_t n = 0, steps = 0;
    for (char *p = heap_g.cpu[s->cpu].cls[s->cls].cache; p && steps <= HEAP_CACHE_MAX; steps++) {
        if (!heap_in_range(p) || ((uintptr_t)p & (HEAP_ALIGN - 1)))
            break;
        if (p >= s->first && p < s->bump)
            n++;
        p = heap_link_dec(*(uintptr_t *)p, p);
    }
    return n;
}

/* Slots of slab s its class's remote-free runs claim, over every CPU (check_runs walks the
 * runs themselves). */
static uint32_t run_slots_in_slab(const struct heap_slab *s)
{
    uint32_t n = 0;
    for (uint32_t cpu = 0; cpu < HEAP_MAX_CPUS; cpu++) {
        const struct heap_run *r = &heap_g.cpu[cpu].run[s->cls];
        if (r->slab == s)
            n += r->n;
    }
    return n;
}

/* Length of a slab's own or remote free list, every link inside the slab's used part. */
static uint32_t slab_list_length(struct walk *w, const struct heap_slab *s, char *p,
                                 const char *what)
{
    uint32_t n = 0;
    for (; p && n <= s->capacity; n++) {
        if (p < s->first || p >= s->bump) {
            problem(w, what, p, 0);
            break;
        }
        p = heap_link_dec(*(uintptr_t *)p, p);
    }
    return n;
}

/* Every slot the slab ever handed out is either live (ALLOC tag) or free (FREE tag); a free
 * slot is on the slab's list, its remote list, another CPU's remote-free run or its owner's
 * class cache, and `used` counts live, cached, remote and on runs. */
static void check_slab(struct walk *w, struct heap_slab *s)
{
    if (s->magic != (HEAP_SLAB_MAGIC ^ heap_g.key_tag ^ (uint32_t)(uintptr_t)s) ||
        s->cls >= HEAP_CLASS_COUNT || s->stride < HEAP_CLASS_UNIT || s->cpu >= HEAP_MAX_CPUS) {
        problem(w, "slab header", s, s->magic);
        return;
    }
    size_t usable = s->stride - HEAP_UHDR_SIZE;
    uint32_t live = 0, freed = 0;
    uint32_t kind_bits = s->cls << HEAP_INFO_CLASS_SHIFT | s->cpu << HEAP_INFO_CPU_SHIFT;
    uint32_t kind = HEAP_INFO_CLASS | HEAP_INFO_CPU | HEAP_INFO_TLSF | HEAP_INFO_INTERNAL;
    for (char *p = s->first; p < s->bump; p += s->stride) {
        struct heap_uhdr *h = heap_uhdr_of(p);
        if ((h->info & HEAP_INFO_OFFSET) != (uint32_t)(p - (char *)s) ||
            (h->info & kind) != kind_bits)
            problem(w, "slot offset or class", p, h->info);
        if (h->tag == heap_tag(p, h->info, 0, HEAP_STATE_ALLOC)) {
            live++;
            if (h->info & HEAP_INFO_GUARD)
                check_guard(w, p, usable);
        } else if (h->tag == heap_tag(p, h->info, 0, HEAP_STATE_FREE)) {
            freed++;
        } else {
            problem(w, "slot tag", p, h->tag);
        }
    }
    uint32_t listed = slab_list_length(w, s, s->free, "slab free link out of slab");
    uint32_t on_runs = run_slots_in_slab(s);
    uint32_t rw = __atomic_load_n(&s->remote, __ATOMIC_RELAXED);
    uint32_t pushed = slab_list_length(w, s, heap_remote_head(s, rw), "remote free link out of slab");
    if (pushed != heap_remote_count(rw))
        problem(w, "remote free list count", s, rw);
    uint32_t remote = pushed + on_runs;
    w->run_slots_in_slabs += on_runs;
    uint32_t cached = cached_in_slab(s);
    uint32_t unused = (uint32_t)((size_t)(s->end - (s->bump - HEAP_UHDR_SIZE)) / s->stride);
    if (live + cached + remote != s->used || listed + cached + remote != freed ||
        live + freed + unused != s->capacity)
        problem(w, "slab counts", s, s->used);
    if (s->listed != (s->used < s->capacity))
        problem(w, "slab list membership", s, s->used);
    w->live += live;
    w->in_use += (size_t)live * usable;
    w->cached += cached;
    w->slabs++;
}

static void check_used_block(struct walk *w, struct heap_tblk *b)
{
    void *u = heap_tblk_user(b);
    struct heap_uhdr *h = heap_uhdr_of(u);
    if (h->tag != heap_tag(u, h->info, heap_tblk_size(b), HEAP_STATE_ALLOC)) {
        problem(w, "used block tag", u, h->tag);
        return;
    }
    size_t usable = heap_tblk_size(b) - HEAP_TBLK_HDR;
    if (h->info & HEAP_INFO_INTERNAL) {
        check_slab(w, u);
        return;
    }
    w->live++;
    w->in_use += usable;
    if (h->info & HEAP_INFO_GUARD)
        check_guard(w, u, usable);
}

static void check_free_block(struct walk *w, struct heap_tblk *b, bool prev_free)
{
    void *u = heap_tblk_user(b);
    struct heap_uhdr *h = heap_uhdr_of(u);
    if (h->tag != heap_tag(u, h->info, heap_tblk_size(b), HEAP_STATE_FREE))
        problem(w, "free block tag", u, h->tag);
    if (prev_free)
        problem(w, "two adjacent free blocks (missed coalescing)", u, 0);
    size_t skip = sizeof(struct heap_tlinks), n = heap_tblk_size(b) - HEAP_TBLK_HDR - skip;
    if ((h->info & HEAP_INFO_GUARD) &&
        heap_find_not((char *)u + skip, HEAP_FREE_FILL, n) != n)
        problem(w, "freed memory written", u, 0);
    w->free_bytes += heap_tblk_size(b);
    w->free_blocks++;
}

static void check_chunk(struct walk *w, const struct heap_chunk *c)
{
    struct heap_tblk *b = (struct heap_tblk *)c->base, *prev = NULL;
    bool prev_free = false;
    uintptr_t last = c->end - HEAP_TBLK_HDR;
    while ((uintptr_t)b < last) {
        size_t size = heap_tblk_size(b);
        if (b->prev_phys != prev)
            problem(w, "prev_phys link", b, (uintptr_t)b->prev_phys);
        if (size < HEAP_TBLK_MIN || size % HEAP_ALIGN || size > last - (uintptr_t)b) {
            problem(w, "block size", b, size);
            return;
        }
        bool is_free = (b->size & HEAP_TBLK_FREE) != 0;
        if (is_free)
            check_free_block(w, b, prev_free);
        else
            check_used_block(w, b);
        prev_free = is_free;
        prev = b;
        b = (struct heap_tblk *)((char *)b + size);
    }
    if ((uintptr_t)b != last || b->size != 0 || b->prev_phys != prev)
        problem(w, "chunk sentinel", b, b->size);
}

/* Every list member is free, in range, in the right bin, and linked both ways. */
static void check_bins(struct walk *w)
{
    size_t members = 0;
    for (unsigned fl = 0; fl < HEAP_FL_COUNT; fl++)
        for (unsigned sl = 0; sl < HEAP_SL_COUNT; sl++) {
            struct heap_tblk *b = heap_g.bins[fl][sl], *prev = NULL;
            bool bit = (heap_g.sl_bitmap[fl] >> sl) & 1;
            if (bit != (b != NULL) || (bit && !((heap_g.fl_bitmap >> fl) & 1)))
                problem(w, "bin bitmap", b, fl * HEAP_SL_COUNT + sl);
            for (; b && members <= heap_g.tlsf_free_blocks; members++) {
                struct heap_tlinks *l = heap_tblk_user(b);
                if (!heap_in_range(b) || !(b->size & HEAP_TBLK_FREE) ||
                    heap_link_dec(l->prev_enc, &l->prev_enc) != prev) {
                    problem(w, "free list member", b, fl * HEAP_SL_COUNT + sl);
                    break;
                }
                prev = b;
                b = heap_link_dec(l->next_enc, &l->next_enc);
            }
        }
    if (members != heap_g.tlsf_free_blocks)
        problem(w, "free list length", NULL, members);
}

/* One class cache of CPU cpu: the class's fixed fields as heap_init set them, every member a
 * FREE slot of this class and CPU inside the heap, the count right. */
static void check_cache(struct walk *w, uint32_t cpu, unsigned cls)
{
    const struct heap_class *c = &heap_g.cpu[cpu].cls[cls];
    uint32_t n = 0;
    if (!heap_class_fixed_ok(c, cpu, cls))
        problem(w, "class key", NULL, cls);
    for (char *p = c->cache; p; n++) {
        if (n >= heap_class_cached(c) || !heap_aligned_in_range(p)) {
            problem(w, "class cache link", p, cls);
            return;
        }
        struct heap_uhdr *h = heap_uhdr_of(p);
        uint32_t kind = h->info & (HEAP_INFO_CLASS | HEAP_INFO_CPU | HEAP_INFO_TLSF |
                                   HEAP_INFO_INTERNAL);
        if (kind != (cls << HEAP_INFO_CLASS_SHIFT | cpu << HEAP_INFO_CPU_SHIFT) ||
            h->tag != heap_tag(p, h->info, 0, HEAP_STATE_FREE)) {
            problem(w, "class cache member", p, h->info);
            return;
        }
        p = heap_link_dec(*(uintptr_t *)p, p);
    }
    if (c->room > HEAP_CACHE_MAX || n != heap_class_cached(c))
        problem(w, "class cache count", NULL, heap_class_cached(c));
    w->cached_listed += n;
}

/* One of a CPU's slab lists: each member of this class and CPU, on the list its fill says. */
static void check_slab_list(struct walk *w, const struct heap_slab *s, uint32_t cpu,
                            unsigned cls, bool partial)
{
    for (size_t n = 0; s; s = s->next) {
        if (s->listed != partial || s->cls != cls || s->cpu != cpu || ++n > w->slabs) {
            problem(w, partial ? "class partial list" : "class full list", s, cls);
            return;
        }
        w->slabs_listed++;
    }
}

/* CPU cpu's remote-free run of class cls: empty, or 1 .. HEAP_RUN_MAX - 1 FREE slots of
 * one live slab of that class owned by another CPU, linked from head to tail. */
static void check_run(struct walk *w, uint32_t cpu, unsigned cls)
{
    const struct heap_run *r = &heap_g.cpu[cpu].run[cls];
    const struct heap_slab *s = r->slab;
    if (!s) {
        if (r->head || r->tail || r->n)
            problem(w, "empty remote-free run with slots", r->head, r->n);
        return;
    }
    if (!heap_in_range(s) || ((uintptr_t)s & (HEAP_ALIGN - 1)) ||
        s->magic != (HEAP_SLAB_MAGIC ^ heap_g.key_tag ^ (uint32_t)(uintptr_t)s) ||
        s->cls != cls || s->cpu == cpu || r->n == 0 || r->n >= HEAP_RUN_MAX) {
        problem(w, "remote-free run's slab or count", s, r->n);
        return;
    }
    uint32_t n = 0, expect = cls << HEAP_INFO_CLASS_SHIFT | s->cpu << HEAP_INFO_CPU_SHIFT;
    uint32_t kind = HEAP_INFO_CLASS | HEAP_INFO_CPU | HEAP_INFO_TLSF | HEAP_INFO_INTERNAL;
    const char *last = NULL;
    for (char *p = r->head; p; p = heap_link_dec(*(uintptr_t *)p, p)) {
        struct heap_uhdr *h = heap_uhdr_of(p);
        if (++n > r->n || p < s->first || p >= s->bump || (h->info & kind) != expect ||
            h->tag != heap_tag(p, h->info, 0, HEAP_STATE_FREE)) {
            problem(w, "remote-free run member", p, n);
            return;
        }
        last = p;
    }
    if (n != r->n || last != r->tail)
        problem(w, "remote-free run length or tail", r->tail, n);
    w->run_slots += r->n;
}

static void check_classes(struct walk *w)
{
    if (heap_g.key_alloc != (heap_g.key_tag ^ HEAP_STATE_ALLOC) ||
        heap_g.key_free != (heap_g.key_tag ^ HEAP_STATE_FREE))
        problem(w, "slot tag keys", NULL, heap_g.key_alloc);
    for (uint32_t cpu = 0; cpu < HEAP_MAX_CPUS; cpu++) {
        const struct heap_cpu *me = &heap_g.cpu[cpu];
        if (me->info_bits != cpu << HEAP_INFO_CPU_SHIFT ||
            me->free_expect != heap_free_expect(me->info_bits, heap_guard_on()))
            problem(w, "CPU's info bits or free's expected bits", NULL, cpu);
        for (unsigned c = 0; c < HEAP_CLASS_COUNT; c++) {
            check_slab_list(w, heap_g.cpu[cpu].cls[c].partial, cpu, c, true);
            check_slab_list(w, heap_g.cpu[cpu].cls[c].full, cpu, c, false);
            check_cache(w, cpu, c);
            check_run(w, cpu, c);
        }
    }
    if (w->run_slots != w->run_slots_in_slabs)
        problem(w, "remote-free run slots outside a slab", NULL, w->run_slots);
    if (w->cached_listed != w->cached)
        problem(w, "cached slots outside a slab", NULL, w->cached_listed);
    if (w->slabs_listed != w->slabs)
        problem(w, "slabs on no CPU's list", NULL, w->slabs_listed);
}

unsigned heap_check(void)
{
    struct walk w = {0};
    for (unsigned i = 0; i < heap_g.nchunks; i++)
        check_chunk(&w, &heap_g.chunks[i]);
    check_bins(&w);
    check_classes(&w);
    struct heap_totals t;
    heap_cpu_totals(&t);
    if (w.live != t.mallocs - t.frees)
        problem(&w, "live block count", NULL, w.live);
    if ((int64_t)w.in_use != t.in_use)
        problem(&w, "bytes in use", NULL, w.in_use);
    if (w.free_bytes != heap_g.tlsf_free_bytes || w.free_blocks != heap_g.tlsf_free_blocks)
        problem(&w, "free byte/block counters", NULL, w.free_bytes);
    if (w.slabs * HEAP_SLAB_SIZE != heap_g.slab_bytes)
        problem(&w, "slab byte counter", NULL, w.slabs);
    return w.problems;
}
