/* Reference matrix-vector kernels in plain C (llm.h: llm_kernels_scalar). The summation
 * order is llama2.c's - run.c matmul() for fp32, runq.c matmul() for Q8_0 - so the host
 * tests can demand logits and tokens bit-identical to run.c. Used on every architecture
 * and as the yardstick the SIMD kernels (llm_kernels_x86.c) are tested against. */
#include "kernel/llm/llm_impl.h"

/* out(d) = W(d, n) @ x(n), one running float sum per row. */
static void matmul_f32(float *out, const float *x, const float *w, int n, int d)
{
    for (int i = 0; i < d; i++) {
        const float *row = w + (size_t)i * n;
        float val = 0.0f;
        for (int j = 0; j < n; j++)
            val += row[j] * x[j];
        out[i] = val;
    }
}

/* Q8_0: exact int32 dot product per group of gs, scaled by both groups' scales and summed
 * in float in group order. n % gs == 0 (checked at model load). */
static void matmul_q8(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                      const float *ws, int n, int d, int gs)
{
    for (int i = 0; i < d; i++) {
        size_t in = (size_t)i * n;
        float val = 0.0f;
        for (int j = 0; j + gs <= n; j += gs) {
            int32_t ival = 0;
            for (int k = 0; k < gs; k++)
                ival += (int32_t)xq[j + k] * (int32_t)wq[in + j + k];
            val += (float)ival * ws[(in + j) / gs] * xs[j / gs];
        }
        out[i] = val;
    }
}

const struct llm_kernels llm_kernels_scalar = {
    .name = "scalar",
    .matmul_f32 = matmul_f32,
    .matmul_q8 = matmul_q8,
};
