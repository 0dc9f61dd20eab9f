/* The transformer forward pass for one position (llm.h: llm_forward) and its run state.
 * Origin: karpathy/llama2.c run.c forward() (fp32) and runq.c forward() (Q8_0): RMSNorm
 * with eps 1e-5, RoPE computed from pos with powf/cosf/sinf and applied to q over dim and
 * to k over kv_dim, grouped-query attention (query head h reads kv head h / (n_heads /
 * n_kv_heads)), softmax with max subtraction, SwiGLU FFN, KV cache (layer, pos, kv_dim).
 * The float operations and their order are run.c's, so with llm_kernels_scalar the logits
 * are bit-identical to llama2.c's; the SIMD kernels change only the matmul summation order.
 * One difference in form, not in value: the RoPE factors depend only on pos, so they are
 * computed once per position instead of once per layer. */
#include "kernel/llm/llm_impl.h"
#include "kernel/llm/llm_math.h"
#include "kernel/llm/llm_matvec.h"

#define RMS_EPS         1e-5f       /* run.c rmsnorm() */
#define ROPE_THETA      10000.0f    /* run.c forward(): freq = 1 / theta^(head_dim / hs) */
#define Q8_MAX          127.0f      /* runq.c: symmetric int8 range [-127, 127] */
#define STATE_ALIGN     64          /* cache line; also AVX-512 friendly */

/* ---- run state -------------------------------------------------------------------------- */

struct state_sizes {
    size_t dim, hidden, att, vocab, kv, rope, qn, qs, hn, hs;
};

static struct state_sizes sizes_of(const struct llm_model *m)
{
    const struct llm_config *c = &m->c;
    struct state_sizes z;
    z.dim = (size_t)c->dim;
    z.hidden = (size_t)c->hidden_dim;
    z.att = (size_t)c->n_heads * (size_t)c->seq_len;
    z.vocab = (size_t)c->vocab_size;
    z.kv = (size_t)c->n_layers * (size_t)c->seq_len * (size_t)m->kv_dim;
    z.rope = (size_t)m->head_size / 2;
    z.qn = m->format == LLM_FMT_V2_Q8 ? (z.dim > z.hidden ? z.dim : z.hidden) : 0;
    z.qs = m->format == LLM_FMT_V2_Q8 ? z.qn / (size_t)m->group_size : 0;
    z.hn = m->format == LLM_FMT_V2_Q8 ? z.hidden : 0;
    z.hs = m->format == LLM_FMT_V2_Q8 ? z.hn / (size_t)m->group_size : 0;
    return z;
}

/* Number of arrays llm_state_alloc makes, for the alignment slack. */
#define STATE_ARRAYS 17

size_t llm_state_bytes(const struct llm_model *m)
{
    struct state_sizes z = sizes_of(m);
    size_t floats = 4 * z.dim + 2 * z.hidden + z.att + z.vocab + 2 * z.kv + 2 * z.rope + z.qs +
                    z.hs;
    return floats * sizeof(float) + z.qn + z.hn + STATE_ARRAYS * STATE_ALIGN;
}

static float *alloc_f32(struct llm_arena *a, size_t n, bool *ok)
{
    float *p = llm_arena_alloc(a, (n ? n : 1) * sizeof(float), STATE_ALIGN);
    *ok = *ok && p;
    return p;
}

enum llm_err llm_state_alloc(struct llm_state *s, const struct llm_model *m,
                             struct llm_arena *arena, const struct llm_io *io)
{
    struct state_sizes z = sizes_of(m);
    bool ok = true;
    s->x = alloc_f32(arena, z.dim, &ok);
    s->xb = alloc_f32(arena, z.dim, &ok);
    s->xb2 = alloc_f32(arena, z.dim, &ok);
    s->q = alloc_f32(arena, z.dim, &ok);
    s->hb = alloc_f32(arena, z.hidden, &ok);
    s->hb2 = alloc_f32(arena, z.hidden, &ok);
    s->att = alloc_f32(arena, z.att, &ok);
    s->logits = alloc_f32(arena, z.vocab, &ok);
    s->key_cache = alloc_f32(arena, z.kv, &ok);
    s->value_cache = alloc_f32(arena, z.kv, &ok);
    s->rope_cos = alloc_f32(arena, z.rope, &ok);
    s->rope_sin = alloc_f32(arena, z.rope, &ok);
    s->xs = alloc_f32(arena, z.qs, &ok);
    s->xq = llm_arena_alloc(arena, z.qn ? z.qn : 1, STATE_ALIGN);
    s->hs = alloc_f32(arena, z.hs, &ok);
    s->hq = llm_arena_alloc(arena, z.hn ? z.hn : 1, STATE_ALIGN);
    if (!ok || !s->xq || !s->hq) {
        llm_diag(io, "state: out of memory (needs %zu bytes, arena has %zu free)",
                 llm_state_bytes(m), arena->size - arena->used);
        return LLM_E_NOMEM;
    }
    return LLM_OK;
}

