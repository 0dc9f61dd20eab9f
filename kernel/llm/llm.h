/* Portable llama2.c-compatible inference engine: the public interface.
 * Callers (the long-mode kernel, the host CLI tools/llm/llm_cli.c, the host tests) hand over
 * the model and tokenizer file bytes in memory, one arena of scratch memory, and an output
 * callback; nothing here touches hardware, files or stdio, so the same C builds freestanding
 * for x86-64 and for Linux. Every on-disk field is validated before use: a bad file returns
 * an llm_err and one "llm: ..." diagnostic line, never a fault.
 * Formats (docs/llm.md): llama2.c run.c version 0 (28-byte header), export.py version 1
 * (256-byte header, fp32) and version 2 (Q8_0 group-wise int8, read as runq.c does). */
#ifndef FLUID_LLM_H
#define FLUID_LLM_H

#include <fluid/types.h>

#include "kernel/llm/llm_pool.h"

/* Errors of the llm subsystem; every failing call also logs one diagnostic line. */
enum llm_err {
    LLM_OK = 0,
    LLM_E_ARG,          /* a caller-supplied argument is out of range (NULL, bad token) */
    LLM_E_ALIGN,        /* file buffer or a tensor inside it is not 4-byte aligned */
    LLM_E_TRUNCATED,    /* file shorter than its header (or a tokenizer entry) needs */
    LLM_E_SIZE,         /* file length differs from what the header implies */
    LLM_E_MAGIC,        /* version-1/2 magic is not 0x616b3432 ("ak42") */
    LLM_E_VERSION,      /* version field is not 1 or 2 */
    LLM_E_HEADER,       /* a model header field is out of range or inconsistent */
    LLM_E_TOKENIZER,    /* a tokenizer field is out of range */
    LLM_E_NOMEM,        /* the arena is too small */
    LLM_E_ENCODE,       /* the prompt cannot be encoded with this vocabulary */
    LLM_E_CONFIG,       /* boot configuration syntax or value error */
    LLM_E_NONFINITE,    /* the model produced a NaN or infinite logit */
};

/* Human-readable name of an error ("truncated file", ...); "unknown llm error" outside the
 * enum, never NULL. */
const char *llm_strerror(enum llm_err err);

/* ---- output ------------------------------------------------------------------------ */

/* Where output goes. LLM_OUT_TEXT carries what tests compare (generated text, the JSON
 * summary); LLM_OUT_DIAG carries "llm: ..." diagnostics and timings, one line per call. */
enum llm_channel { LLM_OUT_TEXT, LLM_OUT_DIAG };

struct llm_io {
    void (*write)(void *ctx, enum llm_channel ch, const char *s, size_t n);
    void *ctx;
};

/* ---- memory ------------------------------------------------------------------------ */

/* A bump allocator over one caller-supplied block; nothing is freed individually. */
struct llm_arena {
    uint8_t *base;
    size_t size;
    size_t used;
};

void llm_arena_init(struct llm_arena *a, void *base, size_t size);
/* Returns n bytes aligned to `align` (a power of two), zeroed; NULL when exhausted. */
void *llm_arena_alloc(struct llm_arena *a, size_t n, size_t align);

/* ---- model ------------------------------------------------------------------------- */

#define LLM_MAGIC           0x616b3432u /* "ak42" little-endian, export.py versions 1-2 */
#define LLM_V0_HEADER_BYTES 28          /* 7 x int32 */
#define LLM_V12_HEADER_BYTES 256        /* export.py pads its header to 256 bytes */
#define LLM_MAX_VOCAB       (1 << 18)   /* largest vocabulary of a model or tokenizer */
#define LLM_TOKEN_BOS       1           /* llama2.c: <s> */
#define LLM_TOKEN_EOS       2           /* llama2.c: </s> */

/* Hyperparameters, as in run.c's Config; vocab_size is made positive on load. */
struct llm_config {
    int32_t dim;        /* transformer width */
    int32_t hidden_dim; /* FFN width */
    int32_t n_layers;
    int32_t n_heads;    /* query heads */
    int32_t n_kv_heads; /* key/value heads (< n_heads: grouped-query attention) */
    int32_t vocab_size;
    int32_t seq_len;    /* maximum positions, KV cache depth */
};

