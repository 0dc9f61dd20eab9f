/* Host front end of the inference engine (kernel/llm): the same code the kernel runs, built
 * for Linux, for tests, benchmarks and callgrind. Options follow llama2.c's run.c:
 *   llm_cli -m model.bin -z tokenizer.bin [-t temp] [-p topp] [-s seed] [-n steps]
 *           [-i prompt] [-c boot.cfg] [-k scalar|sse2|avx2+fma|avx512vnni|best] [--ids] [--summary]
 *           [--quiet] [--encode TEXT] [--logits-out FILE] [--threads N]
 *           [--pool-stats]
 * Generated text goes to stdout; "ids: ..." (--ids), the timing line and diagnostics go to
 * stderr. --threads N runs the forward pass on N threads (tools/llm/llm_pool_pthread.c; 1,
 * the default, is the kernel's single-thread pool); output is bit-identical for every N.
 * --pool-stats times every pool job (the pthreads pool, even at one thread) and prints one
 * JSON line per kind of job, per position, after the timing line.
 * --encode prints the prompt's ids (BOS first) and exits. Exit status 0 on success,
 * 1 on a load/usage error (with an "llm: ..." message), 2 on bad arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/llm/llm.h"
#include "tools/llm/huge_pages.h"
#include "tools/llm/llm_pool_pthread.h"

#define NS_PER_S        1000000000ull
#define ARENA_SLACK     (1u << 20)
#define TOK_BYTES_EACH  64          /* arena bytes per vocabulary entry beyond the file */

struct options {
    const char *model, *tokenizer, *config, *kernels, *encode, *logits_out;
    struct llm_gen_params gen;
    int threads;
    bool ids, summary, quiet, pool_stats;
};

struct ids_log {
    FILE *logits;          /* --logits-out, or NULL */
    struct llm_engine *e;
    bool quiet;
};

/* ---- files and output ------------------------------------------------------------------- */

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "llm: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* In 2 MiB pages where Linux gives them, as the kernel maps the weights it reads. */
    void *buf = n >= 0 ? huge_pages_alloc((size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "llm: cannot read %s\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void io_write(void *ctx, enum llm_channel ch, const char *s, size_t n)
{
    const struct ids_log *log = ctx;
    if (ch == LLM_OUT_DIAG) {
        fwrite(s, 1, n, stderr);
        return;
    }
    if (!log->quiet) {
        fwrite(s, 1, n, stdout);
        fflush(stdout);
    }
}

static uint64_t now_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* ---- options ---------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: llm_cli -m model.bin -z tokenizer.bin [-t temp] [-p topp] "
                    "[-s seed] [-n steps] [-i prompt] [-c boot.cfg] [-k kernels] [--ids] "
                    "[--summary] [--quiet] [--encode TEXT] [--logits-out FILE] "
                    "[--threads N] [--pool-stats]\n");
    exit(2);
}

static void defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->gen.prompt = "";
    o->gen.steps = 256;
    o->gen.temperature = 1.0f;
    o->gen.topp = 0.9f;
    o->threads = 1;
}

static bool parse_flag(struct options *o, const char *a)
{
    if (!strcmp(a, "--ids"))
        o->ids = true;
    else if (!strcmp(a, "--summary"))
        o->summary = true;
    else if (!strcmp(a, "--quiet"))
        o->quiet = true;
    else if (!strcmp(a, "--pool-stats"))
        o->pool_stats = true;
    else
        return false;
    return true;
}

static void parse_args(struct options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (parse_flag(o, a))
            continue;
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "-m")) o->model = v;
        else if (!strcmp(a, "-z")) o->tokenizer = v;
        else if (!strcmp(a, "-c")) o->config = v;
        else if (!strcmp(a, "-k")) o->kernels = v;
        else if (!strcmp(a, "-i")) o->gen.prompt = v;
        else if (!strcmp(a, "-t")) o->gen.temperature = strtof(v, NULL);
        else if (!strcmp(a, "-p")) o->gen.topp = strtof(v, NULL);
        else if (!strcmp(a, "-s")) o->gen.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "-n")) o->gen.steps = atoi(v);
        else if (!strcmp(a, "--encode")) o->encode = v;
        else if (!strcmp(a, "--logits-out")) o->logits_out = v;
        else if (!strcmp(a, "--threads")) o->threads = atoi(v);
        else usage();
    }
    if (!o->model && !o->config)
        usage();
}

/* -c boot.cfg: the kernel's configuration file; paths in it are relative to the file. */
static char cfg_paths[2][4096];
static struct llm_bootcfg cfg;

static int apply_config(struct options *o, const struct llm_io *io)
{
    size_t len;
    char *text = read_file(o->config, &len);
    if (!text)
        return 1;
    llm_bootcfg_defaults(&cfg);
    enum llm_err err = llm_bootcfg_parse(&cfg, text, len, io);
    free(text);
    if (err != LLM_OK)
        return 1;
    const char *slash = strrchr(o->config, '/');
    int dir = slash ? (int)(slash - o->config + 1) : 0;
    snprintf(cfg_paths[0], sizeof cfg_paths[0], "%.*s%s", dir, o->config, cfg.model);
    snprintf(cfg_paths[1], sizeof cfg_paths[1], "%.*s%s", dir, o->config, cfg.tokenizer);
    o->model = cfg_paths[0];
    o->tokenizer = cfg_paths[1];
    o->gen = (struct llm_gen_params){ cfg.prompt, cfg.steps, cfg.temperature, cfg.topp,
                                      cfg.seed };
    return 0;
}

