/* Internals shared by the heap's files (heap.c: allocation calls and the small tier,
 * heap_setup.c: setup, lock, statistics, guard helpers, heap_tlsf.c: the TLSF tier,
 * heap_check.c: the consistency walk). Not for use outside kernel/heap*.c.
 *
 * Every block the heap hands out is preceded by a struct heap_uhdr (8 bytes) right below the
 * user pointer. Its tag is a keyed hash of (address, info, size, state), so a stray write to
 * the header, a pointer that never was a block, and a block already freed are told apart.
 * Free-list links inside freed memory are stored encoded (XOR with keys and their own
 * address, as mimalloc's secure mode and glibc's safe-linking do) and decoded links are
 * range-checked before use. */
#ifndef FLUID_KERNEL_HEAP_IMPL_H
#define FLUID_KERNEL_HEAP_IMPL_H

#include "kernel/mm/heap.h"

#ifndef HEAP_GUARD_DEFAULT
#define HEAP_GUARD_DEFAULT 0
#endif

#define HEAP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HEAP_LIKELY(x) __builtin_expect(!!(x), 1)
#define HEAP_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uintptr_t)(a) - 1))

/* The 8 bytes below every user pointer. */
struct heap_uhdr {
    uint32_t info;      /* HEAP_INFO_* flags; small blocks: size class and offset in the slab */
    uint32_t tag;       /* heap_tag(ptr, info, size, state) */
};
#define HEAP_UHDR_SIZE      8u

#define HEAP_INFO_TLSF      0x80000000u  /* block comes from the TLSF tier (else a slab slot) */
#define HEAP_INFO_GUARD     0x40000000u  /* allocated in guard mode / freed memory is filled */
#define HEAP_INFO_INTERNAL  0x20000000u  /* heap-internal block (a slab): free() refuses it */
#define HEAP_INFO_SENTINEL  0x10000000u  /* the zero-size block closing each chunk */
#define HEAP_INFO_CPU       0x0F800000u  /* small: the CPU whose slab holds the slot */
#define HEAP_INFO_CPU_SHIFT 23
#define HEAP_INFO_CLASS     0x001F0000u  /* small: size class (authenticated by the tag) */
#define HEAP_INFO_CLASS_SHIFT 16
#define HEAP_INFO_OFFSET    0x0000FFFFu  /* small: byte offset of the pointer from the slab */

/* Tag states: XORed into the keyed hash, so an allocated and a freed header differ. */
#define HEAP_STATE_ALLOC    0x0A11C0DEu
#define HEAP_STATE_FREE     0xF7EEB10Cu
#define HEAP_STATE_TRAILER  0x7A11E700u

/* Guard mode: the last HEAP_TRAILER_SIZE bytes of a guarded block hold struct heap_trailer;
 * between the caller's bytes and the trailer at least HEAP_GUARD_MIN_CANARY bytes hold
 * HEAP_CANARY_FILL. A guarded block therefore needs HEAP_GUARD_EXTRA bytes more. */
struct heap_trailer {
    uint32_t slack;     /* usable size minus the size asked for */
    uint32_t check;     /* heap_tag(ptr, slack, 0, HEAP_STATE_TRAILER) */
};
#define HEAP_TRAILER_SIZE       8u
#define HEAP_GUARD_MIN_CANARY   8u
#define HEAP_GUARD_EXTRA        (HEAP_TRAILER_SIZE + HEAP_GUARD_MIN_CANARY)

/* ---- small tier ----------------------------------------------------------------------- */
/* Bytes per slab, TLSF header included. A power of two, so a freed slab sits exactly at a
 * TLSF bin boundary and the next slab request (rounded up to a bin boundary by the good-fit
 * search) finds it instead of carving fresh memory. */
#define HEAP_SLAB_SIZE      (32u * 1024u)
#define HEAP_CLASS_COUNT    29              /* see heap_class_stride[] in heap.c */
_Static_assert(HEAP_SLAB_SIZE - 1 <= HEAP_INFO_OFFSET, "slot offsets fit the info field");
_Static_assert(HEAP_CLASS_COUNT - 1 <= HEAP_INFO_CLASS >> HEAP_INFO_CLASS_SHIFT,
               "class numbers fit the info field");
