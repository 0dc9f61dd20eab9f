/* libFuzzer target for the llama2.c model reader (kernel/llm/llm_model.c: llm_model_load).
 * The input is a whole model file of version 0, 1 or 2. An accepted model must lie inside its
 * file: the extent of every tensor family (layers x stride from its base), its element count
 * for the header's shapes and its alignment are checked here. Then, for a file of at most
 * FUZZ_FORWARD_FILE_MAX bytes whose run state fits in FUZZ_STATE_MAX, one forward pass runs
 * with the scalar kernels, for the last token id at the last position (at position 0 when
 * attending over the whole sequence would be slow): what the loader accepts, llm_forward must
 * be able to run inside the file and the state. The size limit keeps mutations of the 1 MiB
 * shared models from taking most of the run; small models reach the same code.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/llm.mk). */
#include <stdlib.h>
#include <string.h>

#include "tests/kernel/llm/fuzz_llm_io.h"

#define FUZZ_FORWARD_FILE_MAX   (64u << 10) /* largest file run through a forward pass */
#define FUZZ_STATE_MAX          (16u << 20) /* bytes of run state a forward pass may use */
#define FUZZ_ATTEND_MAX         (1u << 22)  /* n_layers x seq_len x dim worth attending to */
#define F32_BYTES               4u
#define F32_ALIGN               4u          /* fp32 values are read in place */

/* [p, p + bytes) lies inside file[0, len). */
static void expect_inside(const uint8_t *file, size_t len, const void *p, uint64_t bytes)
{
    const uint8_t *b = p;
    fuzz_expect(b >= file && b <= file + len);
    fuzz_expect(bytes <= (uint64_t)(file + len - b));
    fuzz_expect((uintptr_t)b % F32_ALIGN == 0);
}

/* A weight family: `numel` elements per layer, `layers` matrices at its stride, inside the
 * file; Q8_0 scales after each matrix's int8 values, 4-byte aligned. */
static void expect_tensor(const struct llm_model *m, const uint8_t *file, size_t len,
                          const struct llm_tensor *t, uint64_t numel, uint64_t layers)
{
    fuzz_expect(t->numel == numel);
    if (m->format == LLM_FMT_V2_Q8) {
        uint64_t scales = numel / (uint64_t)m->group_size;
        fuzz_expect(numel % (uint64_t)m->group_size == 0 && numel % F32_ALIGN == 0);
        fuzz_expect(t->stride == numel + scales * F32_BYTES);
    } else {
        fuzz_expect(t->stride == numel * F32_BYTES);
    }
    expect_inside(file, len, t->base, (uint64_t)t->stride * layers);
}

static void expect_inside_file(const struct llm_model *m, const uint8_t *file, size_t len)
{
    const struct llm_config *c = &m->c;
    uint64_t dim = (uint64_t)c->dim, layers = (uint64_t)c->n_layers;
    uint64_t kv = (uint64_t)m->kv_dim, hidden = (uint64_t)c->hidden_dim;
    uint64_t vocab = (uint64_t)c->vocab_size;
    fuzz_expect(m->head_size * c->n_heads == c->dim && m->head_size % 2 == 0);
    fuzz_expect(m->kv_dim * c->n_heads == c->dim * c->n_kv_heads);
    expect_inside(file, len, m->rms_att, layers * dim * F32_BYTES);
    expect_inside(file, len, m->rms_ffn, layers * dim * F32_BYTES);
    expect_inside(file, len, m->rms_final, dim * F32_BYTES);
    expect_tensor(m, file, len, &m->tok_emb, vocab * dim, 1);
    expect_tensor(m, file, len, &m->wq, dim * dim, layers);
    expect_tensor(m, file, len, &m->wk, kv * dim, layers);
    expect_tensor(m, file, len, &m->wv, kv * dim, layers);
    expect_tensor(m, file, len, &m->wo, dim * dim, layers);
    expect_tensor(m, file, len, &m->w1, hidden * dim, layers);
    expect_tensor(m, file, len, &m->w2, dim * hidden, layers);
    expect_tensor(m, file, len, &m->w3, hidden * dim, layers);
    expect_tensor(m, file, len, &m->wcls, vocab * dim, 1);
}

/* One position through the model, in a state arena of exactly llm_state_bytes(). */
static void forward_once(const struct llm_model *m)
{
    size_t bytes = llm_state_bytes(m);
    if (bytes > FUZZ_STATE_MAX)
        return;
    uint8_t *mem = malloc(bytes);
    struct llm_arena arena;
    struct llm_state s;
    llm_arena_init(&arena, mem, bytes);
    unsigned lines = fuzz_diag_lines;
    enum llm_err err = llm_state_alloc(&s, m, &arena, &fuzz_llm_io);
    fuzz_expect_result(err, lines);
    fuzz_expect(err == LLM_OK);     /* llm_state_bytes is enough, slack included */
    uint64_t attend = (uint64_t)m->c.n_layers * (uint64_t)m->c.seq_len * (uint64_t)m->c.dim;
    int32_t pos = attend <= FUZZ_ATTEND_MAX ? m->c.seq_len - 1 : 0;
    fuzz_expect(llm_forward(m, &s, &llm_kernels_scalar, &llm_pool_serial, m->c.vocab_size - 1, pos) == s.logits);
    free(mem);
}

/* libFuzzer hands each input over in a heap block of exactly its size (so ASan sees a read
 * past it), allocated with new[], whose alignment is enough for fp32 weights read in place;
 * copying it again would double the cost of every 1 MiB model. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct llm_model m;
    unsigned lines = fuzz_diag_lines;
    enum llm_err err = llm_model_load(&m, data, size, &fuzz_llm_io);
    fuzz_expect_result(err, lines);
    if (err == LLM_OK) {
        expect_inside_file(&m, data, size);
        if (size <= FUZZ_FORWARD_FILE_MAX)
            forward_once(&m);
    }
    return 0;
}