enum llm_format { LLM_FMT_V0 = 0, LLM_FMT_V1 = 1, LLM_FMT_V2_Q8 = 2 };

/* One weight matrix of one layer: fp32 rows, or Q8_0 int8 rows with one fp32 scale per
 * group of group_size consecutive values. (rows, cols) row-major; out = W @ x. */
struct llm_mat {
    const float *f;     /* (rows, cols) fp32, or NULL for Q8_0 */
    const int8_t *q;    /* (rows, cols) int8 */
    const float *s;     /* (rows * cols / group_size) scales */
};

/* A weight family (wq, wk, ...): per-layer matrices at a fixed stride in the file. */
struct llm_tensor {
    const uint8_t *base; /* layer 0 */
    size_t stride;       /* bytes from one layer's matrix (plus scales) to the next */
    size_t numel;        /* elements per layer */
};

struct llm_model {
    struct llm_config c;
    enum llm_format format;
    bool shared_classifier; /* wcls is the token embedding table */
    int32_t group_size;     /* Q8_0 group size (version 2), else 0 */
    int32_t head_size;      /* dim / n_heads */
    int32_t kv_dim;         /* dim * n_kv_heads / n_heads */
    const float *rms_att;   /* (n_layers, dim) */
    const float *rms_ffn;   /* (n_layers, dim) */
    const float *rms_final; /* (dim) */
    struct llm_tensor tok_emb; /* (vocab_size, dim) */
    struct llm_tensor wq, wk, wv, wo; /* (dim, dim) (kv_dim, dim) (kv_dim, dim) (dim, dim) */
    struct llm_tensor w1, w2, w3;     /* (hidden, dim) (dim, hidden) (hidden, dim) */
    struct llm_tensor wcls;           /* (vocab_size, dim) */
};

/* Parses and validates a model file of `len` bytes at `file` (4-byte aligned; it must stay
 * alive while the model is used: weights are read in place). */
enum llm_err llm_model_load(struct llm_model *m, const void *file, size_t len,
                            const struct llm_io *io);

/* Matrix `layer` of a weight family (layer 0 for tok_emb and wcls). */
struct llm_mat llm_tensor_mat(const struct llm_model *m, const struct llm_tensor *t, int layer);

/* ---- tokenizer ---------------------------------------------------------------------- */

struct llm_tokenizer {
    int32_t vocab_size;
    uint32_t max_token_length;
    const char **vocab;      /* (vocab_size) NUL-terminated pieces (arena copies) */
    const float *scores;     /* (vocab_size) merge scores */
    int32_t *sorted;         /* (vocab_size) ids ordered by strcmp of their pieces */
    char *merge_buf;         /* (max_token_length * 2 + 3) scratch for encode */
    char byte_pieces[512];   /* (256, 2) one-byte strings for "<0xHH>" pieces */
};

/* Parses a llama2.c tokenizer.bin of `len` bytes for a model with `vocab_size` entries
 * (1..LLM_MAX_VOCAB, else LLM_E_ARG): int32 max_token_length, then per entry float32 score,
 * int32 length, bytes. */
enum llm_err llm_tokenizer_load(struct llm_tokenizer *t, const void *file, size_t len,
                                int32_t vocab_size, struct llm_arena *arena,
                                const struct llm_io *io);

/* Encodes `text` as run.c's encode() does (dummy prefix, UTF-8 code points, byte fallback,
 * greedy best-score merges); BOS/EOS when asked. `tokens` holds `cap` entries;
 * strlen(text) + 3 always suffices. Every id it stores is below vocab_size: LLM_E_ENCODE
 * when a byte, BOS or EOS asked for has no id in this vocabulary. */
enum llm_err llm_encode(const struct llm_tokenizer *t, const char *text, bool bos, bool eos,
                        int32_t *tokens, int32_t cap, int32_t *n_tokens,
                        const struct llm_io *io);

/* The text of `token` following `prev` as run.c prints it (leading space dropped after BOS,
 * "<0xHH>" as the raw byte); "" for pieces run.c's safe_printf would suppress. */
const char *llm_decode(const struct llm_tokenizer *t, int32_t prev, int32_t token);

/* ---- compute kernels ---------------------------------------------------------------- */

/* Matrix-vector products. f32: out(d) = W(d, n) @ x(n). q8: the same on Q8_0 data, x
 * quantized per group of gs (n % gs == 0). */
