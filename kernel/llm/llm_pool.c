/* The single-thread worker pool (llm_pool.h) and the range split every pool uses. The
 * kernel uses this pool when only its boot CPU runs (else pool_smp.c's); the Linux CLI's
 * threaded one is tools/llm/llm_pool_pthread.c. */
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

static void run_serial(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items,
                       int align)
{
    (void)pool;
    (void)align;
    if (n_items > 0)
        fn(ctx, 0, n_items);
}

struct llm_pool llm_pool_serial = { run_serial, 1, NULL };
