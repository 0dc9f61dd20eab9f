/* The worker pool over the started CPUs (contract in pool_smp.h). Each job is dealt out in
 * chunks (llm_pool.h), so a CPU that finishes first takes over the rest of a slower one's
 * range. The job lives on the
 * calling CPU's stack for the length of one parallel-for; smp_run_on_all returns only when
 * every CPU has finished its range, so no CPU sees it afterwards. */
#include "kernel/llm/pool_smp.h"

#include "kernel/smp/smp.h"

_Static_assert(SMP_MAX_CPUS <= LLM_POOL_MAX_WORKERS, "a deal tracks every started CPU");

struct smp_job {
    llm_pool_fn fn;
    void *ctx;
    struct llm_pool_deal deal;
};

/* One CPU's share: range cpu_index() of the split in chunks, then what is left of the
 * others' (llm_pool_deal_work). smp_run_on_all publishes the job with a release store its
 * APs read with acquire, so they see the deal set up. */
static void run_share(void *arg)
{
    struct smp_job *j = arg;
    int w = (int)cpu_index();
    if (w >= j->deal.workers)
        return;
    llm_pool_deal_work(&j->deal, w, j->fn, j->ctx);
}

static void run_smp(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items, int align)
{
    if (n_items <= 0)
        return;
    struct smp_job job = {fn, ctx, {0}};
    llm_pool_deal_init(&job.deal, n_items, align, pool->workers);
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