/* Per-class cache of recently freed slots (as glibc's tcache): at most this many per class. */
#define HEAP_CACHE_MAX      32u
/* Slots one refill moves from a slab onto an empty class cache: half the cache, so the next
 * run of frees has room before the cache overflows to the slabs. */
#define HEAP_CACHE_BATCH    (HEAP_CACHE_MAX / 2)
#define HEAP_CLASS_UNIT     16u             /* class table granule (bytes of slot) */
#define HEAP_CLASS_ENTRY_LOG2 5             /* struct heap_class is 32 bytes */
#define HEAP_CLASS_ENTRY    (1u << HEAP_CLASS_ENTRY_LOG2)
_Static_assert(HEAP_MAX_CPUS - 1 <= HEAP_INFO_CPU >> HEAP_INFO_CPU_SHIFT,
               "CPU numbers fit the info field");
_Static_assert(HEAP_CLASS_COUNT <= 32, "remote_classes has a bit per class");
/* Bytes of a cache line (Intel SDM vol. 3A 12.1, "cache line size 64 bytes" on every x86
 * since the Pentium 4): per-CPU state and the lock sit on lines of their own so one CPU's
 * writes do not evict another CPU's fast-path data (false sharing). */
#define HEAP_CACHE_LINE     64u

/* A slab belongs to the CPU that made it (cpu) for its whole life: only that CPU touches
 * used, free, bump and the list links. Any other CPU that frees one of its slots pushes the
 * slot onto `remote` with a compare-and-swap; the owner takes the whole list with one atomic
 * exchange when it next needs a slot of the class (docs/heap.md, "Threads"). The header has
 * three groups, HEAP_SLAB_GROUP bytes apart so that no two share a cache line whatever the
 * slab's 16-byte alignment: what never changes while the slab lives (read by every CPU),
 * the remote list (written by the freeing CPUs), and the owner's own fields (written on
 * every slab pop). */
#define HEAP_SLAB_GROUP     (2u * HEAP_CACHE_LINE)
struct heap_slab {
    union {
        struct {
            uint32_t magic;     /* HEAP_SLAB_MAGIC ^ keyed hash of the slab's address */
            uint32_t cls;       /* size class */
            uint32_t cpu;       /* owning CPU */
            uint32_t stride;    /* bytes per slot (header + usable) */
            uint32_t capacity;  /* slots that fit */
            char *first, *end;  /* first slot's user pointer; end of the slab */
        };
        char group_fixed[HEAP_SLAB_GROUP];
    };
    union {
        /* atomic: the slots other CPUs freed, as one word: 0 (none), or their count <<
         * HEAP_REMOTE_COUNT_SHIFT | the newest slot's offset from the slab; the slots are
         * linked like the slab's own list (encoded links, the oldest ends in NULL). The count
         * travels with the head, so the owner takes both with one exchange and walks nothing. */
        uint32_t remote;
        char group_remote[HEAP_SLAB_GROUP];
    };
    uint32_t used;              /* slots out of the slab: live, cached or on `remote` */
    char *free;                 /* first free slot (user pointer), links encoded inside */
    char *bump;                 /* next never-used slot (user pointer) */
    struct heap_slab *next, *prev;  /* the owner's partial or full list of the class */
    bool listed;                /* on the partial list (used < capacity), else the full one */
};
/* A group starting up to HEAP_CACHE_LINE - HEAP_ALIGN bytes into a line must end before the
 * line where the next group starts. */
_Static_assert(__builtin_offsetof(struct heap_slab, end) + sizeof(char *) <=
                   HEAP_SLAB_GROUP - (HEAP_CACHE_LINE - HEAP_ALIGN),
               "the fixed header group stays off the remote list's cache lines");
#define HEAP_SLAB_MAGIC     0x51AB51ABu
#define HEAP_REMOTE_COUNT_SHIFT 16
#define HEAP_REMOTE_OFFSET  ((1u << HEAP_REMOTE_COUNT_SHIFT) - 1)
_Static_assert(HEAP_SLAB_SIZE - 1 <= HEAP_REMOTE_OFFSET, "slot offsets fit the remote word");
_Static_assert(HEAP_SLAB_SIZE / HEAP_CLASS_UNIT < 1u << (32 - HEAP_REMOTE_COUNT_SHIFT),
               "a slab's slot count fits the remote word");

