/* The LLM boot stage (contract in stage.h): reads the boot configuration (kernel/llm's
 * parser), model and tokenizer from FAT16 into heap buffers, runs llm_generate with the TSC as
 * its clock and the console as its output, then prints JSON summary lines:
 *   {"llm": {...}}          llm_format_summary: format, kernels, positions, cycles, tok/s
 *                           (also saved to the stick's /PROFILE/GEN ring, kernel/fs/profile_store.h)
 *   {"llm_ids": [...]}      every emitted token id (the tests compare these with llama2.c)
 *   {"llm_kernel": {...}}   clock mode, TSC Hz, cycles per token (instructions under -icount),
 *                           the pool's workers (every started CPU: kernel/llm/pool_smp.h)
 *   {"llm_logits": {...}}   greedy runs: the last position's first logits and their sums
 * The generated text streams between the lines "llm: output begins" and the summary. With
 * llm.encode=FILE it only encodes each NUL-separated text of FILE and prints the ids. */
#include <string.h>

#include "kernel/core/bootcheck.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/core/tsc.h"
#include "kernel/fs/profile_store.h"
#include "kernel/llm/llm.h"
#include "kernel/llm/files.h"
#include "kernel/llm/pool_smp.h"
#include "kernel/llm/stage.h"

#define ARENA_SLACK         (256u * 1024u)  /* sampler buffers, prompt ids, alignment */
#define ARENA_PER_VOCAB     64u             /* tokenizer piece copies and sorted ids */
#define ARENA_SAMPLER_PER_VOCAB (2u * sizeof(struct llm_prob_index))
#define LOGITS_SHOWN        8
#define IDS_PER_LINE_CHUNK  16

struct run_ids {
    int32_t *ids;           /* (cap) emitted token ids */
    int32_t n, cap;
};

static void console_write(void *ctx, enum llm_channel ch, const char *s, size_t n)
{
    (void)ctx;
    (void)ch;                   /* text and diagnostics both go to serial and screen */
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
}

static const struct llm_io console_io = {console_write, NULL};

static uint64_t clock_now(void *ctx)
{
    (void)ctx;
    return tsc_read();
}

static void on_token(void *ctx, int32_t token, const char *text)
{
    (void)text;
    struct run_ids *r = ctx;
    if (r->n < r->cap)
        r->ids[r->n++] = token;
}

/* Parses the configuration file over the defaults. The default file may be absent (the
 * defaults then apply); a file named on the command line must exist. */
static bool load_config(struct llm_bootcfg *cfg)
{
    const char *name = cmdline_value(LLM_OPT_CFG);
    llm_bootcfg_defaults(cfg);
    size_t len = 0;
    char *text = llm_file_read(name ? name : LLM_DEFAULT_CFG, &len, name == NULL);
    if (!text) {
        if (name)
            return false;
        kprintf("llm: no %s, configuration defaults apply\n", LLM_DEFAULT_CFG);
        return true;
    }
    enum llm_err err = llm_bootcfg_parse(cfg, text, len, &console_io);
    free(text);
    return err == LLM_OK;
}

/* Bytes of arena the run needs: run state, tokenizer copies, sampler, prompt ids; 0 when the
 * model is rejected (llm_model_load has said why). */
static size_t arena_bytes(const void *model, size_t model_len, size_t tok_len, size_t prompt)
{
    struct llm_model m;
    if (llm_model_load(&m, model, model_len, &console_io) != LLM_OK)
        return 0;
    size_t vocab = (size_t)m.c.vocab_size;
    return llm_state_bytes(&m) + 2 * tok_len + vocab * (ARENA_PER_VOCAB + ARENA_SAMPLER_PER_VOCAB)
           + 4 * (prompt + 3) + ARENA_SLACK;
}

static void print_ids(const char *key, const int32_t *ids, int32_t n)
{
    kprintf("{\"%s\": [", key);
    for (int32_t i = 0; i < n; i++)
        kprintf(i ? ", %d" : "%d", ids[i]);
    kprintf("]}\n");
}

