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

#endif
