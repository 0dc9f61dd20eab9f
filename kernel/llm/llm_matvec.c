/* Fused matrix-vector products over a pool (contract in llm_matvec.h). */
#include "kernel/llm/llm_matvec.h"

#include "kernel/llm/llm_pool.h"

struct matvec_job {
    const struct llm_kernels *k;
    const struct llm_matvec_in *in;
    const struct llm_matvec_out *outs;
    int first[LLM_MATVEC_MAX];
    int count;
};

int llm_matvec_items(const int *d, int count, int *first)
{
    int items = 0;
    for (int i = 0; i < count; i++) {
        first[i] = items;
        items += (d[i] + LLM_KERNEL_ROW_BLOCK - 1) / LLM_KERNEL_ROW_BLOCK *
                 LLM_KERNEL_ROW_BLOCK;
    }
    return items;
}

/* Q8_0 scales sit row-major too, n / gs per row. */
void llm_matvec_rows(const struct llm_kernels *k, const struct llm_matvec_in *in,
                     const struct llm_matvec_out *o, int r0, int r1)
{
    size_t first = (size_t)r0 * (size_t)in->n;
    if (o->w.f)
        k->matmul_f32(o->out + r0, in->x, o->w.f + first, in->n, r1 - r0);
    else
        k->matmul_q8(o->out + r0, in->xq, in->xs, o->w.q + first,
                     o->w.s + first / (size_t)in->gs, in->n, r1 - r0, in->gs);
}

/* Items [i0, i1): the part of each matrix's block that falls inside, the padding skipped. */
static void matvec_items(void *ctx, int i0, int i1)
{
    const struct matvec_job *j = ctx;
    for (int m = 0; m < j->count; m++) {
        int lo = i0 - j->first[m], hi = i1 - j->first[m], d = j->outs[m].d;
        lo = lo < 0 ? 0 : lo;
        hi = hi > d ? d : hi;
        if (lo < hi)
            llm_matvec_rows(j->k, j->in, &j->outs[m], lo, hi);
    }
}

void llm_matvecs(struct llm_pool *pool, const struct llm_kernels *k,
                 const struct llm_matvec_in *in, const struct llm_matvec_out *outs, int count)
{
    struct matvec_job j = { k, in, outs, {0}, count };
    int d[LLM_MATVEC_MAX];
    for (int m = 0; m < count; m++)
        d[m] = outs[m].d;
    int items = llm_matvec_items(d, count, j.first);
    pool->run(pool, matvec_items, &j, items, LLM_KERNEL_ROW_BLOCK);
}