static void print_kernel_summary(const struct llm_gen_result *r, int workers)
{
    uint64_t per_token = r->positions > 1 ? r->cycles / (uint64_t)(r->positions - 1) : 0;
    kprintf("{\"llm_kernel\": {\"arch\": \"x86_64\", \"clock\": \"%s\", \"tsc_hz\": %llu, "
            "\"cycles\": %llu, \"positions\": %d, \"cycles_per_token\": %llu, "
            "\"workers\": %d}}\n",
            tsc_clock_name(tsc_clock_mode()), (unsigned long long)tsc_hz(),
            (unsigned long long)r->cycles, r->positions, (unsigned long long)per_token, workers);
}

/* The last position's logits (unchanged by the greedy sampler): the first LOGITS_SHOWN and
 * the sum and absolute sum of all, to compare with a host build of the same code. */
static void print_logits(const struct llm_engine *e, const struct llm_gen_result *r)
{
    const float *lg = e->state.logits;
    double sum = 0, abs_sum = 0;
    for (int32_t i = 0; i < e->model.c.vocab_size; i++) {
        sum += lg[i];
        abs_sum += lg[i] < 0 ? -lg[i] : lg[i];
    }
    kprintf("{\"llm_logits\": {\"position\": %d, \"first\": [", r->positions - 1);
    for (int i = 0; i < LOGITS_SHOWN && i < e->model.c.vocab_size; i++)
        kprintf(i ? ", %.6f" : "%.6f", (double)lg[i]);
    kprintf("], \"sum\": %.6f, \"abs_sum\": %.6f}}\n", sum, abs_sum);
}

/* Engine, generation and summaries over loaded files. */
static bool run(const struct llm_bootcfg *cfg, const void *model, size_t model_len,
                const void *tok, size_t tok_len)
{
    size_t bytes = arena_bytes(model, model_len, tok_len, strlen(cfg->prompt));
    if (bytes == 0)
        return false;
    void *mem = aligned_alloc(HEAP_PAGE_SIZE, bytes);
    if (!mem) {
        kprintf("llm: no arena (%zu bytes wanted)\n", bytes);
        return false;
    }
    struct llm_arena arena;
    static struct llm_engine e;
    llm_arena_init(&arena, mem, bytes);
    bool ok = llm_engine_init(&e, model, model_len, tok, tok_len, &arena, llm_kernels_best(),
                              &console_io) == LLM_OK;
    e.pool = llm_pool_smp();                /* every started CPU, or the boot CPU alone */
    struct run_ids ids = {NULL, 0, e.model.c.seq_len};
    ids.ids = ok ? malloc((size_t)ids.cap * sizeof *ids.ids) : NULL;
    if (ok && ids.ids) {
        struct llm_gen_params p = {cfg->prompt, cfg->steps, cfg->temperature, cfg->topp,
                                   cfg->seed ? cfg->seed : tsc_read() | 1};
        struct llm_clock clk = {clock_now, tsc_hz(), NULL};
        struct llm_gen_result r;
        kprintf("llm: %s kernels, %d worker%s (CPUs), arena %zu KiB; output begins\n",
                e.kernels->name, e.pool->workers, e.pool->workers == 1 ? "" : "s", bytes / 1024);
        ok = llm_generate(&e, &p, &arena, &clk, on_token, &ids, &r) == LLM_OK;
        if (ok) {
            char summary[LLM_SUMMARY_MAX];
            size_t n = llm_format_summary(&e, &p, &r, summary, sizeof summary);
            kprintf("%s", summary);
            print_ids("llm_ids", ids.ids, ids.n);
            print_kernel_summary(&r, e.pool->workers);
            if (p.temperature == 0.0f)
                print_logits(&e, &r);
            if (n < sizeof summary)             /* to the stick: kernel/fs/profile_store.h */
                profile_store_save(PROFILE_STORE_LLM, summary, (uint32_t)n,
                                   kernel_boot_info());
        }
    }
    free(ids.ids);
    free(mem);
    return ok;
}

