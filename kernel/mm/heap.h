/* The kernel heap: malloc, free, calloc, realloc and aligned_alloc over the usable RAM ranges
 * the memory stage hands over with heap_add_region (from the E820 map; no fixed addresses).
 * Three tiers, chosen by size (docs/heap.md):
 *   small  (<= HEAP_SMALL_MAX)  size classes: a per-class cache of recently freed slots in
 *                               front of per-slab free lists, all links encoded;
 *   medium                      TLSF (two-level segregated fit): O(1) allocation and free,
 *                               immediate coalescing;
 *   large  (>= HEAP_LARGE_MIN)  whole pages: page-aligned, size rounded up to HEAP_PAGE_SIZE.
 * Every block carries a tagged header checked on free: double free, a pointer the heap never
 * returned, and a corrupted header or neighbour are reported (subsystem, block, the caller's
 * address) and then panic(). Guard mode (build flag HEAP_GUARD_DEFAULT, boot option
 * `heap=guard` -> heap_set_guard_mode) adds a canary zone after every block and fills freed
 * memory with HEAP_FREE_FILL, checked again when the memory is handed out.
 * Threads: malloc, free, calloc, realloc, aligned_alloc and heap_usable_size may be called
 * from several CPUs at once once heap_set_cpu_hooks() says how to tell them apart. Each CPU
 * has its own size-class caches and slabs: a small malloc, and a free of a block its own CPU
 * allocated, take no lock and no atomic read-modify-write. A block freed by another CPU goes
 * onto the freeing CPU's run of slots of that slab, pushed onto the slab's lock-free remote
 * list with one compare-and-swap per run (at most 31 slots per class wait on a CPU's run);
 * the owner collects them. TLSF (medium, large, slab refill) is behind one spinlock.
 * heap_init, heap_add_region, heap_set_cpu_hooks, heap_set_yield_hook, heap_check and the
 * exact heap_get_stats need a quiet world (one CPU in the heap). heap_set_guard_mode may be
 * called any time. Never call the heap from an interrupt handler: a CPU interrupted inside
 * it would corrupt its own caches or spin on the lock it holds. Portable C: builds
 * freestanding for i686 and x86-64, and on the host (x86-64 or -m32) for the tests and the
 * benchmark, where the build renames malloc, free, ... to heap_malloc, heap_free, ...
 * (tests/lib/heap_host_names.h, mk/heap.mk) so they do not collide with the C library's. */
#ifndef FLUID_KERNEL_HEAP_H
#define FLUID_KERNEL_HEAP_H

#include <fluid/types.h>

#define HEAP_ALIGN          16u         /* every pointer malloc returns is 16-byte aligned */
#define HEAP_PAGE_SIZE      4096u       /* "whole pages" granule of the large tier */
#define HEAP_SMALL_MAX      1080u       /* largest request served by a size class */
#define HEAP_LARGE_MIN      (128u * 1024u)  /* smallest request served as whole pages */
#define HEAP_MAX_CHUNKS     64          /* regions (after splitting huge ones) the heap tracks */
#define HEAP_FREE_FILL      0xDFu       /* guard mode: byte pattern of freed memory */
#define HEAP_CANARY_FILL    0xCBu       /* guard mode: byte pattern after each block */
#define HEAP_MAX_CPUS       32u         /* CPUs with their own caches (heap_set_cpu_hooks) */

/* One error enum for the subsystem. Detected corruption never returns: it is reported with
 * the value's name (heap_strerror) and ends in panic(). */
enum heap_err {
    HEAP_OK = 0,
    HEAP_E_NOT_INIT,        /* heap_add_region before heap_init */
    HEAP_E_REGION_SMALL,    /* region too small to hold one block after alignment */
    HEAP_E_REGION_OVERLAP,  /* region overlaps one already added */
    HEAP_E_TOO_MANY,        /* more than HEAP_MAX_CHUNKS chunks */
    HEAP_E_NOMEM,           /* out of memory: the call returns NULL, the heap is intact */
    HEAP_E_DOUBLE_FREE,     /* free/realloc of a block already freed */
    HEAP_E_BAD_POINTER,     /* a pointer the heap never returned (outside, misaligned, ...) */
    HEAP_E_BAD_HEADER,      /* a block header whose check tag does not match: overwritten */
    HEAP_E_OVERFLOW,        /* guard mode: the canary after a block was overwritten */
    HEAP_E_USE_AFTER_FREE,  /* guard mode: freed memory was written before reuse */
    HEAP_E_FREELIST,        /* an encoded free-list link decodes to an impossible block */
    HEAP_E_NEIGHBOUR,       /* the physically adjacent block's header disagrees */
    HEAP_E_BAD_CPU,         /* CPU count over HEAP_MAX_CPUS, or a CPU index out of range */
    HEAP_E_COUNT            /* number of values above (table sizes); not a result */
};