/* The head of slab s's remote list in remote word w (NULL when empty) and its length. */
static inline char *heap_remote_head(const struct heap_slab *s, uint32_t w)
{
    return w ? (char *)s + (w & HEAP_REMOTE_OFFSET) : NULL;
}
static inline uint32_t heap_remote_count(uint32_t w)
{
    return w >> HEAP_REMOTE_COUNT_SHIFT;
}
/* Offsets from a slab (16-byte aligned, a TLSF user pointer) of its first slot's user pointer
 * and of its end: the same for every slab, so a slot's offset (HEAP_INFO_OFFSET) is checked
 * against them without reading the slab. */
#define HEAP_SLAB_FIRST_OFF HEAP_ALIGN_UP(sizeof(struct heap_slab) + HEAP_UHDR_SIZE, HEAP_ALIGN)
#define HEAP_SLAB_END_OFF   (HEAP_SLAB_SIZE - HEAP_TBLK_HDR)

/* A size class on one CPU: its cache of recently freed slots (a LIFO whose links are
 * encoded like the slabs' own; cached slots carry the FREE tag, so freeing one again is a
 * double free) and the CPU's slabs of the class. Only the owning CPU touches it. */
struct heap_class {
    /* last freed slot (user pointer) or NULL. Decoded from the previous head's link and not
     * checked then: every pop checks its range before reading its header (malloc_on,
     * cache_take), so a link overwritten while its slot was cached is caught when it is
     * popped, before the pointer it decodes to is read or handed out. */
    char *cache;
    /* places left on the cache: HEAP_CACHE_MAX minus the slots on it, the only count of them
     * (heap_class_cached). Counted down, so free's fast path takes a place and tests for none
     * left in one decrement and its borrow. */
    uint32_t room;
    /* fixed: heap_g.key_free XOR the class and CPU bits (HEAP_INFO_CLASS | HEAP_INFO_CPU) of
     * every slot on this cache (heap_class_key). A cached slot's FREE tag XOR its address
     * bits XOR the rest of its info equals it, so malloc's fast path checks the tag, kind,
     * class, CPU and guard state with one compare (malloc_on). */
    uint32_t key;
    struct heap_slab *partial;  /* slabs with at least one free slot; head is used first */
    struct heap_slab *full;     /* slabs with none (their remote frees are not collected yet) */
} __attribute__((aligned(HEAP_CLASS_ENTRY)));
/* Slots on class cache c. */
static inline uint32_t heap_class_cached(const struct heap_class *c)
{
    return HEAP_CACHE_MAX - c->room;
}

/* Bytes of a class entry, a power of two: free's fast path finds the entry of a slot's class
 * by masking the class bits of its info shifted into a byte offset (heap_class_offset). */
_Static_assert(sizeof(struct heap_class) == HEAP_CLASS_ENTRY, "a class entry is HEAP_CLASS_ENTRY bytes");

/* Byte offset in struct heap_cpu's cls[] of the entry of the class in info's HEAP_INFO_CLASS
 * bits: one shift and one mask. */
static inline size_t heap_class_offset(uint32_t info)
{
    return (info >> (HEAP_INFO_CLASS_SHIFT - HEAP_CLASS_ENTRY_LOG2)) &
           (HEAP_INFO_CLASS >> (HEAP_INFO_CLASS_SHIFT - HEAP_CLASS_ENTRY_LOG2));
}

/* Slots one CPU freed into one slab of another CPU and has not pushed yet (a remote-free
 * run): linked and encoded exactly as on the slab's remote list, so one compare-and-swap
 * pushes the whole run. A run is pushed when a slot of another slab of its class is freed,
 * when it holds HEAP_RUN_MAX slots, when its CPU refills that class's cache and when it
 * flushes its caches (docs/heap.md, "Threads"). Its slots count in the slab's `used`, so the
 * slab lives as long as the run does. */
struct heap_run {
    char *head;                 /* most recently freed slot, or NULL: no run */
    char *tail;                 /* first slot of the run, whose link the push sets */
    struct heap_slab *slab;     /* their slab (header checked when the run began), or NULL */
    uint32_t n;                 /* slots on the run */
};
#define HEAP_RUN_MAX        32u

