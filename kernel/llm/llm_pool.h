/* Worker pool interface of the inference engine: a parallel-for over index ranges.
 * llm_forward hands each matmul's output rows (and each layer's attention heads) to
 * pool->run, which calls fn over disjoint contiguous ranges that together cover
 * [0, n_items) exactly once, and returns when every range is done. Each output element is
 * then computed by one worker with the same code and order as the single-thread run, so the
 * logits are bit-identical whatever the worker count.
 * Implementations: llm_pool_serial (llm_pool.c; the kernel's with one CPU), the x86-64
 * kernel's llm_pool_smp over its started CPUs (pool_smp.c) and tools/llm/llm_pool_pthread.c
 * (the Linux CLI's persistent pthreads workers). */
#ifndef FLUID_LLM_POOL_H
#define FLUID_LLM_POOL_H

#include <stdatomic.h>
#include <stdint.h>

/* Does items [begin, end) of a job; ctx is the job's argument block. */
typedef void (*llm_pool_fn)(void *ctx, int begin, int end);

struct llm_pool {
    /* Runs fn over [0, n_items) split into at most `workers` ranges, each starting at a
     * multiple of `align` items (the last range takes the remainder); returns after all of
     * them. n_items 0 calls nothing. Must not be called from inside fn. */
    void (*run)(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items, int align);
    int workers;            /* threads that take ranges, the caller's included; >= 1 */
    void *impl;             /* the implementation's state */
};

/* One worker: fn(ctx, 0, n_items) on the caller's thread. */
extern struct llm_pool llm_pool_serial;

/* Range of worker w (0 <= w < workers) over n_items in blocks of `align`: blocks are dealt
 * out contiguously, the first (blocks % workers) workers one more. Empty ranges have
 * begin == end. Shared by every implementation so they split identically. */
void llm_pool_range(int n_items, int align, int workers, int w, int *begin, int *end);

/* ---- dealing: the static split, with the rest taken over by whoever is free ------------- */

/* A job's ranges cut into chunks that threaded pools hand out, so a worker that was held
 * up (its core taken by another process, a slower memory path) does not hold the others:
 * worker w does range w of llm_pool_range from its front, each time half of the chunks
 * left (at least one) in one call, then takes single chunks off the back of the ranges of
 * workers still busy. In a balanced run every worker reads only
 * its own range, front to back, as with the plain split. Chunks start at multiples of
 * `align` counted from item 0, so each item's value is what the plain split gives it. */
#define LLM_POOL_MAX_WORKERS    64      /* workers a deal tracks; more share out nothing */
#define LLM_POOL_CHUNKS         8       /* chunks per worker's range (fewer when it is short) */

struct llm_pool_deal {
    int n_items, align, workers, chunk;     /* chunk: items per chunk, a multiple of align */
    /* per worker: next chunk to take from the front (low 16 bits) and one past the last
     * not yet taken (high 16 bits), chunks counted from its range's first item */
    _Atomic uint32_t left[LLM_POOL_MAX_WORKERS];
};

/* Sets d up for one job of n_items over `workers` (1..LLM_POOL_MAX_WORKERS) in blocks of
 * `align`. Call before the workers see d; they see it through the pool's own hand-over. */
void llm_pool_deal_init(struct llm_pool_deal *d, int n_items, int align, int workers);
/* Worker w's part of the job: fn over every chunk it takes, its own range first; returns
 * when no chunk is left untaken (others may still be running theirs). */
void llm_pool_deal_work(struct llm_pool_deal *d, int w, llm_pool_fn fn, void *ctx);

#endif