struct llm_kernels {
    const char *name;
    void (*matmul_f32)(float *out, const float *x, const float *w, int n, int d);
    void (*matmul_q8)(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                      const float *ws, int n, int d, int gs);
};

/* Kernels may compute rows together in aligned blocks of this many (llm_kernels_x86.c's
 * AVX2 fp32 matmul does four rows at once, a row left over alone, in a different float
 * order; its Q8_0 matmuls give each row the same operations wherever it falls): a caller splitting one matmul's rows must start every part at a multiple of it
 * for each row to get the value it gets from the whole matmul. */
#define LLM_KERNEL_ROW_BLOCK 4

/* Plain C loops with run.c's / runq.c's accumulation order: bit-identical to llama2.c. */
extern const struct llm_kernels llm_kernels_scalar;
/* The fastest kernels this CPU can run (x86-64: AVX-512 VNNI for Q8_0 with AVX2+FMA for
 * fp32, else AVX2+FMA, as CPUID and XCR0 allow, else SSE2); other architectures get the
 * scalar kernels. */
const struct llm_kernels *llm_kernels_best(void);
/* Every kernel set this CPU can run, i = 0 (scalar) upward; NULL past the last. */
const struct llm_kernels *llm_kernels_nth(int i);

/* ---- forward pass ------------------------------------------------------------------- */

/* Activations and KV cache for one sequence. */
struct llm_state {
    float *x, *xb, *xb2;    /* (dim) */
    float *hb, *hb2;        /* (hidden_dim) */
    float *q;               /* (dim) */
    float *att;             /* (n_heads, seq_len) */
    float *logits;          /* (vocab_size) */
    float *key_cache;       /* (n_layers, seq_len, kv_dim) */
    float *value_cache;     /* (n_layers, seq_len, kv_dim) */
    float *rope_cos, *rope_sin; /* (head_size / 2) for the current position */
    int8_t *xq;             /* (max(dim, hidden_dim)) quantized activations, version 2 */
    float *xs;              /* (max(dim, hidden_dim) / group_size) their scales */
    int8_t *hq;             /* (hidden_dim) the FFN's hb quantized, version 2: its own */
    float *hs;              /* (hidden_dim / group_size)   buffer, as workers quantize their
                             * rows of hb while others still read xq */
};

/* Bytes of arena llm_state_alloc needs (alignment slack included). */
size_t llm_state_bytes(const struct llm_model *m);
enum llm_err llm_state_alloc(struct llm_state *s, const struct llm_model *m,
                             struct llm_arena *arena, const struct llm_io *io);

/* Runs one position; returns the logits (vocab_size), owned by `s`. token in
 * [0, vocab_size), pos in [0, seq_len) - the caller checks (llm_generate does). Matmul rows
 * and attention heads are shared out through `pool` (&llm_pool_serial: all on the caller);
 * the logits are bit-identical for every pool and worker count. */
float *llm_forward(const struct llm_model *m, struct llm_state *s,
                   const struct llm_kernels *k, struct llm_pool *pool, int32_t token,
                   int32_t pos);

/* ---- sampling ----------------------------------------------------------------------- */

struct llm_prob_index {
    float prob;
    int32_t index;
};

struct llm_sampler {
    int32_t vocab_size;
    float temperature;      /* 0: greedy argmax */
    float topp;             /* in (0, 1): nucleus sampling; else plain multinomial */
    uint64_t rng_state;     /* xorshift* state, llama2.c's random_u32 */
    struct llm_prob_index *probindex; /* (vocab_size) */
    struct llm_prob_index *sort_tmp;  /* (vocab_size) merge-sort scratch */
};

enum llm_err llm_sampler_init(struct llm_sampler *s, int32_t vocab_size, float temperature,
                              float topp, uint64_t seed, struct llm_arena *arena,
                              const struct llm_io *io);
/* Picks the next token; modifies logits in place (temperature, softmax) as run.c does. */
int32_t llm_sample(struct llm_sampler *s, float *logits);
uint32_t llm_random_u32(uint64_t *state);
float llm_random_f32(uint64_t *state);
void llm_softmax(float *x, int n);

/* ---- boot configuration ------------------------------------------------------------- */

#define LLM_CFG_NAME_MAX    64
#define LLM_CFG_PROMPT_MAX  1024

