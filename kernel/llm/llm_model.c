/* Model file parsing and validation for llama2.c checkpoints (llm.h: llm_model_load).
 * Three layouts, all little-endian, weights row-major:
 *   version 0 (run.c): 7 x int32 header; vocab_size < 0 means an unshared classifier; then
 *     tok_emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis_real,
 *     freq_cis_imag (unused), [wcls] - fp32.
 *   version 1 (export.py version1_export): 256-byte header {u32 magic, i32 version,
 *     7 x i32, u8 shared_classifier, zero padding}; rms_att, rms_ffn, rms_final, tok_emb,
 *     wq, wk, wv, wo, w1, w2, w3, [wcls] - fp32.
 *   version 2 (export.py version2_export, read as runq.c reads it): the version-1 header
 *     plus i32 group_size at byte 37; rms_att, rms_ffn, rms_final in fp32; then for each
 *     matrix (tok_emb, every layer's wq, wk, wv, wo, w1, w2, w3, [wcls]) its int8 values
 *     followed by its fp32 group scales.
 * Every header field is range-checked and the exact file length is derived from the
 * header before any weight pointer is formed; weights are then used in place. */
#include "kernel/llm/llm_impl.h"

/* Header limits (and LLM_MAX_VOCAB, llm.h): generous for TinyLlama/Llama-2-7B shapes, small
 * enough that every size product below fits in 64 bits without overflow
 * (2^14 * 2^16 * 2^8 * 4 < 2^63). */
#define LLM_MAX_DIM         16384
#define LLM_MAX_HIDDEN      65536
#define LLM_MAX_LAYERS      256
#define LLM_MAX_SEQ         (1 << 16)
#define LLM_MAX_GROUP       4096

/* Version-1/2 header byte offsets (export.py packs with struct 'I', 'i', 'iiiiiii', 'B'). */
#define HDR_MAGIC       0   /* u32 0x616b3432 */
#define HDR_VERSION     4   /* i32 1 or 2 */
#define HDR_CONFIG      8   /* 7 x i32: dim, hidden, layers, heads, kv_heads, vocab, seq */
#define HDR_SHARED      36  /* u8 shared classifier flag, 0 or 1 */
#define HDR_GROUP_SIZE  37  /* i32 Q8_0 group size (version 2 only, unaligned) */
#define HDR_V1_END      37  /* first padding byte, version 1 */
#define HDR_V2_END      41  /* first padding byte, version 2 */

#define F32 4u              /* bytes per fp32 value */
#define FILE_ALIGN 4u       /* fp32 tensors are read in place */

static void read_config(struct llm_config *c, const uint8_t *p)
{
    c->dim = llm_ld32s(p + 0);
    c->hidden_dim = llm_ld32s(p + 4);
    c->n_layers = llm_ld32s(p + 8);
    c->n_heads = llm_ld32s(p + 12);
    c->n_kv_heads = llm_ld32s(p + 16);
    c->vocab_size = llm_ld32s(p + 20);
    c->seq_len = llm_ld32s(p + 24);
}

static bool in_range(int32_t v, int32_t lo, int32_t hi)
{
    return v >= lo && v <= hi;
}