/* One CPU's share of the heap. Everything but remote_classes is read and written by that CPU
 * only (heap_check and heap_get_stats read it when the world is quiet). The counters are the
 * only counts of their quantities; the statistics are their sums over the CPUs. held is
 * signed: a CPU that frees blocks another CPU allocated goes below zero. Bytes in use are
 * held minus the usable bytes of the CPU's cached slots (heap_cpu_totals): a cache pop or
 * push moves a slot between the two and changes neither held nor the cache's total, so the
 * fast paths count their calls and nothing else. */
struct heap_cpu {
    struct heap_class cls[HEAP_CLASS_COUNT];
    struct heap_run run[HEAP_CLASS_COUNT];  /* per class: slots freed into another CPU's slab */
    uint64_t mallocs, frees, failed;
    /* usable bytes of the blocks this CPU allocated minus those it freed, plus its cached
     * slots': changed by refills, slots back to their slab, remote frees and TLSF blocks */
    int64_t held;
    int64_t peak;               /* maximum of held (held_add in heap.c) */
    uint32_t index;             /* this CPU's number (its place in heap_g.cpu) */
    uint32_t info_bits;         /* index << HEAP_INFO_CPU_SHIFT: its slots' HEAP_INFO_CPU */
    /* What free's fast path compares a slot's info, masked to HEAP_INFO_GUARD | HEAP_INFO_CPU,
     * with to push it onto this CPU's cache: info_bits with guard mode off; with it on,
     * info_bits | HEAP_INFO_TLSF, which no masked info equals, so every free leaves the fast
     * path (the freed slot must be filled). Atomic (relaxed): heap_set_guard_mode writes it
     * for every CPU (heap_free_expect). */
    uint32_t free_expect;
    /* atomic, written by other CPUs: bit c set when a slot of class c went onto the remote
     * list of one of this CPU's slabs since the CPU last collected that class. */
    uint32_t remote_classes __attribute__((aligned(HEAP_CACHE_LINE)));
} __attribute__((aligned(HEAP_CACHE_LINE)));

/* ---- TLSF tier (heap_tlsf.c) ---------------------------------------------------------- */
/* Origin: M. Masmano et al., "TLSF: a new dynamic memory allocator for real-time systems"
 * (ECRTS 2004); bin mapping as in Matthew Conte's tlsf.c (BSD). Block sizes include the
 * header; the bins are indexed by size with 2^HEAP_SL_LOG2 subdivisions per power of two. */
#define HEAP_SL_LOG2        5
#define HEAP_SL_COUNT       (1u << HEAP_SL_LOG2)
#define HEAP_ALIGN_LOG2     4
_Static_assert(HEAP_ALIGN == 1u << HEAP_ALIGN_LOG2, "HEAP_ALIGN_LOG2 is log2 of HEAP_ALIGN");
#define HEAP_FL_SHIFT       (HEAP_SL_LOG2 + HEAP_ALIGN_LOG2)   /* sizes below 2^9 are linear */
/* Blocks are < 2^HEAP_FL_MAX bytes: 1 GiB where size_t has 32 bits, 64 GiB in the x86-64
 * kernel, where one block holds a model of several GiB. fl_bitmap has a bit per first level. */
#if SIZE_MAX > 0xFFFFFFFFu
#define HEAP_FL_MAX         36
#else
#define HEAP_FL_MAX         30
#endif
#define HEAP_FL_COUNT       (HEAP_FL_MAX - HEAP_FL_SHIFT + 1)
#define HEAP_SMALL_BLOCK    (1u << HEAP_FL_SHIFT)
#define HEAP_CHUNK_MAX      ((size_t)1 << (HEAP_FL_MAX - 1))   /* regions are cut to this */
_Static_assert(HEAP_FL_COUNT <= 32, "fl_bitmap has 32 bits");

/* Physical block header. prev_phys is always valid (NULL for a chunk's first block). The
 * struct heap_uhdr sits at the end of the HEAP_TBLK_HDR bytes, right below the user area. */
struct heap_tblk {
    struct heap_tblk *prev_phys;
    size_t size;                /* bytes, header included, multiple of 16 | HEAP_TBLK_FREE */
};
#define HEAP_TBLK_FREE      ((size_t)1)
#define HEAP_TBLK_HDR       ((size_t)HEAP_ALIGN_UP(sizeof(struct heap_tblk) + HEAP_UHDR_SIZE, 16))
#define HEAP_TBLK_MIN       (HEAP_TBLK_HDR + (size_t)HEAP_ALIGN_UP(2 * sizeof(uintptr_t), 16))