#define ENCODE_MAX_VOCAB    (1 << 24)       /* llm.vocab=N above this is refused */

/* llm.vocab=N: a decimal in 1..ENCODE_MAX_VOCAB, else 0 with the reason logged. */
static int32_t encode_vocab(void)
{
    const char *text = cmdline_value(LLM_OPT_VOCAB);
    int32_t vocab = 0;
    for (const char *c = text; c && *c; c++) {
        if (*c < '0' || *c > '9' || (vocab = vocab * 10 + (*c - '0')) > ENCODE_MAX_VOCAB) {
            vocab = 0;
            break;
        }
    }
    if (vocab < 1)
        kprintf("llm: encode needs %s=N, N in 1..%d (got %s)\n", LLM_OPT_VOCAB,
                ENCODE_MAX_VOCAB, text ? text : "none");
    return vocab;
}

/* llm.encode=FILE: each NUL-separated text of FILE encoded with BOS, one JSON line each. */
static bool encode_texts(const struct llm_bootcfg *cfg, const char *file)
{
    int32_t vocab = encode_vocab();
    size_t tok_len = 0, text_len = 0;
    void *tok = vocab ? llm_file_read(cfg->tokenizer, &tok_len, false) : NULL;
    char *texts = tok ? llm_file_read(file, &text_len, false) : NULL;
    if (texts && text_len > (size_t)INT32_MAX - 3) {
        kprintf("llm: %s: %zu bytes, more than an encoding can hold\n", file, text_len);
        free(texts);
        texts = NULL;
    }
    /* Each failure above is logged; the arena and the id buffer get their own message. */
    size_t bytes = 2 * tok_len + (size_t)vocab * ARENA_PER_VOCAB + ARENA_SLACK;
    void *mem = texts ? malloc(bytes) : NULL;
    int32_t *ids = mem ? malloc((text_len + 3) * sizeof *ids) : NULL;
    bool ok = ids != NULL;
    if (texts && !ok)
        kprintf("llm: no memory for the encoder (%zu bytes of arena, %zu of ids)\n", bytes,
                (text_len + 3) * sizeof *ids);
    struct llm_arena arena;
    struct llm_tokenizer t;
    if (ok) {
        llm_arena_init(&arena, mem, bytes);
        ok = llm_tokenizer_load(&t, tok, tok_len, vocab, &arena, &console_io) == LLM_OK;
    }
    for (size_t at = 0; ok && at <= text_len; at += strlen(texts + at) + 1) {
        int32_t n = 0;
        ok = llm_encode(&t, texts + at, true, false, ids, (int32_t)(text_len + 3), &n,
                        &console_io) == LLM_OK;
        if (ok)
            print_ids("llm_encode", ids, n);
    }
    free(ids);
    free(mem);
    free(texts);
    free(tok);
    return ok;
}

bool llm_stage(void)
{
    struct llm_bootcfg cfg;
    if (!llm_files_mount(kernel_boot_info()) || !load_config(&cfg))
        return false;
    const char *encode = cmdline_value(LLM_OPT_ENCODE);
    if (encode)
        return encode_texts(&cfg, encode);
    kprintf("llm: model %s, tokenizer %s, steps %d, seed %llu\n", cfg.model, cfg.tokenizer,
            cfg.steps, (unsigned long long)cfg.seed);
    size_t model_len = 0, tok_len = 0;
    void *model = llm_file_read(cfg.model, &model_len, false);
    void *tok = model ? llm_file_read(cfg.tokenizer, &tok_len, false) : NULL;
    bool ok = tok && run(&cfg, model, model_len, tok, tok_len);
    free(tok);
    free(model);
    return ok;
}