/* One rule per check; vocab_size must already be positive. */
static enum llm_err check_config(const struct llm_config *c, const struct llm_io *io)
{
    const char *bad = NULL;
    int32_t val = 0;
    if (!in_range(c->dim, 1, LLM_MAX_DIM))                bad = "dim", val = c->dim;
    else if (!in_range(c->hidden_dim, 1, LLM_MAX_HIDDEN)) bad = "hidden_dim", val = c->hidden_dim;
    else if (!in_range(c->n_layers, 1, LLM_MAX_LAYERS))   bad = "n_layers", val = c->n_layers;
    else if (!in_range(c->n_heads, 1, c->dim))            bad = "n_heads", val = c->n_heads;
    else if (!in_range(c->n_kv_heads, 1, c->n_heads))     bad = "n_kv_heads", val = c->n_kv_heads;
    else if (!in_range(c->vocab_size, 1, LLM_MAX_VOCAB))  bad = "vocab_size", val = c->vocab_size;
    else if (!in_range(c->seq_len, 1, LLM_MAX_SEQ))       bad = "seq_len", val = c->seq_len;
    if (bad) {
        llm_diag(io, "model: %s %d out of range", bad, val);
        return LLM_E_HEADER;
    }
    /* heads split dim evenly; kv heads are shared by whole groups of query heads */
    if (c->dim % c->n_heads || c->n_heads % c->n_kv_heads) {
        llm_diag(io, "model: dim %d, n_heads %d, n_kv_heads %d do not divide evenly",
                 c->dim, c->n_heads, c->n_kv_heads);
        return LLM_E_HEADER;
    }
    /* RoPE rotates pairs of values inside one head */
    if ((c->dim / c->n_heads) % 2) {
        llm_diag(io, "model: head size %d is odd", c->dim / c->n_heads);
        return LLM_E_HEADER;
    }
    return LLM_OK;
}

/* Element counts of the per-layer matrices. */
struct shapes {
    uint64_t emb, att, kv, ffn, norms, rope;
};

static struct shapes shapes_of(const struct llm_model *m)
{
    const struct llm_config *c = &m->c;
    struct shapes s;
    s.emb = (uint64_t)c->vocab_size * (uint64_t)c->dim;
    s.att = (uint64_t)c->dim * (uint64_t)c->dim;
    s.kv = (uint64_t)m->kv_dim * (uint64_t)c->dim;
    s.ffn = (uint64_t)c->hidden_dim * (uint64_t)c->dim;
    s.norms = (uint64_t)c->n_layers * (uint64_t)c->dim;
    s.rope = (uint64_t)c->seq_len * (uint64_t)(m->head_size / 2);
    return s;
}

/* A cursor that lays tensors out one after another; offsets are checked against the
 * length in llm_model_load before the cursor is run with a real base. */
struct cursor {
    const uint8_t *base;
    uint64_t off;
};

/* Current position; NULL while only sizes are being computed (no base yet). */
static const uint8_t *cur_ptr(const struct cursor *cur)
{
    return cur->base ? cur->base + cur->off : NULL;
}

static const float *take_f32(struct cursor *cur, uint64_t count)
{
    const float *p = (const float *)cur_ptr(cur);
    cur->off += count * F32;
    return p;
}

static void take_tensor(const struct llm_model *m, struct cursor *cur, struct llm_tensor *t,
                        uint64_t numel, uint64_t layers)
{
    uint64_t stride = m->format == LLM_FMT_V2_Q8
                          ? numel + numel / (uint64_t)m->group_size * F32
                          : numel * F32;
    t->base = cur_ptr(cur);
    t->stride = (size_t)stride;
    t->numel = (size_t)numel;
    cur->off += stride * layers;
}

static void layout_v0(struct llm_model *m, struct cursor *cur)
{
    struct shapes s = shapes_of(m);
    uint64_t L = (uint64_t)m->c.n_layers;
    take_tensor(m, cur, &m->tok_emb, s.emb, 1);
    m->rms_att = take_f32(cur, s.norms);
    take_tensor(m, cur, &m->wq, s.att, L);
    take_tensor(m, cur, &m->wk, s.kv, L);
    take_tensor(m, cur, &m->wv, s.kv, L);
    take_tensor(m, cur, &m->wo, s.att, L);
    m->rms_ffn = take_f32(cur, s.norms);
    take_tensor(m, cur, &m->w1, s.ffn, L);
    take_tensor(m, cur, &m->w2, s.ffn, L);
    take_tensor(m, cur, &m->w3, s.ffn, L);
    m->rms_final = take_f32(cur, (uint64_t)m->c.dim);
    take_f32(cur, s.rope); /* freq_cis_real: run.c recomputes RoPE, so do we */
    take_f32(cur, s.rope); /* freq_cis_imag */
}

