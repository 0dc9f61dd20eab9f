/* The heap's TLSF tier: medium blocks, whole-page large blocks and the slabs of the small
 * tier all come from here. Allocation and free take bounded time: two bitmap scans find a bin,
 * free blocks merge with both physical neighbours at once (Masmano et al., ECRTS 2004; bin
 * mapping after M. Conte's tlsf.c). Called only from heap.c, with headers already verified
 * where the caller can, always under heap_lock(); this file checks list links and
 * neighbours itself.
 * Invariants: no two free blocks are physically adjacent; every block's prev_phys is right;
 * a free block in guard mode ("filled") holds HEAP_FREE_FILL in [user + links, end). */
#include "kernel/mm/heap_impl.h"

#define LINKS_SIZE ((size_t)sizeof(struct heap_tlinks))

static unsigned fls_size(size_t x)      /* index of the highest set bit; x != 0 */
{
    return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
}

static void mapping_insert(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < HEAP_SMALL_BLOCK) {
        *fl = 0;
        *sl = (unsigned)(size >> HEAP_ALIGN_LOG2);
        return;
    }
    unsigned f = fls_size(size);
    *sl = (unsigned)(size >> (f - HEAP_SL_LOG2)) ^ HEAP_SL_COUNT;
    *fl = f - (HEAP_FL_SHIFT - 1);
}

/* Rounds size up to the next bin boundary so any block in the bin found is big enough. */
static void mapping_search(size_t size, unsigned *fl, unsigned *sl)
{
    if (size >= HEAP_SMALL_BLOCK)
        size += ((size_t)1 << (fls_size(size) - HEAP_SL_LOG2)) - 1;
    mapping_insert(size, fl, sl);
}

static struct heap_tblk *tblk_next(const struct heap_tblk *b)
{
    return (struct heap_tblk *)((char *)b + heap_tblk_size(b));
}

static struct heap_tlinks *tlinks(struct heap_tblk *b)
{
    return (struct heap_tlinks *)heap_tblk_user(b);
}

static bool tblk_filled(struct heap_tblk *b)
{
    return (heap_uhdr_of(heap_tblk_user(b))->info & HEAP_INFO_GUARD) != 0;
}

static void set_free_hdr(struct heap_tblk *b, bool filled)
{
    void *u = heap_tblk_user(b);
    uint32_t info = HEAP_INFO_TLSF | (filled ? HEAP_INFO_GUARD : 0);
    heap_uhdr_of(u)->info = info;
    heap_uhdr_of(u)->tag = heap_tag(u, info, heap_tblk_size(b), HEAP_STATE_FREE);
}

static void set_used_hdr(struct heap_tblk *b, uint32_t info)
{
    void *u = heap_tblk_user(b);
    heap_uhdr_of(u)->info = info;
    heap_uhdr_of(u)->tag = heap_tag(u, info, heap_tblk_size(b), HEAP_STATE_ALLOC);
}

/* A block about to be taken off a list or merged must really be a free block. */
static void check_free_block(struct heap_tblk *b, const void *caller)
{
    void *u = heap_tblk_user(b);
    struct heap_uhdr *h = heap_uhdr_of(u);
    if (!heap_in_range(b) || !(b->size & HEAP_TBLK_FREE) ||
        h->tag != heap_tag(u, h->info, heap_tblk_size(b), HEAP_STATE_FREE))
        heap_fail(HEAP_E_FREELIST, u, caller, "free TLSF block header does not check out");
}

static void list_insert(struct heap_tblk *b, bool filled)
{
    unsigned fl, sl;
    mapping_insert(heap_tblk_size(b), &fl, &sl);
    struct heap_tblk *head = heap_g.bins[fl][sl];
    b->size |= HEAP_TBLK_FREE;
    set_free_hdr(b, filled);
    tlinks(b)->next_enc = heap_link_enc(head, &tlinks(b)->next_enc);
    tlinks(b)->prev_enc = heap_link_enc(NULL, &tlinks(b)->prev_enc);
    if (head)
        tlinks(head)->prev_enc = heap_link_enc(b, &tlinks(head)->prev_enc);
    heap_g.bins[fl][sl] = b;
    heap_g.fl_bitmap |= 1u << fl;
    heap_g.sl_bitmap[fl] |= 1u << sl;
    heap_g.tlsf_free_bytes += heap_tblk_size(b);
    heap_g.tlsf_free_blocks++;
}