/* ---- building blocks -------------------------------------------------------------------- */

/* o(n) = w(n) * x(n) / sqrt(mean(x^2) + eps); o may alias x. */
static void rmsnorm(float *o, const float *x, const float *w, int n)
{
    float ss = 0.0f;
    for (int j = 0; j < n; j++)
        ss += x[j] * x[j];
    ss /= (float)n;
    ss += RMS_EPS;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < n; j++)
        o[j] = w[j] * (ss * x[j]);
}

/* runq.c round(): nearest, halves away from zero; v is finite and |v| <= ~127. */
static int8_t round_q8(float v)
{
    float t = (float)(int32_t)v; /* truncation toward zero */
    float frac = v - t;          /* exact: |v| < 2^23 */
    if (frac >= 0.5f)
        t += 1.0f;
    else if (frac <= -0.5f)
        t -= 1.0f;
    if (t > Q8_MAX)
        t = Q8_MAX;
    if (t < -Q8_MAX)
        t = -Q8_MAX;
    return (int8_t)t;
}

/* runq.c quantize(): x(n) -> xq(n) int8 and xs(n / gs) scales, scale = max|x| / 127.
 * A group holding a NaN gets scale NaN and zero values: runq.c would convert NaN to an
 * integer, which C leaves undefined; a NaN scale carries the NaN on into the logits, where
 * llm_generate reports it (LLM_E_NONFINITE), as it does for fp32 models. */
static void quantize(int8_t *xq, float *xs, const float *x, int n, int gs)
{
    for (int g = 0; g < n / gs; g++) {
        const float *xg = x + g * gs;
        float wmax = 0.0f;
        bool nan = false;
        for (int i = 0; i < gs; i++) {
            if (fabsf(xg[i]) > wmax)
                wmax = fabsf(xg[i]);
            nan |= isnan(xg[i]);
        }
        float scale = nan ? NAN : wmax / Q8_MAX;
        xs[g] = scale;
        bool usable = scale > 0.0f && isfinite(scale); /* not all-zero, inf or NaN */
        for (int i = 0; i < gs; i++)
            xq[g * gs + i] = usable ? round_q8(xg[i] / scale) : 0;
    }
}

/* The per-position RoPE factors, run.c's formula: for pair j of a head,
 * freq = 1 / 10000^(2j / head_size), angle = pos * freq. */
static void rope_table(struct llm_state *s, const struct llm_model *m, int32_t pos)
{
    int hs = m->head_size;
    for (int j = 0; j < hs / 2; j++) {
        int head_dim = 2 * j;
        float freq = 1.0f / powf(ROPE_THETA, (float)head_dim / (float)hs);
        float val = (float)pos * freq;
        s->rope_cos[j] = cosf(val);
        s->rope_sin[j] = sinf(val);
    }
}

static void rotate(float *v, int i, float fcr, float fci)
{
    float v0 = v[i], v1 = v[i + 1];
    v[i] = v0 * fcr - v1 * fci;
    v[i + 1] = v0 * fci + v1 * fcr;
}

/* q(dim) and k(kv_dim) rotated pairwise inside each head. */
static void rope_apply(const struct llm_state *s, const struct llm_model *m, float *k)
{
    for (int i = 0; i < m->c.dim; i += 2) {
        int j = (i % m->head_size) / 2;
        rotate(s->q, i, s->rope_cos[j], s->rope_sin[j]);
        if (i < m->kv_dim)
            rotate(k, i, s->rope_cos[j], s->rope_sin[j]);
    }
}

/* One query head over positions 0..pos: scores, softmax, weighted sum of values into
 * xb(head_size). kc/vc point at this layer's cache (seq_len, kv_dim), offset to the head. */