/* A free block's user area starts with its two list links, both encoded. */
struct heap_tlinks {
    uintptr_t next_enc, prev_enc;
};

struct heap_chunk {
    uintptr_t base, end;        /* [base, end): first block .. sentinel included */
};

/* The per-CPU counters summed (heap_setup.c): exact when the world is quiet. in_use is each
 * CPU's held minus its cached slots' usable bytes; peak is the sum of each CPU's maximum of
 * held (bytes in use plus cached), so at least the peak of bytes in use. */
struct heap_totals {
    uint64_t mallocs, frees, failed;
    int64_t in_use, peak;
};
void heap_cpu_totals(struct heap_totals *t);

/* ---- the whole heap ------------------------------------------------------------------- */
/* Set before other CPUs use the heap and constant afterwards: ready, keys, lo/hi (regions
 * are added while one CPU runs), the CPU hooks. guard is atomic (relaxed): a mode switch
 * may reach other CPUs a little late, which only decides how their next blocks are made.
 * The lock guards the TLSF tier, the chunk table and their counters (heap_tlsf.c, slab_new,
 * slab_release, heap_add_region). */
struct heap_state {
    bool ready;
    bool guard;
    uint32_t key_tag;           /* mixed into every header tag */
    /* key_tag ^ HEAP_STATE_ALLOC and key_tag ^ HEAP_STATE_FREE, set with it: the fast paths'
     * slot tags (heap_slot_tag) take one XOR for both */
    uint32_t key_alloc, key_free;
    uintptr_t key_link;         /* XORed into every free-list link */
    uintptr_t lo, hi;           /* lowest and highest address of any chunk */
    uintptr_t span16;           /* (hi - lo) / HEAP_ALIGN, for heap_aligned_in_range */
    /* malloc's fast path serves requests below this: HEAP_SMALL_MAX + 1 with guard mode off,
     * 0 with it on. Atomic (relaxed), written with guard by heap_set_guard_mode, so one
     * compare tests both the size and the mode. */
    size_t fast_below;
    uint32_t (*cpu_index)(void);    /* never NULL: heap_cpu_zero when there are no hooks */
    void (*cpu_relax)(void);        /* called while the lock spins long (host: sched_yield) */
    uint32_t max_cpus;
    uint32_t lock __attribute__((aligned(HEAP_CACHE_LINE)));   /* 0 free, 1 held */
    /* TLSF bins */
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[HEAP_FL_COUNT];
    struct heap_tblk *bins[HEAP_FL_COUNT][HEAP_SL_COUNT];
    struct heap_chunk chunks[HEAP_MAX_CHUNKS];
    unsigned nchunks;
    /* Counters under the lock: each quantity is counted in exactly one place (heap_check
     * cross-checks). Allocation counts live in struct heap_cpu; live blocks are
     * mallocs - frees summed over the CPUs, no counter of their own. */
    size_t total_bytes;
    size_t tlsf_free_bytes, tlsf_free_blocks, slab_bytes;
    struct heap_cpu cpu[HEAP_MAX_CPUS];
};
/* Hidden: defined in the heap's own objects, so position-independent builds (the host's
 * tests and benchmarks) address it relative to the code instead of loading its address from
 * the GOT into a register the fast paths then keep across the CPU hook (two saved registers
 * more in malloc and free). */
extern struct heap_state heap_g __attribute__((visibility("hidden")));

/* Keyed 32-bit tag of a header's contents: the address and the block size, each in 16-byte
 * units and cut to 32 bits, XORed with info, the per-boot key and the state. Linear on
 * purpose: checked on every malloc and free, it costs a shift and a few XORs (and the
 * address's shift is the one the link encoding uses too), where a multiplicative hash cost
 * two multiplies and their dependency chain (docs/heap.md, "Safety"). A changed info word or
 * state, or an address moved by less than 64 GiB (2^32 units), always changes the tag; a
 * stray write passes only if it puts the one right 32-bit value in the tag word (about 2^-32
 * for random bytes), or XORs the same bits into info and tag. Slots are tagged with size 0,
 * TLSF blocks with their size, a multiple of 16 below 2^HEAP_FL_MAX <= 2^36, so size >> 4 is
 * never 0 and fits 32 bits: no TLSF block passes the check of a slot's tag, and free's fast
 * path needs no separate test of the TLSF bit. */