/* Safe unlinking (as glibc does it): both neighbours in the list must point back at b. */
static void list_remove(struct heap_tblk *b, const void *caller)
{
    unsigned fl, sl;
    mapping_insert(heap_tblk_size(b), &fl, &sl);
    struct heap_tblk *next = heap_link_dec(tlinks(b)->next_enc, &tlinks(b)->next_enc);
    struct heap_tblk *prev = heap_link_dec(tlinks(b)->prev_enc, &tlinks(b)->prev_enc);
    if ((next && (!heap_in_range(next) ||
                  heap_link_dec(tlinks(next)->prev_enc, &tlinks(next)->prev_enc) != b)) ||
        (prev && (!heap_in_range(prev) ||
                  heap_link_dec(tlinks(prev)->next_enc, &tlinks(prev)->next_enc) != b)) ||
        (!prev && heap_g.bins[fl][sl] != b))
        heap_fail(HEAP_E_FREELIST, heap_tblk_user(b), caller, "TLSF free-list links broken");
    if (next)
        tlinks(next)->prev_enc = heap_link_enc(prev, &tlinks(next)->prev_enc);
    if (prev) {
        tlinks(prev)->next_enc = heap_link_enc(next, &tlinks(prev)->next_enc);
    } else {
        heap_g.bins[fl][sl] = next;
        if (!next) {
            heap_g.sl_bitmap[fl] &= ~(1u << sl);
            if (!heap_g.sl_bitmap[fl])
                heap_g.fl_bitmap &= ~(1u << fl);
        }
    }
    b->size &= ~HEAP_TBLK_FREE;
    heap_g.tlsf_free_bytes -= heap_tblk_size(b);
    heap_g.tlsf_free_blocks--;
}