static void attend_head(const struct llm_model *m, float *att, const float *q,
                        const float *kc, const float *vc, float *xb, int32_t pos)
{
    int hs = m->head_size, kv_dim = m->kv_dim;
    for (int t = 0; t <= pos; t++) {
        const float *k = kc + (size_t)t * kv_dim;
        float score = 0.0f;
        for (int i = 0; i < hs; i++)
            score += q[i] * k[i];
        score /= sqrtf((float)hs);
        att[t] = score;
    }
    llm_softmax(att, pos + 1);
    for (int i = 0; i < hs; i++)
        xb[i] = 0.0f;
    for (int t = 0; t <= pos; t++) {
        const float *v = vc + (size_t)t * kv_dim;
        float a = att[t];
        for (int i = 0; i < hs; i++)
            xb[i] += a * v[i];
    }
}

/* ---- the pass --------------------------------------------------------------------------- */

struct fwd {
    const struct llm_model *m;
    struct llm_state *s;
    const struct llm_kernels *k;
    struct llm_pool *pool;
};

/* Q8_0 matmuls read the input quantized: call before a group of matvecs on x(n). */
static void prepare(const struct fwd *f, const float *x, int n)
{
    if (f->m->format == LLM_FMT_V2_Q8)
        quantize(f->s->xq, f->s->xs, x, n, f->m->group_size);
}

/* The input x(n) as the kernels take it: for Q8_0, quantized by prepare() into xq/xs. */
static struct llm_matvec_in input(const struct fwd *f, const float *x, int n)
{
    return (struct llm_matvec_in){ x, f->s->xq, f->s->xs, n, f->m->group_size };
}

/* The products outs[0..count) of W_layer @ x(n), one pool job. */
static void matvecs(const struct fwd *f, const float *x, int n, const struct llm_matvec_out *outs,
                    int count)
{
    struct llm_matvec_in in = input(f, x, n);
    llm_matvecs(f->pool, f->k, &in, outs, count);
}

/* out(d) = W_layer(d, n) @ x(n). */
static void matvec(const struct fwd *f, float *out, const float *x, const struct llm_tensor *t,
                   int layer, int n, int d)
{
    struct llm_matvec_out o = { out, llm_tensor_mat(f->m, t, layer), d };
    matvecs(f, x, n, &o, 1);
}

static void embed(const struct fwd *f, int32_t token)
{
    int dim = f->m->c.dim;
    struct llm_mat e = llm_tensor_mat(f->m, &f->m->tok_emb, 0);
    size_t row = (size_t)token * (size_t)dim;
    for (int i = 0; i < dim; i++) /* runq.c dequantizes the table: q * s */
        f->s->x[i] = e.f ? e.f[row + i]
                         : (float)e.q[row + i] * e.s[(row + i) / (size_t)f->m->group_size];
}

/* Query heads of one layer, shared out by head: head h writes only its att row and its
 * head_size slice of xb, and reads the finished q and KV cache. */
struct heads_job {
    const struct fwd *f;
    int layer;
    int32_t pos;
};

static void attend_heads(void *ctx, int h0, int h1)
{
    const struct heads_job *j = ctx;
    const struct llm_model *m = j->f->m;
    struct llm_state *s = j->f->s;
    int hs = m->head_size, kv_mul = m->c.n_heads / m->c.n_kv_heads;
    size_t loff = (size_t)j->layer * (size_t)m->c.seq_len * (size_t)m->kv_dim;
    for (int h = h0; h < h1; h++) {
        size_t kvh = (size_t)(h / kv_mul) * hs;
        attend_head(m, s->att + (size_t)h * m->c.seq_len, s->q + (size_t)h * hs,
                    s->key_cache + loff + kvh, s->value_cache + loff + kvh,
                    s->xb + (size_t)h * hs, j->pos);
    }
}