/* Versions 1 and 2 share the tensor order; only the matrix encoding differs. */
static void layout_v12(struct llm_model *m, struct cursor *cur)
{
    struct shapes s = shapes_of(m);
    uint64_t L = (uint64_t)m->c.n_layers;
    m->rms_att = take_f32(cur, s.norms);
    m->rms_ffn = take_f32(cur, s.norms);
    m->rms_final = take_f32(cur, (uint64_t)m->c.dim);
    take_tensor(m, cur, &m->tok_emb, s.emb, 1);
    take_tensor(m, cur, &m->wq, s.att, L);
    take_tensor(m, cur, &m->wk, s.kv, L);
    take_tensor(m, cur, &m->wv, s.kv, L);
    take_tensor(m, cur, &m->wo, s.att, L);
    take_tensor(m, cur, &m->w1, s.ffn, L);
    take_tensor(m, cur, &m->w2, s.ffn, L);
    take_tensor(m, cur, &m->w3, s.ffn, L);
}

static void layout(struct llm_model *m, struct cursor *cur)
{
    if (m->format == LLM_FMT_V0)
        layout_v0(m, cur);
    else
        layout_v12(m, cur);
    if (m->shared_classifier)
        m->wcls = m->tok_emb;
    else
        take_tensor(m, cur, &m->wcls, shapes_of(m).emb, 1);
}

/* Version-0 header: the sign of vocab_size is the classifier flag. */
static enum llm_err parse_v0(struct llm_model *m, const uint8_t *p, const struct llm_io *io)
{
    read_config(&m->c, p);
    m->format = LLM_FMT_V0;
    m->shared_classifier = m->c.vocab_size > 0;
    if (m->c.vocab_size == INT32_MIN) {
        llm_diag(io, "model: vocab_size %d out of range", m->c.vocab_size);
        return LLM_E_HEADER;
    }
    if (m->c.vocab_size < 0)
        m->c.vocab_size = -m->c.vocab_size;
    return LLM_OK;
}

static bool all_zero(const uint8_t *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i])
            return false;
    return true;
}

/* Group size rules (version 2): a whole number of groups in every matrix row, since
 * activations of width dim and hidden_dim are quantized group-wise (runq.c quantize()),
 * and int8 tensors of a length that keeps the following fp32 scales 4-byte aligned. */
static enum llm_err check_group(const struct llm_model *m, const struct llm_io *io)
{
    int32_t gs = m->group_size;
    if (!in_range(gs, 1, LLM_MAX_GROUP)) {
        llm_diag(io, "model: group size %d out of range", gs);
        return LLM_E_HEADER;
    }
    if (m->c.dim % gs || m->c.hidden_dim % gs) {
        llm_diag(io, "model: group size %d does not divide dim %d and hidden_dim %d", gs,
                 m->c.dim, m->c.hidden_dim);
        return LLM_E_HEADER;
    }
    if (m->c.dim % (int32_t)FILE_ALIGN) {
        llm_diag(io, "model: dim %d not a multiple of 4 leaves Q8_0 scales misaligned",
                 m->c.dim);
        return LLM_E_ALIGN;
    }
    return LLM_OK;
}

static enum llm_err parse_v12(struct llm_model *m, const uint8_t *p, size_t len,
                              const struct llm_io *io)
{
    uint32_t magic = ld32(p + HDR_MAGIC);
    int32_t version = llm_ld32s(p + HDR_VERSION);
    if (magic != LLM_MAGIC) {
        llm_diag(io, "model: bad magic 0x%x (version 1 and 2 files start with 0x%x)", magic,
                 LLM_MAGIC);
        return LLM_E_MAGIC;
    }
    if (version != LLM_FMT_V1 && version != LLM_FMT_V2_Q8) {
        llm_diag(io, "model: version %d unsupported (1 or 2)", version);
        return LLM_E_VERSION;
    }
    if (len < LLM_V12_HEADER_BYTES) {
        llm_diag(io, "model: %zu bytes, shorter than the %d-byte header", len,
                 LLM_V12_HEADER_BYTES);
        return LLM_E_TRUNCATED;
    }
    m->format = (enum llm_format)version;
    read_config(&m->c, p + HDR_CONFIG);
    if (p[HDR_SHARED] > 1) {
        llm_diag(io, "model: shared_classifier flag %u is not 0 or 1", p[HDR_SHARED]);
        return LLM_E_HEADER;
    }
    m->shared_classifier = p[HDR_SHARED] == 1;
    size_t end = HDR_V1_END;
    if (m->format == LLM_FMT_V2_Q8) {
        m->group_size = llm_ld32s(p + HDR_GROUP_SIZE);
        end = HDR_V2_END;
    }
    /* export.py zero-fills the rest of the header; anything else is corruption */
    if (!all_zero(p, end, LLM_V12_HEADER_BYTES)) {
        llm_diag(io, "model: header padding (bytes %zu-255) is not zero", end);
        return LLM_E_HEADER;
    }
    return LLM_OK;
}

