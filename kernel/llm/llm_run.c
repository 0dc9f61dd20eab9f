/* The generation loop (llm.h: llm_engine_init, llm_generate, llm_print_summary).
 * Origin: karpathy/llama2.c run.c generate(): the prompt is encoded with BOS, its tokens
 * are forced while the model runs over them, then sampled tokens follow until `steps`
 * positions have run or BOS is sampled; each token's text streams out as it is produced.
 * Timing, as run.c: from the first emitted token to the end, (positions - 1) tokens. */
#include "kernel/core/format.h"
#include "kernel/llm/llm_impl.h"

#define MILLI           1000u

enum llm_err llm_engine_init(struct llm_engine *e, const void *model, size_t model_len,
                             const void *tokenizer, size_t tok_len, struct llm_arena *arena,
                             const struct llm_kernels *k, const struct llm_io *io)
{
    memset(e, 0, sizeof *e);
    if (io)
        e->io = *io;
    e->kernels = k ? k : llm_kernels_best();
    e->pool = &llm_pool_serial;
    enum llm_err err = llm_model_load(&e->model, model, model_len, &e->io);
    if (err == LLM_OK)
        err = llm_tokenizer_load(&e->tok, tokenizer, tok_len, e->model.c.vocab_size, arena,
                                 &e->io);
    if (err == LLM_OK)
        err = llm_state_alloc(&e->state, &e->model, arena, &e->io);
    return err;
}

static uint64_t clock_now(const struct llm_clock *c)
{
    return c && c->now ? c->now(c->ctx) : 0;
}

static void emit(struct llm_engine *e, int32_t prev, int32_t next, llm_token_fn on_token,
                 void *ctx)
{
    const char *text = llm_decode(&e->tok, prev, next);
    llm_text(&e->io, text);
    if (on_token)
        on_token(ctx, next, text);
}

static void finish_timing(struct llm_gen_result *r, const struct llm_clock *clock,
                          uint64_t start)
{
    if (!start || r->positions <= 1)
        return;
    r->cycles = clock_now(clock) - start;
    if (clock->hz && r->cycles)
        r->milli_tok_per_s = (uint64_t)(r->positions - 1) * clock->hz * MILLI / r->cycles;
}

/* Encodes the prompt into arena scratch; returns NULL (and logs) on failure. */
static int32_t *encode_prompt(struct llm_engine *e, const char *prompt,
                              struct llm_arena *arena, int32_t *n, enum llm_err *err)
{
    size_t len = strlen(prompt);
    if (len > (size_t)INT32_MAX - 3) {
        *err = LLM_E_ARG;
        return NULL;
    }
    int32_t cap = (int32_t)len + 3; /* +3: BOS, EOS, dummy prefix */
    int32_t *ids = llm_arena_alloc(arena, (size_t)cap * sizeof *ids, sizeof *ids);
    if (!ids) {
        llm_diag(&e->io, "generate: out of memory for a %zu-byte prompt", len);
        *err = LLM_E_NOMEM;
        return NULL;
    }
    *err = llm_encode(&e->tok, prompt, true, false, ids, cap, n, &e->io);
    return *err == LLM_OK ? ids : NULL;
}

enum llm_err llm_generate(struct llm_engine *e, const struct llm_gen_params *p,
                          struct llm_arena *arena, const struct llm_clock *clock,
                          llm_token_fn on_token, void *ctx, struct llm_gen_result *r)
{
    struct llm_sampler smp;
    enum llm_err err;
    int32_t n_prompt = 0;
    memset(r, 0, sizeof *r);
    size_t mark = arena->used; /* prompt ids and sampler buffers are per run */
    int32_t *prompt = encode_prompt(e, p->prompt ? p->prompt : "", arena, &n_prompt, &err);
    if (prompt)
        err = llm_sampler_init(&smp, e->model.c.vocab_size, p->temperature, p->topp,
                               p->seed, arena, &e->io);
    if (err != LLM_OK) {
        arena->used = mark;
        return err;
    }
    int32_t steps = p->steps;
    if (steps <= 0 || steps > e->model.c.seq_len)
        steps = e->model.c.seq_len;
    r->prompt_tokens = n_prompt;
    uint64_t start = 0;
    int32_t token = prompt[0];
    while (r->positions < steps) {
        float *logits = llm_forward(&e->model, &e->state, e->kernels, e->pool, token,
                                    r->positions);
        /* Logits that are sampled, or left for the caller after the last position, must be
         * numbers: NaN weights would otherwise "generate" arbitrary tokens and succeed. */
        bool used = r->positions >= n_prompt - 1 || r->positions + 1 == steps;
        int32_t bad = used ? llm_first_nonfinite(logits, e->model.c.vocab_size) : -1;
        if (bad >= 0) {
            llm_diag(&e->io, "forward: logit %d is not finite (%s) at position %d", bad,
                     logits[bad] != logits[bad] ? "NaN" : "infinite", r->positions);
            arena->used = mark;
            return LLM_E_NONFINITE;
        }
        int32_t next = r->positions < n_prompt - 1 ? prompt[r->positions + 1]
                                                   : llm_sample(&smp, logits);
        r->positions++;
        if (next == LLM_TOKEN_BOS) /* the model ended the text */
            break;
        emit(e, token, next, on_token, ctx);
        r->generated++;
        token = next;
        if (!start)
            start = clock_now(clock);
    }
    llm_text(&e->io, "\n");
    finish_timing(r, clock, start);
    arena->used = mark;
    return LLM_OK;
}

static const char *format_name(enum llm_format f)
{
    return f == LLM_FMT_V2_Q8 ? "q8_0" : f == LLM_FMT_V1 ? "fp32-v1" : "fp32-v0";
}

size_t llm_format_summary(const struct llm_engine *e, const struct llm_gen_params *p,
                          const struct llm_gen_result *r, char *buf, size_t cap)
{
    const struct llm_config *c = &e->model.c;
    return fmt_snprintf(buf, cap,
            "{\"llm\": {\"format\": \"%s\", \"dim\": %d, \"n_layers\": %d, \"vocab_size\": %d, "
            "\"kernels\": \"%s\", \"temperature\": %.3f, \"topp\": %.3f, \"seed\": %llu, "
            "\"prompt_tokens\": %d, \"positions\": %d, \"generated\": %d, \"cycles\": %llu, "
            "\"tok_per_s\": %.3f}}\n",
            format_name(e->model.format), c->dim, c->n_layers, c->vocab_size,
            e->kernels->name, (double)p->temperature, (double)p->topp,
            (unsigned long long)p->seed, r->prompt_tokens, r->positions, r->generated,
            (unsigned long long)r->cycles, (double)r->milli_tok_per_s / MILLI);
}

void llm_print_summary(const struct llm_engine *e, const struct llm_gen_params *p,
                       const struct llm_gen_result *r)
{
    char line[LLM_SUMMARY_MAX];
    llm_format_summary(e, p, r, line, sizeof line);
    llm_text(&e->io, line);
}