static void attention(const struct fwd *f, int l, int32_t pos)
{
    const struct llm_model *m = f->m;
    struct llm_state *s = f->s;
    int dim = m->c.dim, kv_dim = m->kv_dim;
    size_t loff = (size_t)l * (size_t)m->c.seq_len * (size_t)kv_dim;
    float *k = s->key_cache + loff + (size_t)pos * kv_dim;
    float *v = s->value_cache + loff + (size_t)pos * kv_dim;

    rmsnorm(s->xb, s->x, m->rms_att + (size_t)l * dim, dim);
    prepare(f, s->xb, dim);
    struct llm_matvec_out qkv[3] = {   /* one job: the workers meet once for all three */
        { s->q, llm_tensor_mat(m, &m->wq, l), dim },
        { k, llm_tensor_mat(m, &m->wk, l), kv_dim },
        { v, llm_tensor_mat(m, &m->wv, l), kv_dim },
    };
    matvecs(f, s->xb, dim, qkv, 3);
    rope_apply(s, m, k);
    struct heads_job j = { f, l, pos };
    f->pool->run(f->pool, attend_heads, &j, m->c.n_heads, 1);
    prepare(f, s->xb, dim);
    matvec(f, s->xb2, s->xb, &m->wo, l, dim, dim);
    for (int i = 0; i < dim; i++)
        s->x[i] += s->xb2[i];
}

/* The FFN's first half shared out by hidden rows: a part does rows [r0, r1) of W1 and W3,
 * SwiGLU on them and, for Q8_0, quantizes them into hq/hs for W2, so none of it is left
 * to the caller alone between two jobs. Parts start on a multiple of both the kernels'
 * row block and the group size (hidden_dim is a multiple of the group size), so every
 * value is the one the whole-vector loops give. */
struct ffn_job {
    const struct fwd *f;
    struct llm_matvec_in in;
    struct llm_matvec_out w1, w3;
};

static void ffn_rows(void *ctx, int r0, int r1)
{
    const struct ffn_job *j = ctx;
    struct llm_state *s = j->f->s;
    llm_matvec_rows(j->f->k, &j->in, &j->w1, r0, r1);
    llm_matvec_rows(j->f->k, &j->in, &j->w3, r0, r1);
    for (int i = r0; i < r1; i++) {
        float val = s->hb[i];
        val *= (1.0f / (1.0f + expf(-val))); /* silu(x) = x * sigmoid(x) */
        val *= s->hb2[i];
        s->hb[i] = val;
    }
    if (j->f->m->format == LLM_FMT_V2_Q8) {
        int gs = j->f->m->group_size;
        quantize(s->hq + r0, s->hs + r0 / gs, s->hb + r0, r1 - r0, gs);
    }
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* x += W2 (silu(W1 xb) * W3 xb) with xb = rmsnorm(x). */
static void ffn(const struct fwd *f, int l)
{
    const struct llm_model *m = f->m;
    struct llm_state *s = f->s;
    int dim = m->c.dim, hidden = m->c.hidden_dim, gs = m->group_size;
    rmsnorm(s->xb, s->x, m->rms_ffn + (size_t)l * dim, dim);
    prepare(f, s->xb, dim);
    struct ffn_job j = { f, input(f, s->xb, dim),
                         { s->hb, llm_tensor_mat(m, &m->w1, l), hidden },
                         { s->hb2, llm_tensor_mat(m, &m->w3, l), hidden } };
    int align = LLM_KERNEL_ROW_BLOCK;
    if (m->format == LLM_FMT_V2_Q8)
        align = align / gcd(align, gs) * gs;   /* lcm(row block, group size) */
    f->pool->run(f->pool, ffn_rows, &j, hidden, align);
    struct llm_matvec_in in = { s->hb, s->hq, s->hs, hidden, gs };
    struct llm_matvec_out w2 = { s->xb, llm_tensor_mat(m, &m->w2, l), dim };
    llm_matvecs(f->pool, f->k, &in, &w2, 1);
    for (int i = 0; i < dim; i++)
        s->x[i] += s->xb[i];
}

float *llm_forward(const struct llm_model *m, struct llm_state *s,
                   const struct llm_kernels *k, struct llm_pool *pool, int32_t token,
                   int32_t pos)
{
    struct fwd f = { m, s, k, pool };
    embed(&f, token);
    rope_table(s, m, pos);
    for (int l = 0; l < m->c.n_layers; l++) {
        attention(&f, l, pos);
        ffn(&f, l);
    }
    rmsnorm(s->x, s->x, m->rms_final, m->c.dim);
    prepare(&f, s->x, m->c.dim);
    matvec(&f, s->logits, s->x, &m->wcls, 0, m->c.dim, m->c.vocab_size);
    return s->logits;
}