/* The first free block of at least `size` bytes, taken off its list; NULL if none. */
static struct heap_tblk *take_block(size_t size, const void *caller)
{
    unsigned fl, sl;
    mapping_search(size, &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return NULL;
    uint32_t sl_map = heap_g.sl_bitmap[fl] & (~0u << sl);
    if (!sl_map) {
        uint32_t fl_map = heap_g.fl_bitmap & (~0u << (fl + 1));
        if (!fl_map)
            return NULL;
        fl = (unsigned)__builtin_ctz(fl_map);
        sl_map = heap_g.sl_bitmap[fl];
    }
    struct heap_tblk *b = heap_g.bins[fl][(unsigned)__builtin_ctz(sl_map)];
    check_free_block(b, caller);
    list_remove(b, caller);
    return b;
}

/* Cuts b (not on a list) to `size` bytes; the rest becomes a free block if big enough. */
static void split_tail(struct heap_tblk *b, size_t size, bool filled)
{
    size_t have = heap_tblk_size(b);
    if (have - size < HEAP_TBLK_MIN)
        return;
    struct heap_tblk *r = (struct heap_tblk *)((char *)b + size);
    r->prev_phys = b;
    r->size = have - size;
    tblk_next(r)->prev_phys = r;
    b->size = size | (b->size & HEAP_TBLK_FREE);
    list_insert(r, filled);
}

/* Moves b's start up so its user pointer is aligned; the cut-off head becomes free. */
static struct heap_tblk *split_head(struct heap_tblk *b, size_t align, bool filled)
{
    uintptr_t u = (uintptr_t)heap_tblk_user(b);
    uintptr_t a = HEAP_ALIGN_UP(u, align);
    if (a == u)
        return b;
    while (a - u < HEAP_TBLK_MIN)
        a += align;
    struct heap_tblk *b2 = heap_tblk_of((void *)a);
    b2->prev_phys = b;
    b2->size = heap_tblk_size(b) - (a - u);
    tblk_next(b2)->prev_phys = b2;
    b->size = a - u;
    list_insert(b, filled);
    return b2;
}

void *heap_tlsf_alloc(size_t total, size_t align, uint32_t extra_info, const void *caller)
{
    size_t want = total;
    if (align > HEAP_ALIGN) {
        want = total + align + HEAP_TBLK_MIN;
        if (want < total)
            return NULL;
    }
    struct heap_tblk *b = take_block(want, caller);
    if (!b)
        return NULL;
    bool filled = tblk_filled(b);
    if (align > HEAP_ALIGN)
        b = split_head(b, align, filled);
    split_tail(b, total, filled);
    void *u = heap_tblk_user(b);
    size_t usable = heap_tblk_size(b) - HEAP_TBLK_HDR;
    if (filled) {
        size_t bad = heap_find_not((char *)u + LINKS_SIZE, HEAP_FREE_FILL, usable - LINKS_SIZE);
        if (bad != usable - LINKS_SIZE)
            heap_fail(HEAP_E_USE_AFTER_FREE, u, caller, "freed TLSF memory was written");
    }
    set_used_hdr(b, HEAP_INFO_TLSF | extra_info);
    return u;
}

size_t heap_tlsf_usable(const void *ptr)
{
    return heap_tblk_size(heap_tblk_of(ptr)) - HEAP_TBLK_HDR;
}

/* Checks that b's physical neighbours agree with b before anything is merged. */
static void check_neighbours(struct heap_tblk *b, const void *caller)
{
    struct heap_tblk *next = tblk_next(b), *prev = b->prev_phys;
    if (!heap_in_range(next) || next->prev_phys != b)
        heap_fail(HEAP_E_NEIGHBOUR, heap_tblk_user(b), caller,
                  "next block's back link is wrong (overflow past the block?)");
    if (prev && (!heap_in_range(prev) || tblk_next(prev) != b))
        heap_fail(HEAP_E_NEIGHBOUR, heap_tblk_user(b), caller,
                  "previous block does not end at this block");
}

/* A block merged into its free predecessor keeps a FREE tag, so freeing it again is still
 * reported as a double free (in guard mode its header is pattern-filled instead). */
static void mark_absorbed(struct heap_tblk *b)
{
    void *u = heap_tblk_user(b);
    struct heap_uhdr *h = heap_uhdr_of(u);
    h->tag = heap_tag(u, h->info, heap_tblk_size(b), HEAP_STATE_FREE);
}

/* Pattern-fills the header and links of a block being absorbed by a merge. */
static void fill_absorbed(struct heap_tblk *b)
{
    heap_fill(b, HEAP_FREE_FILL, HEAP_TBLK_HDR + LINKS_SIZE);
}

void heap_tlsf_free(void *ptr, const void *caller)
{
    struct heap_tblk *b = heap_tblk_of(ptr);
    check_neighbours(b, caller);
    bool filled = heap_guard_on() || (heap_uhdr_of(ptr)->info & HEAP_INFO_GUARD);
    if (filled)
        heap_fill((char *)ptr + LINKS_SIZE, HEAP_FREE_FILL,
                  heap_tblk_size(b) - HEAP_TBLK_HDR - LINKS_SIZE);
    struct heap_tblk *prev = b->prev_phys, *next = tblk_next(b);
    if (prev && (prev->size & HEAP_TBLK_FREE)) {
        check_free_block(prev, caller);
        list_remove(prev, caller);
        size_t bsize = heap_tblk_size(b);
        filled = filled && tblk_filled(prev);
        if (filled)
            fill_absorbed(b);
        else
            mark_absorbed(b);
        prev->size += bsize;
        b = prev;
    }
    if (next->size & HEAP_TBLK_FREE) {
        check_free_block(next, caller);
        list_remove(next, caller);
        size_t nsize = heap_tblk_size(next);
        filled = filled && tblk_filled(next);
        if (filled)
            fill_absorbed(next);
        b->size += nsize;
    }
    tblk_next(b)->prev_phys = b;
    list_insert(b, filled);
}

enum heap_err heap_tlsf_add_chunk(uintptr_t base, size_t size)
{
    if (heap_g.nchunks >= HEAP_MAX_CHUNKS)
        return HEAP_E_TOO_MANY;
    struct heap_tblk *b = (struct heap_tblk *)base;
    struct heap_tblk *sentinel = (struct heap_tblk *)(base + size - HEAP_TBLK_HDR);
    b->prev_phys = NULL;
    b->size = size - HEAP_TBLK_HDR;
    sentinel->prev_phys = b;
    sentinel->size = 0;
    set_used_hdr(sentinel, HEAP_INFO_TLSF | HEAP_INFO_SENTINEL | HEAP_INFO_INTERNAL);
    heap_g.chunks[heap_g.nchunks].base = base;
    heap_g.chunks[heap_g.nchunks].end = base + size;
    heap_g.nchunks++;
    if (!heap_g.lo || base < heap_g.lo)
        heap_g.lo = base;
    if (base + size > heap_g.hi)
        heap_g.hi = base + size;
    heap_g.span16 = (heap_g.hi - heap_g.lo) >> HEAP_ALIGN_LOG2;
    list_insert(b, false);
    return HEAP_OK;
}

/* Bounded walk of the highest non-empty bin: statistics only, not a hot path. */
#define LARGEST_WALK_MAX 4096

size_t heap_tlsf_largest_free(void)
{
    if (!heap_g.fl_bitmap)
        return 0;
    unsigned fl = 31u - (unsigned)__builtin_clz(heap_g.fl_bitmap);
    unsigned sl = 31u - (unsigned)__builtin_clz(heap_g.sl_bitmap[fl]);
    size_t best = 0;
    struct heap_tblk *b = heap_g.bins[fl][sl];
    for (unsigned i = 0; b && i < LARGEST_WALK_MAX; i++) {
        if (heap_tblk_size(b) > best)
            best = heap_tblk_size(b);
        b = heap_link_dec(tlinks(b)->next_enc, &tlinks(b)->next_enc);
    }
    return best - HEAP_TBLK_HDR;
}
