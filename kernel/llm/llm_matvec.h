/* Matrix-vector products shared out by output rows over a worker pool (llm_pool.h).
 * llm_matvecs runs up to LLM_MATVEC_MAX products on one input vector (q, k and v of a layer;
 * w1 and w3 of its FFN) as a single pool job, so the workers meet once per group instead of
 * once per matrix. The job's items are the matrices' rows one after another, each matrix's
 * block padded to a multiple of LLM_KERNEL_ROW_BLOCK items, split by llm_pool_range in
 * blocks of that size: every worker's rows of a matrix then start at a multiple of the
 * block counted from that matrix's row 0, so each row gets the value the whole matmul
 * gives it, and the outputs equal separate calls, bit for bit, whatever the worker count. */
#ifndef FLUID_LLM_MATVEC_H
#define FLUID_LLM_MATVEC_H

#include "kernel/llm/llm.h"

#define LLM_MATVEC_MAX 3    /* products in one job: q, k and v */

/* The shared input: x(n) for fp32 weights; for Q8_0 weights xq(n) and xs(n / gs), x
 * quantized per group of gs (n % gs == 0). */
struct llm_matvec_in {
    const float *x;
    const int8_t *xq;
    const float *xs;
    int n, gs;
};

/* One product: out(d) = W(d, n) @ x; W fp32 when w.f, else Q8_0. */
struct llm_matvec_out {
    float *out;
    struct llm_mat w;
    int d;
};

/* The count (1..LLM_MATVEC_MAX) products of outs on in, as one pool->run; returns when all
 * rows are written. */
void llm_matvecs(struct llm_pool *pool, const struct llm_kernels *k,
                 const struct llm_matvec_in *in, const struct llm_matvec_out *outs, int count);

/* Rows [r0, r1) of one product on the caller's thread (r0 a multiple of
 * LLM_KERNEL_ROW_BLOCK for the whole product's values): for jobs that do more per row. */
void llm_matvec_rows(const struct llm_kernels *k, const struct llm_matvec_in *in,
                     const struct llm_matvec_out *o, int r0, int r1);

/* Items of a job over matrices of d[0..count) rows: each padded to a multiple of
 * LLM_KERNEL_ROW_BLOCK. first[i] gets matrix i's first item. Exposed for the tests. */
int llm_matvec_items(const int *d, int count, int *first);

#endif