struct heap_stats {
    size_t total_bytes;         /* bytes of all regions handed to the heap */
    size_t in_use_bytes;        /* usable bytes of live allocations */
    /* maximum since heap_init of the bytes a CPU holds: in_use_bytes plus the usable bytes
     * of the slots in its class caches (docs/heap.md, "Statistics"), summed over the CPUs.
     * At least the peak of in_use_bytes, and above it by at most what the caches held */
    size_t peak_held_bytes;
    size_t free_bytes;          /* bytes in free TLSF blocks (any size can use them) */
    size_t largest_free_bytes;  /* payload of the largest free TLSF block */
    size_t live_blocks;         /* allocations not freed yet */
    size_t free_blocks;         /* free TLSF blocks (fragments) */
    size_t slab_bytes;          /* bytes held by small-size slabs, free slots included */
    uint64_t mallocs, frees;    /* successful allocations / frees since heap_init */
    uint64_t failed;            /* allocations that returned NULL (out of memory) */
    bool guard_mode;
};

/* Resets the heap to empty. seed feeds the keys that encode free-list pointers and header
 * tags (pass something unpredictable, e.g. the TSC). Guard mode starts as HEAP_GUARD_DEFAULT. */
void heap_init(uint32_t seed);

/* Hands [base, base+size) to the heap. Called once per usable E820 range above the kernel;
 * the caller guarantees the memory is RAM and unused. Returns HEAP_OK or an error (logged). */
enum heap_err heap_add_region(uintptr_t base, size_t size);

void *malloc(size_t size);                  /* NULL when out of memory (logged) */
void free(void *ptr);                       /* NULL is a no-op */
void *calloc(size_t count, size_t size);    /* NULL on overflow or out of memory */
/* NULL ptr acts as malloc; size 0 frees ptr and returns NULL; on failure returns NULL and
 * ptr stays valid and unchanged. */
void *realloc(void *ptr, size_t size);
/* align must be a power of two (else NULL); size need not be a multiple of align. */
void *aligned_alloc(size_t align, size_t size);

/* Bytes the caller may use at ptr (>= the size asked for); ptr must be live. */
size_t heap_usable_size(void *ptr);

/* How the heap tells CPUs apart: cpu_index() returns the calling CPU's index, below
 * max_cpus (<= HEAP_MAX_CPUS), and no two CPUs inside the heap at the same time may share an
 * index. NULL (the default after heap_init) means one CPU, index 0. Call after heap_init
 * while one CPU runs, before a second CPU calls the heap. Returns HEAP_OK, or HEAP_E_BAD_CPU
 * (logged; nothing changed). A hook that later returns an index >= max_cpus is reported and
 * panics. The kernels' cpu_index and the host's heap_tls_cpu_index are asked once per CPU
 * (or per heap_tls_set_cpu): the heap binds the CPU's share in a per-CPU place then and
 * reads it there afterwards; this call unbinds the calling CPU's only. */
enum heap_err heap_set_cpu_hooks(uint32_t (*cpu_index)(void), uint32_t max_cpus);

#ifdef HEAP_CPU_TLS
/* Host builds (mk/heap.mk): the calling thread's CPU index (0 until it sets one) and the hook
 * that returns it. With heap_set_cpu_hooks(heap_tls_cpu_index, n), malloc and free find the
 * thread's share through a thread-local pointer the heap binds on the thread's first call
 * instead of calling the hook (docs/heap.md, "Threads"), as the kernels' find it in the
 * per-CPU block through GS when given cpu_index. heap_tls_set_cpu also unbinds it, so a
 * thread may play several CPUs one after the other. */
void heap_tls_set_cpu(uint32_t cpu);
uint32_t heap_tls_cpu_index(void);
#endif

/* Called between spins when the lock is contended for long (NULL: only the pause hint).
 * The host harness passes sched_yield, where threads outnumber cores. */
void heap_set_yield_hook(void (*yield)(void));

/* Guard mode applies to blocks allocated while it is on; blocks keep their mode for life. */
void heap_set_guard_mode(bool on);

void heap_get_stats(struct heap_stats *out);

/* Walks every block and slab and checks all invariants (links, tags, coalescing, counters).
 * Logs each problem; returns how many it found (0: consistent). Slow: tests and debugging. */
unsigned heap_check(void);

const char *heap_strerror(enum heap_err err);

/* Kernel self-test (kernel/mm/heap_selftest.c): a randomized workload checked step by step
 * against a shadow model. Returns the number of failures (0: pass). Leaves the heap as it
 * found it. flags: HEAP_SELFTEST_* below. */
#define HEAP_SELFTEST_TOGGLE_GUARD  1u  /* switch guard mode on and off during the run */
unsigned heap_selftest(uint32_t seed, unsigned steps, unsigned flags);

/* The threaded self-test: CPUs 0 .. cpus-1 each call heap_selftest_threaded(cpu, cpus, seed,
 * steps) at the same time (cpus <= HEAP_SELFTEST_MAX_CPUS), after one of them called
 * heap_selftest_threaded_prepare(cpus) while none runs. Each CPU runs the shadow-model
 * workload on its own blocks and hands some of them to the others through per-CPU
 * mailboxes; a receiver checks the contents, then frees the block, reallocs it or keeps it.
 * Every call returns when all CPUs have finished and its mailbox is empty, with the number
 * of failures it saw. No heap_check inside (the world is not quiet): the caller runs it
 * afterwards. The heap ends as it began. */
#define HEAP_SELFTEST_MAX_CPUS      8u
void heap_selftest_threaded_prepare(uint32_t cpus);
unsigned heap_selftest_threaded(uint32_t cpu, uint32_t cpus, uint32_t seed, unsigned steps);

#endif
