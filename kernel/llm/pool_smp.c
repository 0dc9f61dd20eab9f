/* The worker pool over the started CPUs (contract in pool_smp.h). The job lives on the
 * calling CPU's stack for the length of one parallel-for; smp_run_on_all returns only when
 * every CPU has finished its range, so no CPU sees it afterwards. */
#include "kernel/llm/pool_smp.h"

#include "kernel/smp/smp.h"

struct smp_job {
    llm_pool_fn fn;
    void *ctx;
    int n_items, align, workers;
};

/* One CPU's share: range cpu_index() of the split (empty ranges do nothing). */
static void run_share(void *arg)
{
    const struct smp_job *j = arg;
    int w = (int)cpu_index(), begin, end;
    if (w >= j->workers)
        return;
    llm_pool_range(j->n_items, j->align, j->workers, w, &begin, &end);
    if (begin < end)
        j->fn(j->ctx, begin, end);
}

static void run_smp(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items, int align)
{
    if (n_items <= 0)
        return;
    struct smp_job job = {fn, ctx, n_items, align, pool->workers};
    smp_run_on_all(run_share, &job);
}

static struct llm_pool pool_smp = {run_smp, 1, NULL};

struct llm_pool *llm_pool_smp(void)
{
    uint32_t cpus = cpu_count_started();
    if (cpus <= 1)
        return &llm_pool_serial;
    pool_smp.workers = (int)cpus;
    return &pool_smp;
}