static inline uint32_t heap_tag(const void *ptr, uint32_t info, size_t size, uint32_t state)
{
    _Static_assert(HEAP_FL_MAX - HEAP_ALIGN_LOG2 <= 32, "a block size in 16-byte units fits 32 bits");
    return (uint32_t)((uintptr_t)ptr >> HEAP_ALIGN_LOG2) ^
           (uint32_t)((uint64_t)size >> HEAP_ALIGN_LOG2) ^ info ^ heap_g.key_tag ^ state;
}

/* heap_tag(ptr, info, 0, state) for state HEAP_STATE_ALLOC or HEAP_STATE_FREE, with key the
 * matching heap_g.key_alloc or heap_g.key_free. */
static inline uint32_t heap_slot_tag(const void *ptr, uint32_t info, uint32_t key)
{
    return (uint32_t)((uintptr_t)ptr >> HEAP_ALIGN_LOG2) ^ info ^ key;
}

static inline struct heap_uhdr *heap_uhdr_of(void *ptr)
{
    return (struct heap_uhdr *)((char *)ptr - HEAP_UHDR_SIZE);
}

/* Encoded free-list link stored at `at`: safe-linking with a per-boot key. */
static inline uintptr_t heap_link_enc(const void *next, const void *at)
{
    return (uintptr_t)next ^ heap_g.key_link ^ ((uintptr_t)at >> 4);
}
static inline void *heap_link_dec(uintptr_t enc, const void *at)
{
    return (void *)(enc ^ heap_g.key_link ^ ((uintptr_t)at >> 4));
}

static inline bool heap_guard_on(void)
{
    return __atomic_load_n(&heap_g.guard, __ATOMIC_RELAXED);
}

/* struct heap_cpu's free_expect for CPU info bits and a guard mode. */
static inline uint32_t heap_free_expect(uint32_t info_bits, bool guard)
{
    return guard ? info_bits | HEAP_INFO_TLSF : info_bits;
}

/* heap_g.fast_below for a guard mode. */
static inline size_t heap_fast_below(bool guard)
{
    return guard ? 0 : (size_t)HEAP_SMALL_MAX + 1;
}

/* The CPU hook without hooks (heap_setup.c): one CPU, index 0. A function rather than NULL,
 * so this_cpu calls the hook without testing it first. */
uint32_t heap_cpu_zero(void);

/* The calling CPU's share without calling the hook, from a per-CPU place to keep a pointer
 * in: the host's heap_tls_share (a thread-local variable, local-exec: one load at a fixed
 * offset from FS, or GS with -m32) and both kernels' per-CPU block (its `heap`, one
 * GS-relative load, cpu_heap_gs, valid from arch init on). The fast paths read it and nothing
 * else to find the share. It starts NULL, and a NULL sends the call to the slow path, whose
 * this_cpu asks the hook, checks the index and binds the place to &heap_g.cpu[index] when
 * the hook is HEAP_CPU_HOOK (the one that returns the index of that same CPU or thread) or
 * there are none (CPU 0): heap_cpu_bindable. heap_init, heap_set_cpu_hooks and
 * heap_tls_set_cpu unbind the caller's. So an index is checked once per CPU (kernel: a CPU's
 * index never changes) or per heap_tls_set_cpu (host). With any other hook (a host unit
 * test's own) nothing is bound and every call takes the slow path, which asks the hook. */
#if defined(HEAP_CPU_TLS)
#define HEAP_CPU_HOOK heap_tls_cpu_index
struct heap_cpu;
extern __thread struct heap_cpu *heap_tls_share __attribute__((tls_model("local-exec"),
                                                                 visibility("hidden")));