/* The key=value file on the FAT16 partition (docs/llm.md lists keys and defaults). */
struct llm_bootcfg {
    char model[LLM_CFG_NAME_MAX];         /* default "MODEL.BIN" */
    char tokenizer[LLM_CFG_NAME_MAX];     /* default "TOKENIZ.BIN" */
    char prompt[LLM_CFG_PROMPT_MAX];      /* default "" */
    int32_t steps;          /* default 256; 0 or > seq_len means seq_len */
    float temperature;      /* default 1.0; 0 = greedy */
    float topp;             /* default 0.9 */
    uint64_t seed;          /* default 0 = take the seed from the clock */
};

void llm_bootcfg_defaults(struct llm_bootcfg *cfg);
/* Parses `len` bytes of configuration text over the defaults already in *cfg. Stops at the
 * first bad line with LLM_E_CONFIG and a diagnostic naming the line and value. */
enum llm_err llm_bootcfg_parse(struct llm_bootcfg *cfg, const char *text, size_t len,
                               const struct llm_io *io);

/* ---- generation --------------------------------------------------------------------- */

/* A cycle counter (the kernel's TSC, the host's clock) and its frequency in Hz. */
struct llm_clock {
    uint64_t (*now)(void *ctx);
    uint64_t hz;
    void *ctx;
};

struct llm_gen_params {
    const char *prompt;
    int32_t steps;          /* positions, prompt included; 0 or > seq_len means seq_len */
    float temperature;
    float topp;
    uint64_t seed;          /* must be non-zero (xorshift) - callers replace 0 */
};

struct llm_gen_result {
    int32_t prompt_tokens;  /* including BOS */
    int32_t positions;      /* forward passes run */
    int32_t generated;      /* tokens printed (prompt pieces included, as run.c) */
    uint64_t cycles;        /* from the first printed token to the end, as run.c times it */
    uint64_t milli_tok_per_s; /* (positions - 1) per second, x1000; 0 if unknown */
};

/* Called for every emitted token with its id and printable text. */
typedef void (*llm_token_fn)(void *ctx, int32_t token, const char *text);

struct llm_engine {
    struct llm_model model;
    struct llm_tokenizer tok;
    struct llm_state state;
    const struct llm_kernels *kernels;
    struct llm_pool *pool;  /* llm_engine_init sets &llm_pool_serial; a caller with more
                             * CPUs may replace it before llm_generate */
    struct llm_io io;
};

/* Loads model and tokenizer, allocates the run state. */
enum llm_err llm_engine_init(struct llm_engine *e, const void *model, size_t model_len,
                             const void *tokenizer, size_t tok_len, struct llm_arena *arena,
                             const struct llm_kernels *k, const struct llm_io *io);

/* run.c's generate(): encodes the prompt, runs `steps` positions, streams each token's text
 * to LLM_OUT_TEXT and to on_token (may be NULL); stops early if BOS is sampled. Logits that
 * are sampled (or are the last position's) must be finite: otherwise LLM_E_NONFINITE, with a
 * diagnostic naming the logit and the position. */
enum llm_err llm_generate(struct llm_engine *e, const struct llm_gen_params *p,
                          struct llm_arena *arena, const struct llm_clock *clock,
                          llm_token_fn on_token, void *ctx, struct llm_gen_result *r);

/* Writes one JSON summary line of a run to LLM_OUT_TEXT. */
void llm_print_summary(const struct llm_engine *e, const struct llm_gen_params *p,
                       const struct llm_gen_result *r);

/* The same line ({"llm": {...}} and a newline) into buf[0..cap), NUL-terminated; returns its
 * length, which is cap or more if it was cut (LLM_SUMMARY_MAX always suffices). */
#define LLM_SUMMARY_MAX 512
size_t llm_format_summary(const struct llm_engine *e, const struct llm_gen_params *p,
                          const struct llm_gen_result *r, char *buf, size_t cap);

/* ---- output (no stdio here; formatting is kernel/core/format.h) ------------------------ */

/* Formats one "llm: ..." diagnostic line (at most 255 bytes with its newline; a longer
 * message is cut) and sends it to LLM_OUT_DIAG (io may be NULL). */
void llm_diag(const struct llm_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void llm_text(const struct llm_io *io, const char *s);

#endif