/* Size the header implies, from a cursor run on a NULL base. */
static uint64_t expected_size(struct llm_model *m, uint64_t header)
{
    struct cursor cur = { NULL, header };
    struct llm_model tmp = *m;
    layout(&tmp, &cur);
    return cur.off;
}

/* True when word has at least MAGIC_NEAR_BYTES of its 4 bytes equal to the magic's, in place. */
#define MAGIC_NEAR_BYTES    2

static bool near_magic(uint32_t word)
{
    unsigned same = 0;
    for (unsigned shift = 0; shift < 32; shift += 8)
        same += ((word ^ LLM_MAGIC) >> shift & 0xFFu) == 0;
    return same >= MAGIC_NEAR_BYTES;
}

static enum llm_err parse_header(struct llm_model *m, const uint8_t *p, size_t len,
                                 const struct llm_io *io)
{
    if (len < LLM_V0_HEADER_BYTES) {
        llm_diag(io, "model: %zu bytes, shorter than any header", len);
        return LLM_E_TRUNCATED;
    }
    /* A version-0 file starts with dim, which never equals the magic (> LLM_MAX_DIM). A first
     * word too large for a dim that shares bytes with the magic is a damaged magic: say so,
     * rather than report a dim of 1.6 billion. */
    uint32_t first = ld32(p);
    if (first == LLM_MAGIC || (first > LLM_MAX_DIM && near_magic(first)))
        return parse_v12(m, p, len, io);
    return parse_v0(m, p, io);
}

enum llm_err llm_model_load(struct llm_model *m, const void *file, size_t len,
                            const struct llm_io *io)
{
    const uint8_t *p = file;
    memset(m, 0, sizeof *m);
    if (!file || (uintptr_t)file % FILE_ALIGN) {
        llm_diag(io, "model: buffer %s", file ? "is not 4-byte aligned" : "is NULL");
        return file ? LLM_E_ALIGN : LLM_E_ARG;
    }
    enum llm_err err = parse_header(m, p, len, io);
    if (err == LLM_OK)
        err = check_config(&m->c, io);
    if (err == LLM_OK && m->format == LLM_FMT_V2_Q8)
        err = check_group(m, io);
    if (err != LLM_OK)
        return err;
    m->head_size = m->c.dim / m->c.n_heads;
    m->kv_dim = m->c.dim * m->c.n_kv_heads / m->c.n_heads;
    uint64_t header = m->format == LLM_FMT_V0 ? LLM_V0_HEADER_BYTES : LLM_V12_HEADER_BYTES;
    uint64_t want = expected_size(m, header);
    if ((uint64_t)len != want) {
        llm_diag(io, "model: file is %zu bytes, header implies %llu", len,
                 (unsigned long long)want);
        return (uint64_t)len < want ? LLM_E_TRUNCATED : LLM_E_SIZE;
    }
    struct cursor cur = { p, header };
    layout(m, &cur);
    return LLM_OK;
}

struct llm_mat llm_tensor_mat(const struct llm_model *m, const struct llm_tensor *t, int layer)
{
    struct llm_mat mat = { NULL, NULL, NULL };
    const uint8_t *base = t->base + (size_t)layer * t->stride;
    if (m->format == LLM_FMT_V2_Q8) {
        mat.q = (const int8_t *)base;
        mat.s = (const float *)(base + t->numel);
    } else {
        mat.f = (const float *)base;
    }
    return mat;
}