static inline struct heap_cpu *heap_cpu_bound(void)
{
    return heap_tls_share;
}
static inline void heap_cpu_bind(struct heap_cpu *me)
{
    heap_tls_share = me;
}
#elif (defined(__x86_64__) || defined(__i386__)) && __STDC_HOSTED__ == 0
#include "kernel/smp/smp.h"
#define HEAP_CPU_HOOK cpu_index
static inline struct heap_cpu *heap_cpu_bound(void)
{
    return cpu_heap_gs();
}
static inline void heap_cpu_bind(struct heap_cpu *me)
{
    cpu_local()->heap = me;
}
#else
#error "the heap keeps each CPU's share in a per-CPU place: a kernel build, or HEAP_CPU_TLS"
#endif

/* Whether this_cpu binds the share it finds: the hook is HEAP_CPU_HOOK or there are none. */
static inline bool heap_cpu_bindable(void)
{
    return heap_g.cpu_index == HEAP_CPU_HOOK || heap_g.cpu_index == heap_cpu_zero;
}

/* The shared tiers' lock (heap_setup.c): a test-and-test-and-set spinlock. */
void heap_lock(void);
void heap_unlock(void);
/* One round of a spin-wait: the pause hint, and every so many rounds (*spins counts them,
 * the caller's own counter) the yield hook. */
void heap_cpu_relax(uint32_t *spins);

static inline bool heap_in_range(const void *p)
{
    return (uintptr_t)p >= heap_g.lo && (uintptr_t)p < heap_g.hi;
}

/* p is HEAP_ALIGN-aligned and inside [lo, hi), in one compare: lo is aligned, so the offset
 * from lo rotated right by HEAP_ALIGN_LOG2 bits is below span16 only when its low bits were
 * zero (else they land in the top bits) and it is in range (a pointer below lo wraps). */
static inline bool heap_aligned_in_range(const void *p)
{
    uintptr_t d = (uintptr_t)p - heap_g.lo;
    d = d >> HEAP_ALIGN_LOG2 | d << (sizeof(uintptr_t) * 8 - HEAP_ALIGN_LOG2);
    return d < heap_g.span16;
}

/* Word-wise fill and copy (no libc in the kernel). Pointers are 16-byte aligned or not,
 * sizes any: the tails go byte by byte. */
void heap_fill(void *dst, uint8_t byte, size_t n);
void heap_copy(void *dst, const void *src, size_t n);
/* Index of the first byte in [p, p+n) that is not `byte`, or n. */
size_t heap_find_not(const void *p, uint8_t byte, size_t n);

/* Reports corruption (subsystem, kind, block, header, caller) and panics. */
__attribute__((noreturn)) void heap_fail(enum heap_err err, const void *block,
                                         const void *caller, const char *what);

/* TLSF tier: total = bytes incl. header (multiple of 16); align >= 16, a power of two.
 * Returns the user pointer with its uhdr info set to HEAP_INFO_TLSF | extra_info and an ALLOC
 * tag, or NULL. */
void *heap_tlsf_alloc(size_t total, size_t align, uint32_t extra_info, const void *caller);
/* Frees a TLSF block whose header the caller has verified; checks the neighbours. */
void heap_tlsf_free(void *ptr, const void *caller);
size_t heap_tlsf_usable(const void *ptr);         /* block size minus header */
enum heap_err heap_tlsf_add_chunk(uintptr_t base, size_t size);
size_t heap_tlsf_largest_free(void);
static inline struct heap_tblk *heap_tblk_of(const void *ptr)
{
    return (struct heap_tblk *)((char *)ptr - HEAP_TBLK_HDR);
}
static inline void *heap_tblk_user(const struct heap_tblk *b)
{
    return (char *)b + HEAP_TBLK_HDR;
}
static inline size_t heap_tblk_size(const struct heap_tblk *b)
{
    return b->size & ~HEAP_TBLK_FREE;
}

/* Fills the request-size to size-class table and every CPU's fixed class field (expect)
 * (heap.c; heap_init calls it). */
void heap_classes_init(void);
/* Whether a CPU's class keeps the fixed field heap_classes_init gave it (heap_check). */
bool heap_class_fixed_ok(const struct heap_class *c, uint32_t cpu, unsigned cls);
/* Bytes a slot of class cls gives its caller (heap.c). */
size_t heap_class_usable(unsigned cls);

/* Guard-mode helpers (heap_setup.c). */
void heap_guard_arm(void *ptr, size_t usable, size_t asked);
size_t heap_guard_check(void *ptr, size_t usable, const void *caller);  /* returns asked */

#endif