static const struct llm_kernels *pick_kernels(const char *name)
{
    if (!name || !strcmp(name, "best"))
        return llm_kernels_best();
    for (int i = 0; llm_kernels_nth(i); i++)
        if (!strcmp(llm_kernels_nth(i)->name, name))
            return llm_kernels_nth(i);
    fprintf(stderr, "llm: kernels \"%s\" not available on this CPU\n", name);
    return NULL;
}

/* ---- actions ---------------------------------------------------------------------------- */

static int do_encode(struct llm_engine *e, const char *text)
{
    size_t cap = strlen(text) + 3;
    int32_t *ids = malloc(cap * sizeof *ids), n = 0;
    if (!ids || llm_encode(&e->tok, text, true, false, ids, (int32_t)cap, &n, &e->io))
        return free(ids), 1;
    printf("ids:");
    for (int32_t i = 0; i < n; i++)
        printf(" %d", ids[i]);
    printf("\n");
    free(ids);
    return 0;
}

static int32_t *g_ids;
static size_t g_nids;

static void on_token(void *ctx, int32_t token, const char *text)
{
    struct ids_log *log = ctx;
    (void)text;
    g_ids[g_nids++] = token;
    if (log->logits) /* logits of the position just run (sampling may have scaled them) */
        fwrite(log->e->state.logits, sizeof(float), (size_t)log->e->model.c.vocab_size,
               log->logits);
}

static int do_generate(struct llm_engine *e, struct options *o, struct llm_arena *arena,
                       struct ids_log *log, struct llm_pool *pool)
{
    struct llm_clock clock = { now_ns, NS_PER_S, NULL };
    struct llm_gen_result r;
    if (o->gen.seed == 0) /* run.c: seed from the clock */
        o->gen.seed = now_ns(NULL) | 1;
    g_ids = calloc((size_t)e->model.c.seq_len + 1, sizeof *g_ids);
    if (!g_ids)
        return 1;
    enum llm_err err = llm_generate(e, &o->gen, arena, &clock, on_token, log, &r);
    if (err != LLM_OK)
        return 1;
    if (o->ids) {
        fprintf(stderr, "ids:");
        for (size_t i = 0; i < g_nids; i++)
            fprintf(stderr, " %d", g_ids[i]);
        fprintf(stderr, "\n");
    }
    fprintf(stderr, "llm: achieved tok/s: %.3f (%s kernels)\n",
            (double)r.milli_tok_per_s / 1000.0, e->kernels->name);
    if (o->summary)
        llm_print_summary(e, &o->gen, &r);
    if (pool && o->pool_stats)
        llm_pool_pthread_print_stats(pool, stderr, r.positions);
    free(g_ids);
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct ids_log log = { NULL, NULL, false };
    struct llm_io io = { io_write, &log };
    defaults(&o);
    parse_args(&o, argc, argv);
    log.quiet = o.quiet;
    if (o.config && apply_config(&o, &io))
        return 1;
    const struct llm_kernels *k = pick_kernels(o.kernels);
    size_t mlen = 0, tlen = 0;
    void *model = k ? read_file(o.model, &mlen) : NULL;
    void *tok = model && o.tokenizer ? read_file(o.tokenizer, &tlen) : NULL;
    void *mem = NULL;
    struct llm_pool *pool = NULL;
    int rc = 1;                         /* every early exit frees what was read */
    struct llm_model probe;
    if (!tok || llm_model_load(&probe, model, mlen, &io) != LLM_OK)
        goto out;
    size_t arena_size = llm_state_bytes(&probe) + 2 * tlen +
                        (size_t)probe.c.vocab_size * TOK_BYTES_EACH + 4 * strlen(o.gen.prompt) +
                        ARENA_SLACK;
    mem = malloc(arena_size);
    struct llm_arena arena;
    struct llm_engine e;
    if (!mem) {
        fprintf(stderr, "llm: no memory for a %zu-byte arena\n", arena_size);
        goto out;
    }
    llm_arena_init(&arena, mem, arena_size);
    if (llm_engine_init(&e, model, mlen, tok, tlen, &arena, k, &io) != LLM_OK)
        goto out;
    log.e = &e;
    if ((o.threads != 1 || o.pool_stats) && !(pool = llm_pool_pthread_create(o.threads)))
        goto out;
    if (pool)
        e.pool = pool;
    if (pool && o.pool_stats)
        llm_pool_pthread_stats(pool);
    if (o.logits_out && !(log.logits = fopen(o.logits_out, "wb"))) {
        fprintf(stderr, "llm: cannot write %s\n", o.logits_out);
        goto out;
    }
    rc = o.encode ? do_encode(&e, o.encode) : do_generate(&e, &o, &arena, &log, pool);
    if (log.logits)
        fclose(log.logits);
out:
    llm_pool_pthread_destroy(pool);
    free(mem);
    free(tok);
    free(model);
    return rc;
}
