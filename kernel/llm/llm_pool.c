/* The single-thread worker pool (llm_pool.h) and the range split every pool uses. The
 * kernel uses this pool when only its boot CPU runs (else pool_smp.c's); the Linux CLI's
 * threaded one is tools/llm/llm_pool_pthread.c. */
#include <stdbool.h>
#include <stddef.h>

#include "kernel/llm/llm_pool.h"

void llm_pool_range(int n_items, int align, int workers, int w, int *begin, int *end)
{
    int blocks = (n_items + align - 1) / align;
    int per = blocks / workers, extra = blocks % workers;
    int first = w * per + (w < extra ? w : extra);
    int count = per + (w < extra ? 1 : 0);
    *begin = first * align < n_items ? first * align : n_items;
    *end = (first + count) * align < n_items ? (first + count) * align : n_items;
}

#define DEAL_HALF_BITS  16u
#define DEAL_HALF_MASK  0xffffu

void llm_pool_deal_init(struct llm_pool_deal *d, int n_items, int align, int workers)
{
    d->n_items = n_items;
    d->align = align;
    d->workers = workers;
    /* the largest range's blocks over LLM_POOL_CHUNKS, at least one block */
    int blocks = (n_items + align - 1) / align;
    int most = (blocks + workers - 1) / workers;
    int per = (most + LLM_POOL_CHUNKS - 1) / LLM_POOL_CHUNKS;
    d->chunk = (per > 0 ? per : 1) * align;
    for (int w = 0; w < workers; w++) {
        int begin, end;
        llm_pool_range(n_items, align, workers, w, &begin, &end);
        uint32_t chunks = (uint32_t)((end - begin + d->chunk - 1) / d->chunk);
        atomic_store_explicit(&d->left[w], chunks << DEAL_HALF_BITS, memory_order_relaxed);
    }
}

/* Takes chunks of worker v's range: its owner half of what is left from the front (at
 * least one), a helper one from the back. The first chunk's index, and the count in *n;
 * -1 when none is left. Halving keeps the owner's calls long (a Q8_0 matmul reads its four
 * bands a quarter of the call's rows apart, and calls of 128 TinyLlama rows read about 5%
 * slower than whole matrices: make bench-q8, q8bw --rows) while the last chunks stay small
 * enough to share out. */
static int take(struct llm_pool_deal *d, int v, bool front, int *n)
{
    uint32_t old = atomic_load_explicit(&d->left[v], memory_order_relaxed), next, count;
    int idx;
    do {
        uint32_t lo = old & DEAL_HALF_MASK, hi = old >> DEAL_HALF_BITS;
        if (lo >= hi)
            return -1;
        count = front && hi - lo > 1 ? (hi - lo) / 2 : 1;
        idx = (int)(front ? lo : hi - 1);
        next = front ? old + count : old - (1u << DEAL_HALF_BITS);
    } while (!atomic_compare_exchange_weak_explicit(&d->left[v], &old, next,
                                                    memory_order_relaxed,
                                                    memory_order_relaxed));
    *n = (int)count;
    return idx;
}

/* fn over chunks idx..idx+n-1 of worker v's range, in one call. */
static void run_chunks(const struct llm_pool_deal *d, int v, int idx, int n, llm_pool_fn fn,
                       void *ctx)
{
    int begin, end;
    llm_pool_range(d->n_items, d->align, d->workers, v, &begin, &end);
    int b = begin + idx * d->chunk, e = b + n * d->chunk < end ? b + n * d->chunk : end;
    fn(ctx, b, e);
}

void llm_pool_deal_work(struct llm_pool_deal *d, int w, llm_pool_fn fn, void *ctx)
{
    int idx, n;
    while ((idx = take(d, w, true, &n)) >= 0)
        run_chunks(d, w, idx, n, fn, ctx);
    for (int i = 1; i < d->workers; i++) {  /* then the others', nearest first */
        int v = (w + i) % d->workers;
        while ((idx = take(d, v, false, &n)) >= 0)
            run_chunks(d, v, idx, n, fn, ctx);
    }
}

static void run_serial(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items,
                       int align)
{
    (void)pool;
    (void)align;
    if (n_items > 0)
        fn(ctx, 0, n_items);
}

struct llm_pool llm_pool_serial = { run_serial, 1, NULL };
