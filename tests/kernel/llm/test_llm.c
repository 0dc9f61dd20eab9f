/* Host unit tests of kernel/llm: model header validation (every rule, on hand-built files),
 * tokenizer validation, encoding and decoding on a hand-made vocabulary, the sampler, the
 * boot configuration parser, SIMD kernels against the scalar ones, the arena and the
 * diagnostic lines (formatting itself is tests/kernel/core/test_format.c). Built with ASan+UBSan:
 * a bad file must give its error code, never a fault. Golden outputs on real models are in
 * tests/kernel/llm/test_llm_reference.py. */
#include <math.h>
#include <stdlib.h>

#include "tests/lib/check.h"
#include "kernel/llm/llm.h"
#include "kernel/llm/llm_impl.h"
#include "kernel/llm/llm_matvec.h"
#include "kernel/llm/llm_pool.h"

static char last_diag[512];

static void capture(void *ctx, enum llm_channel ch, const char *s, size_t n)
{
    (void)ctx;
    if (ch == LLM_OUT_DIAG && n < sizeof last_diag) {
        memcpy(last_diag, s, n);
        last_diag[n] = '\0';
    }
}

static const struct llm_io io = { capture, NULL };

/* ---- model files ------------------------------------------------------------------------ */

/* dim 8, hidden 16, 2 layers, 2 heads, 1 kv head, vocab 4, seq 4; head 4, kv_dim 4. */
enum { D = 8, H = 16, L = 2, NH = 2, NKV = 1, V = 4, S = 4, KV = 4, HS = 4 };

static size_t v0_floats(bool shared)
{
    size_t n = V * D + L * D + L * D * D + 2 * L * KV * D + L * D * D + L * D + 3 * L * H * D +
               D + 2 * S * HS / 2;
    return shared ? n : n + V * D;
}

/* A version-0 file in a 4-byte-aligned buffer; header fields then zero weights. */
static uint32_t *make_v0(size_t *len, bool shared)
{
    size_t n = 7 + v0_floats(shared);
    uint32_t *buf = calloc(n + 1, 4);
    int32_t hdr[7] = { D, H, L, NH, NKV, shared ? V : -V, S };
    memcpy(buf, hdr, sizeof hdr);
    *len = n * 4;
    return buf;
}

static enum llm_err load_with(int field, int32_t value)
{
    size_t len;
    uint32_t *buf = make_v0(&len, true);
    struct llm_model m;
    if (field >= 0)
        ((int32_t *)buf)[field] = value;
    enum llm_err err = llm_model_load(&m, buf, len, &io);
    free(buf);
    return err;
}

TEST(model_v0_valid_shared_and_unshared)
{
    size_t len;
    struct llm_model m;
    uint32_t *buf = make_v0(&len, true);
    CHECK_EQ_U64(llm_model_load(&m, buf, len, &io), LLM_OK);
    CHECK(m.shared_classifier && m.kv_dim == KV && m.head_size == HS);
    CHECK(m.wcls.base == m.tok_emb.base);
    free(buf);
    buf = make_v0(&len, false);
    CHECK_EQ_U64(llm_model_load(&m, buf, len, &io), LLM_OK);
    CHECK(!m.shared_classifier && m.c.vocab_size == V);
    CHECK(m.wcls.base == (const uint8_t *)buf + len - V * D * 4);
    free(buf);
}

TEST(model_header_fields_rejected)
{
    CHECK_EQ_U64(load_with(0, 0), LLM_E_HEADER);          /* dim 0 */
    CHECK_EQ_U64(load_with(0, -8), LLM_E_HEADER);         /* negative dim */
    CHECK_EQ_U64(load_with(1, 0), LLM_E_HEADER);          /* hidden 0 */
    CHECK_EQ_U64(load_with(2, 100000), LLM_E_HEADER);     /* layers */
    CHECK_EQ_U64(load_with(3, 3), LLM_E_HEADER);          /* heads do not divide dim */
    CHECK_EQ_U64(load_with(3, 0), LLM_E_HEADER);          /* heads 0 (no division by 0) */
    CHECK_EQ_U64(load_with(3, 8), LLM_E_HEADER);          /* head size 1 is odd */
    CHECK_EQ_U64(load_with(4, 3), LLM_E_HEADER);          /* kv heads > heads */
    CHECK_EQ_U64(load_with(4, 0), LLM_E_HEADER);
    CHECK_EQ_U64(load_with(5, INT32_MIN), LLM_E_HEADER);  /* -INT32_MIN overflows */
    CHECK_EQ_U64(load_with(5, 0), LLM_E_HEADER);
    CHECK_EQ_U64(load_with(6, 0), LLM_E_HEADER);          /* seq_len */
    CHECK_EQ_U64(load_with(6, INT32_MAX), LLM_E_HEADER);
    CHECK(strstr(last_diag, "llm: model: seq_len") != NULL, "%s", last_diag);
    CHECK_EQ_U64(load_with(5, -V), LLM_E_TRUNCATED);      /* unshared needs wcls */
    CHECK_EQ_U64(load_with(6, S * 2), LLM_E_TRUNCATED);   /* freq_cis grows */
}

TEST(model_length_and_alignment)
{
    size_t len;
    struct llm_model m;
    uint32_t *buf = make_v0(&len, true);
    CHECK_EQ_U64(llm_model_load(&m, buf, len - 4, &io), LLM_E_TRUNCATED);
    CHECK_EQ_U64(llm_model_load(&m, buf, len + 4, &io), LLM_E_SIZE);
    CHECK_EQ_U64(llm_model_load(&m, buf, 27, &io), LLM_E_TRUNCATED);
    CHECK_EQ_U64(llm_model_load(&m, buf, 0, &io), LLM_E_TRUNCATED);
    CHECK_EQ_U64(llm_model_load(&m, (uint8_t *)buf + 2, len - 4, &io), LLM_E_ALIGN);
    CHECK_EQ_U64(llm_model_load(&m, NULL, len, &io), LLM_E_ARG);
    free(buf);
}

/* Version 1/2 file: 256-byte header, norms, then matrices (zeros). */
static uint8_t *make_v12(size_t *len, int version, int32_t group)
{
    size_t mats = V * D + L * (2 * D * D + 2 * KV * D + 3 * H * D);
    size_t norms = 2 * L * D + D;
    size_t body = version == 1 ? (norms + mats) * 4 : norms * 4 + mats + mats / group * 4;
    *len = 256 + body;
    uint8_t *buf = calloc(*len + 4, 1);
    uint32_t magic = LLM_MAGIC;
    int32_t hdr[8] = { version, D, H, L, NH, NKV, V, S };
    memcpy(buf, &magic, 4);
    memcpy(buf + 4, hdr, sizeof hdr);
    buf[36] = 1;
    if (version == 2)
        memcpy(buf + 37, &group, 4);
    return buf;
}

static enum llm_err load12(uint8_t *buf, size_t len)
{
    struct llm_model m;
    return llm_model_load(&m, buf, len, &io);
}

TEST(model_v1_v2_headers)
{
    size_t len;
    uint8_t *b = make_v12(&len, 1, 0);
    CHECK_EQ_U64(load12(b, len), LLM_OK);
    b[36] = 2;
    CHECK_EQ_U64(load12(b, len), LLM_E_HEADER);           /* shared flag not 0/1 */
    b[36] = 1;
    b[200] = 7;
    CHECK_EQ_U64(load12(b, len), LLM_E_HEADER);           /* padding not zero */
    b[200] = 0;
    b[4] = 3;
    CHECK_EQ_U64(load12(b, len), LLM_E_VERSION);
    b[4] = 1;
    CHECK_EQ_U64(load12(b, 100), LLM_E_TRUNCATED);
    b[0] ^= 1;                                               /* one bit off the magic */
    CHECK_EQ_U64(load12(b, len), LLM_E_MAGIC);
    CHECK(strstr(last_diag, "bad magic 0x616b3433") != NULL, "%s", last_diag);
    b[0] ^= 1;
    b[2] = 0;
    b[3] = 0;                                                /* 0x3432: a plausible v0 dim */
    CHECK(load12(b, len) != LLM_E_MAGIC, "a small first word is a version-0 dim");
    b[2] = 0x6b;
    b[3] = 0x61;
    free(b);
    b = make_v12(&len, 2, 4);
    CHECK_EQ_U64(load12(b, len), LLM_OK);
    int32_t bad_groups[] = { 0, -4, 3, 32, 100000 };        /* 32 does not divide dim 8 */
    for (size_t i = 0; i < sizeof bad_groups / sizeof *bad_groups; i++) {
        memcpy(b + 37, &bad_groups[i], 4);
        CHECK(load12(b, len) == LLM_E_HEADER, "group %d", bad_groups[i]);
    }
    free(b);
    b = make_v12(&len, 2, 8);
    CHECK_EQ_U64(load12(b, len), LLM_OK);
    CHECK_EQ_U64(load12(b, len - 1), LLM_E_TRUNCATED);
    free(b);
}

/* A NaN activation in a Q8_0 model (here from a NaN RMSNorm weight, as a damaged file gives)
 * was converted to an integer when quantized beside finite values, which C leaves undefined
 * (UBSan stops this binary there), and was dropped when its whole group was NaN. It must carry
 * on into the logits as NaN, where llm_generate reports it. */
TEST(q8_nan_activation_not_converted_to_int)
{
    size_t len;
    uint8_t *b = make_v12(&len, 2, 4);
    float one = 1.0f, nan = NAN;
    size_t norms = 2 * L * D + D, emb = 256 + 4 * norms;  /* rms_att first, tok_emb after */
    for (size_t i = 0; i < norms; i++)
        memcpy(b + 256 + 4 * i, &one, 4);
    memcpy(b + 256, &nan, 4);                                /* rms_att[0][0] */
    for (int i = 0; i < D; i++)                              /* token 0 embeds as all ones */
        b[emb + i] = 1;
    for (int g = 0; g < D / 4; g++)
        memcpy(b + emb + V * D + 4 * g, &one, 4);
    struct llm_model m;
    REQUIRE(llm_model_load(&m, b, len, &io) == LLM_OK);
    size_t bytes = llm_state_bytes(&m);
    void *mem = malloc(bytes);
    struct llm_arena a;
    struct llm_state st;
    llm_arena_init(&a, mem, bytes);
    REQUIRE(llm_state_alloc(&st, &m, &a, &io) == LLM_OK);
    float *logits = llm_forward(&m, &st, &llm_kernels_scalar, &llm_pool_serial, 0, 0);
    CHECK(llm_first_nonfinite(logits, V) == 0, "NaN lost on the way to the logits");
    free(mem);
    free(b);
}

/* ---- tokenizer -------------------------------------------------------------------------- */

struct tokbuf {
    uint8_t data[4096];
    size_t len;
};

static void tok_put(struct tokbuf *t, const void *p, size_t n)
{
    memcpy(t->data + t->len, p, n);
    t->len += n;
}

static void tok_entry(struct tokbuf *t, float score, const char *s)
{
    int32_t n = (int32_t)strlen(s);
    tok_put(t, &score, 4);
    tok_put(t, &n, 4);
    tok_put(t, s, (size_t)n);
}

/* A vocabulary: <unk> <s> </s>, 256 byte pieces are absent; " ", "a", "b", " a", "ab",
 * " ab", "<0x41>", "\xC3\xA9" (e acute). */
static const char *const toy[] = { "<unk>", "<s>", "</s>", " ", "a", "b", " a", "ab",
                                   " ab", "<0x41>", "\xC3\xA9" };
static const float toy_scores[] = { 0, 0, 0, -1, -2, -2, -3, -1, -0.5f, 0, -4 };
#define TOY_N ((int32_t)(sizeof toy / sizeof *toy))

static void make_toy(struct tokbuf *t)
{
    int32_t max_len = 8;
    t->len = 0;
    tok_put(t, &max_len, 4);
    for (int32_t i = 0; i < TOY_N; i++)
        tok_entry(t, toy_scores[i], toy[i]);
}

static uint8_t arena_mem[1 << 20];

static enum llm_err load_tok(struct llm_tokenizer *tk, const struct tokbuf *t, int32_t n)
{
    struct llm_arena a;
    llm_arena_init(&a, arena_mem, sizeof arena_mem);
    return llm_tokenizer_load(tk, t->data, t->len, n, &a, &io);
}

TEST(tokenizer_validation)
{
    struct tokbuf t;
    struct llm_tokenizer tk;
    make_toy(&t);
    CHECK_EQ_U64(load_tok(&tk, &t, TOY_N), LLM_OK);
    CHECK_EQ_U64(load_tok(&tk, &t, TOY_N + 1), LLM_E_TRUNCATED); /* vocab too big */
    CHECK_EQ_U64(load_tok(&tk, &t, TOY_N - 1), LLM_E_SIZE);      /* bytes left over */
    CHECK_EQ_U64(load_tok(&tk, &t, 0), LLM_E_ARG);
    struct tokbuf bad = t;
    int32_t v = 0;
    memcpy(bad.data, &v, 4);
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TOKENIZER);   /* max_token_length 0 */
    bad = t;
    v = 1;
    memcpy(bad.data, &v, 4);
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TOKENIZER);   /* "<unk>" longer than 1 */
    bad = t;
    v = -1;
    memcpy(bad.data + 8, &v, 4);                                   /* entry 0 length -1 */
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TOKENIZER);
    bad = t;
    float nan = NAN;
    memcpy(bad.data + 4, &nan, 4);
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TOKENIZER);
    bad = t;
    bad.data[12] = '\0';                                           /* "<unk>" -> "\0unk>" */
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TOKENIZER);
    bad = t;
    bad.len = 2;
    CHECK_EQ_U64(load_tok(&tk, &bad, TOY_N), LLM_E_TRUNCATED);
    for (size_t cut = 4; cut < t.len; cut += 3) {                  /* every truncation */
        bad = t;
        bad.len = cut;
        CHECK(load_tok(&tk, &bad, TOY_N) != LLM_OK, "cut at %zu", cut);
    }
}

/* vocab_size comes from the model header (or llm.vocab=N) and sized the tables as
 * vocab_size x 8 bytes in a size_t, which wraps on a 32-bit build for a vocabulary past 2^29;
 * any vocabulary past the model's limit is now refused, naming the value. */
TEST(tokenizer_vocab_size_beyond_model_limit)
{
    struct tokbuf t;
    struct llm_tokenizer tk;
    make_toy(&t);
    CHECK_EQ_U64(load_tok(&tk, &t, INT32_MAX), LLM_E_ARG);
    CHECK(strstr(last_diag, "vocab_size 2147483647 outside 1..262144") != NULL, "%s",
          last_diag);
    CHECK_EQ_U64(load_tok(&tk, &t, LLM_MAX_VOCAB + 1), LLM_E_ARG);
    CHECK(load_tok(&tk, &t, LLM_MAX_VOCAB) != LLM_E_ARG);        /* the limit itself is fine */
}

static int32_t enc(struct llm_tokenizer *tk, const char *text, int32_t *ids, int32_t cap)
{
    int32_t n = -1;
    if (llm_encode(tk, text, true, false, ids, cap, &n, &io) != LLM_OK)
        return -1;
    return n;
}

TEST(tokenizer_encode)
{
    struct tokbuf t;
    struct llm_tokenizer tk;
    int32_t ids[16];
    make_toy(&t);
    REQUIRE(load_tok(&tk, &t, TOY_N) == LLM_OK);
    CHECK_EQ_U64(enc(&tk, "", ids, 16), 1);                        /* BOS only */
    CHECK_EQ_U64(ids[0], LLM_TOKEN_BOS);
    /* " " + "a" + "b": best merge first is " ab"? pairs: " a"(-3), "ab"(-1) -> "ab", then
     * " " + "ab" -> " ab" (-0.5) */
    REQUIRE(enc(&tk, "ab", ids, 16) == 2);
    CHECK_EQ_U64(ids[1], 8);
    REQUIRE(enc(&tk, "\xC3\xA9", ids, 16) == 3);                   /* UTF-8 code point */
    CHECK_EQ_U64(ids[2], 10);
    int32_t n = 0;                                                 /* byte fallback: 'z' */
    CHECK_EQ_U64(llm_encode(&tk, "z", true, false, ids, 16, &n, &io), LLM_E_ENCODE);
    CHECK(strstr(last_diag, "byte 0x7a") != NULL, "%s", last_diag);
    CHECK_EQ_U64(llm_encode(&tk, "ababab", true, true, ids, 3, &n, &io), LLM_E_ARG);
    REQUIRE(llm_encode(&tk, "a", true, true, ids, 16, &n, &io) == LLM_OK);
    CHECK(n == 3 && ids[1] == 6 && ids[2] == LLM_TOKEN_EOS);
}

/* A vocabulary of fewer than 3 entries has no BOS (id 1) or no EOS (id 2). Encoding with
 * them pushed the id anyway: with one entry the merge step then read vocab[1], past the
 * table, as a piece (a crash); with two, EOS came back as an id outside the vocabulary. */
TEST(tokenizer_bos_eos_outside_tiny_vocab)
{
    struct tokbuf t = { .len = 0 };
    struct llm_tokenizer tk;
    int32_t max_len = 1, ids[8], n = -1;
    tok_put(&t, &max_len, 4);
    tok_entry(&t, 0.0f, " ");
    REQUIRE(load_tok(&tk, &t, 1) == LLM_OK);
    CHECK_EQ_U64(llm_encode(&tk, " ", true, false, ids, 8, &n, &io), LLM_E_ENCODE);
    CHECK(strstr(last_diag, "BOS id 1 outside vocab_size 1") != NULL, "%s", last_diag);
    CHECK_EQ_U64(llm_encode(&tk, " ", false, false, ids, 8, &n, &io), LLM_OK);
    tok_entry(&t, 0.0f, "a");
    REQUIRE(load_tok(&tk, &t, 2) == LLM_OK);
    CHECK_EQ_U64(llm_encode(&tk, "a", true, true, ids, 8, &n, &io), LLM_E_ENCODE);
    CHECK(strstr(last_diag, "EOS id 2 outside vocab_size 2") != NULL, "%s", last_diag);
    CHECK_EQ_U64(llm_encode(&tk, "a", true, false, ids, 8, &n, &io), LLM_OK);
}

TEST(tokenizer_decode)
{
    struct tokbuf t;
    struct llm_tokenizer tk;
    make_toy(&t);
    REQUIRE(load_tok(&tk, &t, TOY_N) == LLM_OK);
    CHECK_STREQ(llm_decode(&tk, LLM_TOKEN_BOS, 6), "a");           /* space dropped */
    CHECK_STREQ(llm_decode(&tk, 4, 6), " a");
    CHECK_STREQ(llm_decode(&tk, 4, 9), "A");                       /* <0x41> */
    CHECK_STREQ(llm_decode(&tk, 4, 99), "");
    CHECK_STREQ(llm_decode(&tk, 4, -1), "");
}

/* ---- sampler ---------------------------------------------------------------------------- */

TEST(sampler_xorshift_and_modes)
{
    uint64_t st = 42;
    /* first outputs of llama2.c's random_u32 with seed 42, computed by hand from
     * x ^= x >> 12; x ^= x << 25; x ^= x >> 27; (x * 0x2545F4914F6CDD1D) >> 32 */
    uint64_t x = 42;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    CHECK_EQ_U64(llm_random_u32(&st), (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32));
    CHECK(llm_random_f32(&st) < 1.0f);
    struct llm_arena a;
    struct llm_sampler s;
    llm_arena_init(&a, arena_mem, sizeof arena_mem);
    CHECK_EQ_U64(llm_sampler_init(&s, 4, 0.0f, 0.9f, 0, &a, &io), LLM_E_ARG); /* seed 0 */
    REQUIRE(llm_sampler_init(&s, 4, 0.0f, 0.9f, 1, &a, &io) == LLM_OK);
    float l1[4] = { 1, 3, 3, 2 };
    CHECK_EQ_U64(llm_sample(&s, l1), 1);                           /* first maximum */
    REQUIRE(llm_sampler_init(&s, 4, 1.0f, 0.5f, 7, &a, &io) == LLM_OK);
    for (int i = 0; i < 50; i++) {                                 /* top-p keeps token 2 */
        float l2[4] = { 0, 0, 10, 0 };
        CHECK_EQ_U64(llm_sample(&s, l2), 2);
    }
    REQUIRE(llm_sampler_init(&s, 4, 1.0f, 1.0f, 7, &a, &io) == LLM_OK);
    int seen[4] = { 0 };
    for (int i = 0; i < 400; i++) {                                /* multinomial, uniform */
        float l3[4] = { 0, 0, 0, 0 };
        seen[llm_sample(&s, l3)]++;
    }
    for (int i = 0; i < 4; i++)
        CHECK(seen[i] > 60, "token %d drawn %d times of 400", i, seen[i]);
    float nanl[4] = { NAN, NAN, NAN, NAN };
    REQUIRE(llm_sampler_init(&s, 4, 1.0f, 0.9f, 7, &a, &io) == LLM_OK);
    int32_t tok = llm_sample(&s, nanl);                            /* no out-of-bounds */
    CHECK(tok >= 0 && tok < 4);
}

/* ---- boot configuration ----------------------------------------------------------------- */

static enum llm_err cfg_parse(struct llm_bootcfg *c, const char *text)
{
    llm_bootcfg_defaults(c);
    return llm_bootcfg_parse(c, text, strlen(text), &io);
}

TEST(bootcfg_defaults_and_values)
{
    struct llm_bootcfg c;
    CHECK_EQ_U64(cfg_parse(&c, ""), LLM_OK);
    CHECK_STREQ(c.model, "MODEL.BIN");
    CHECK_STREQ(c.tokenizer, "TOKENIZ.BIN");
    CHECK(c.steps == 256 && c.temperature == 1.0f && c.topp == 0.9f && c.seed == 0);
    const char *text = "# comment\r\n\n  model = S260.BIN  \r\ntokenizer=T512.BIN\n"
                       "prompt = Once upon\\na time\\\\ \nsteps = 200\ntemperature = 0\n"
                       "topp = .95\nseed = 18446744073709551615";
    CHECK_EQ_U64(cfg_parse(&c, text), LLM_OK);
    CHECK_STREQ(c.model, "S260.BIN");
    CHECK_STREQ(c.tokenizer, "T512.BIN");
    CHECK_STREQ(c.prompt, "Once upon\na time\\");
    CHECK(c.steps == 200 && c.temperature == 0.0f && c.topp == 0.95f);
    CHECK_EQ_U64(c.seed, UINT64_MAX);
    CHECK_EQ_U64(cfg_parse(&c, "prompt ="), LLM_OK);
    CHECK_STREQ(c.prompt, "");
}

TEST(bootcfg_errors)
{
    struct llm_bootcfg c;
    const char *bad[] = {
        "colour = red", "model", "model =", "steps = -1", "steps = 1x", "steps = 2000000",
        "topp = 1.5", "topp = 0.9.1", "temperature = -1", "temperature = 1e3",
        "seed = 18446744073709551616", "prompt = a\\qb", "steps = 1\nsteps = 2",
        "model = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(cfg_parse(&c, bad[i]) == LLM_E_CONFIG, "accepted \"%s\"", bad[i]);
    CHECK(strstr(last_diag, "llm: config: line 1") != NULL, "%s", last_diag);
    char nul[] = "steps = 1\n\0";
    llm_bootcfg_defaults(&c);
    CHECK_EQ_U64(llm_bootcfg_parse(&c, nul, sizeof nul - 1, &io), LLM_E_CONFIG);
    static char longline[LLM_CFG_PROMPT_MAX + 200];
    memset(longline, 'x', sizeof longline - 1);
    memcpy(longline, "prompt=", 7);
    CHECK_EQ_U64(cfg_parse(&c, longline), LLM_E_CONFIG);
}

TEST(nonfinite_logits_found)
{
    float v[37];
    for (int i = 0; i < 37; i++)
        v[i] = (float)(i - 18) * 1e37f;             /* large but finite, -0.0f among them */
    v[18] = -0.0f;
    v[5] = 1e-45f;                                  /* a denormal is finite */
    CHECK(llm_first_nonfinite(v, 37) == -1);
    CHECK(llm_first_nonfinite(v, 0) == -1);
    v[30] = INFINITY;
    CHECK(llm_first_nonfinite(v, 37) == 30);
    CHECK(llm_first_nonfinite(v, 30) == -1, "only the first n are looked at");
    v[7] = -INFINITY;
    CHECK(llm_first_nonfinite(v, 37) == 7);
    v[2] = NAN;
    CHECK(llm_first_nonfinite(v, 37) == 2);
    CHECK_STREQ(llm_strerror(LLM_E_NONFINITE), "non-finite logits");
}

TEST(error_names)
{
    CHECK_STREQ(llm_strerror(LLM_E_CONFIG), "bad configuration");
    CHECK_STREQ(llm_strerror((enum llm_err)99), "unknown llm error");
}

/* ---- kernels ---------------------------------------------------------------------------- */

static float frand(uint64_t *st)
{
    return llm_random_f32(st) * 2.0f - 1.0f;
}

TEST(kernels_f32_match_scalar)
{
    int shapes[][2] = { { 64, 64 }, { 172, 64 }, { 288, 7 }, { 5, 3 }, { 33, 9 } };
    uint64_t st = 1;
    for (size_t t = 0; t < sizeof shapes / sizeof *shapes; t++) {
        int n = shapes[t][0], d = shapes[t][1];
        float *w = malloc(sizeof(float) * n * d), *x = malloc(sizeof(float) * n);
        float ref[64], out[64];
        for (int i = 0; i < n * d; i++)
            w[i] = frand(&st);
        for (int i = 0; i < n; i++)
            x[i] = frand(&st);
        llm_kernels_scalar.matmul_f32(ref, x, w, n, d);
        for (int k = 1; llm_kernels_nth(k); k++) {
            llm_kernels_nth(k)->matmul_f32(out, x, w, n, d);
            for (int i = 0; i < d; i++)
                CHECK(fabsf(out[i] - ref[i]) <= 1e-4f * n, "%s n %d row %d: %f vs %f",
                      llm_kernels_nth(k)->name, n, i, out[i], ref[i]);
        }
        free(w);
        free(x);
    }
}

TEST(kernels_q8_match_scalar)
{
    int groups[] = { 4, 16, 32, 64 };
    int n = 256, d = 12;
    uint64_t st = 3;
    int8_t *wq = malloc((size_t)n * d), xq[256];
    float ws[256 * 12 / 4], xs[256 / 4], ref[12], out[12];
    for (int i = 0; i < n * d; i++)
        wq[i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
    for (int i = 0; i < n; i++)
        xq[i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
    for (size_t i = 0; i < sizeof ws / sizeof *ws; i++)
        ws[i] = llm_random_f32(&st) * 0.01f;
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
        xs[i] = llm_random_f32(&st) * 0.01f;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        int gs = groups[g];
        llm_kernels_scalar.matmul_q8(ref, xq, xs, wq, ws, n, d, gs);
        for (int k = 1; llm_kernels_nth(k); k++) {
            llm_kernels_nth(k)->matmul_q8(out, xq, xs, wq, ws, n, d, gs);
            for (int i = 0; i < d; i++)
                CHECK(fabsf(out[i] - ref[i]) <= 1e-5f * (fabsf(ref[i]) + 1.0f),
                      "%s gs %d row %d: %f vs %f", llm_kernels_nth(k)->name, gs, i, out[i],
                      ref[i]);
        }
    }
    free(wq);
}

/* One row of a Q8_0 matmul in the float order of the 256-bit kernels (llm_kernels_x86.c,
 * "avx2+fma" and "avx512vnni"): int32 lane l of a group sums values 4l..4l+3 of each 32,
 * lane l accumulates fma(lane sum, ws * xs) in group order, and the eight lanes are added
 * as hsum256 does: (l + l+4), then (0 + 2) + (1 + 3). */
static float q8_row_lane_order(const int8_t *x, const float *xs, const int8_t *w,
                               const float *ws, int n, int gs)
{
    float acc[8] = { 0 };
    for (int g = 0; g < n / gs; g++) {
        float s = ws[g] * xs[g];
        for (int l = 0; l < 8; l++) {
            int32_t isum = 0;
            for (int c = g * gs; c < (g + 1) * gs; c += 32)
                for (int b = 4 * l; b < 4 * l + 4; b++)
                    isum += (int32_t)x[c + b] * (int32_t)w[c + b];
            acc[l] = fmaf((float)isum, s, acc[l]);
        }
    }
    float v[4];
    for (int l = 0; l < 4; l++)
        v[l] = acc[l] + acc[l + 4];
    float lo = v[0] + v[2], hi = v[1] + v[3];
    return lo + hi;
}

/* The 256-bit Q8_0 kernels give every row exactly the lane-order value, whatever the row
 * count (rows run in pairs and alone), the group count (eight scale products at a time,
 * then one by one), the group size (32, 64, 128 as constants, 96 from the argument) and
 * the row length (the VNNI kernel hands rows of more than 256 groups to AVX2). */
TEST(kernels_q8_256bit_bit_exact)
{
    int shapes[][3] = { /* n, d, gs */
        { 32, 1, 32 }, { 352, 5, 32 }, { 256, 4, 64 }, { 704, 3, 64 }, { 1536, 7, 128 },
        { 96 * 9, 2, 96 }, { 32 * 300, 3, 32 }, { 64, 2, 64 }, { 256, 9, 64 }, { 128, 16, 32 },
    };
    uint64_t st = 7;
    for (size_t t = 0; t < sizeof shapes / sizeof *shapes; t++) {
        int n = shapes[t][0], d = shapes[t][1], gs = shapes[t][2];
        int8_t *wq = malloc((size_t)n * d), *xq = malloc((size_t)n);
        float *ws = malloc(sizeof(float) * (size_t)(n / gs) * d);
        float *xs = malloc(sizeof(float) * (size_t)(n / gs)), out[16];
        for (int i = 0; i < n * d; i++)
            wq[i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
        for (int i = 0; i < n; i++)
            xq[i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
        for (int i = 0; i < n / gs * d; i++)
            ws[i] = frand(&st) * 0.01f;
        for (int i = 0; i < n / gs; i++)
            xs[i] = llm_random_f32(&st) * 0.01f;
        for (int k = 1; llm_kernels_nth(k); k++) {
            const struct llm_kernels *kn = llm_kernels_nth(k);
            if (strcmp(kn->name, "avx2+fma") && strcmp(kn->name, "avx512vnni"))
                continue;
            kn->matmul_q8(out, xq, xs, wq, ws, n, d, gs);
            for (int i = 0; i < d; i++) {
                float want = q8_row_lane_order(xq, xs, wq + (size_t)i * n,
                                               ws + (size_t)i * (n / gs), n, gs);
                CHECK(memcmp(&out[i], &want, sizeof want) == 0,
                      "%s n %d gs %d row %d of %d: %a vs %a", kn->name, n, gs, i, d,
                      (double)out[i], (double)want);
            }
        }
        free(wq);
        free(xq);
        free(ws);
        free(xs);
    }
}

/* ---- arena and diagnostics -------------------------------------------------------------- */

TEST(arena_alignment_and_exhaustion)
{
    static uint8_t mem[256];
    struct llm_arena a;
    llm_arena_init(&a, mem + 1, 200);
    uint8_t *p = llm_arena_alloc(&a, 10, 64);
    CHECK(p && (uintptr_t)p % 64 == 0);
    CHECK(llm_arena_alloc(&a, 1000, 1) == NULL);
    CHECK(llm_arena_alloc(&a, SIZE_MAX, 1) == NULL);                /* no wrap-around */
    CHECK(a.used <= a.size);
}

TEST(diag_lines)
{
    llm_diag(&io, "x=%d %s %.2f %zu", -5, "ab", 2.346, (size_t)7);
    CHECK_STREQ(last_diag, "llm: x=-5 ab 2.35 7\n");
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    llm_diag(&io, "%s", big);                       /* cut to 255 bytes, newline kept */
    CHECK_EQ_U64(strlen(last_diag), 255);
    CHECK(strncmp(last_diag, "llm: aaa", 8) == 0);
    CHECK_STREQ(last_diag + 249, "aaaaa\n");
    llm_diag(NULL, "no io");                       /* nowhere to go: no crash */
}

/* Every split llm_pool_range makes, over small item counts, block sizes and worker counts:
 * the ranges are contiguous and in worker order, cover [0, n) exactly once, start at
 * multiples of the block size, and differ in size by at most one block. */
#define POOL_MAX_ITEMS      70
#define POOL_MAX_ALIGN      5
#define POOL_MAX_WORKERS    9

TEST(pool_ranges_cover_once_aligned)
{
    for (int n = 0; n <= POOL_MAX_ITEMS; n++)
        for (int align = 1; align <= POOL_MAX_ALIGN; align++)
            for (int workers = 1; workers <= POOL_MAX_WORKERS; workers++) {
                int next = 0, lo = n, hi = 0;
                for (int w = 0; w < workers; w++) {
                    int b, e;
                    llm_pool_range(n, align, workers, w, &b, &e);
                    REQUIRE(b == next && e >= b && e <= n, "n %d align %d workers %d w %d: "
                            "[%d, %d) after %d", n, align, workers, w, b, e, next);
                    REQUIRE(b == n || b % align == 0, "begin %d", b);
                    int blocks = (e - b + align - 1) / align;
                    lo = blocks < lo ? blocks : lo;
                    hi = blocks > hi ? blocks : hi;
                    next = e;
                }
                REQUIRE(next == n, "n %d align %d workers %d: covered %d", n, align, workers,
                        next);
                REQUIRE(hi - lo <= 1, "n %d align %d workers %d: unbalanced", n, align,
                        workers);
            }
}

/* The serial pool runs the whole range on the caller, once; nothing for no items. */
static void count_calls(void *ctx, int begin, int end)
{
    int *calls = ctx;
    calls[0]++;
    calls[1] += end - begin;
}

TEST(pool_serial_runs_all_on_caller)
{
    int calls[2] = { 0, 0 };
    llm_pool_serial.run(&llm_pool_serial, count_calls, calls, 10, LLM_KERNEL_ROW_BLOCK);
    CHECK(calls[0] == 1 && calls[1] == 10);
    llm_pool_serial.run(&llm_pool_serial, count_calls, calls, 0, 1);
    CHECK(calls[0] == 1);
}

/* ---- dealing ---------------------------------------------------------------------------- */

struct deal_log {
    int hits[POOL_MAX_ITEMS];
    int n, align, workers, calls, bad;
    int first_begin, first_end;     /* the first call's range; begin -1 before it */
};

/* Records each chunk: aligned, inside one worker's range of the plain split. */
static void log_chunk(void *ctx, int begin, int end)
{
    struct deal_log *g = ctx;
    bool inside = false;
    for (int w = 0; w < g->workers; w++) {
        int b, e;
        llm_pool_range(g->n, g->align, g->workers, w, &b, &e);
        inside |= begin >= b && end <= e;
    }
    if (begin % g->align || begin >= end || !inside)
        g->bad++;
    for (int i = begin; i < end && i < g->n; i++)
        g->hits[i]++;
    if (g->first_begin < 0) {
        g->first_begin = begin;
        g->first_end = end;
    }
    g->calls++;
}

/* Every deal, whichever worker comes first (the others later, so it takes over all of
 * theirs): each item done exactly once, in chunks that start on a block and stay inside
 * one range of the plain split, the first worker's first call at its own range's start
 * and over half of its chunks (at least one), nothing left for the late ones, and no
 * range cut into more than LLM_POOL_CHUNKS. */
TEST(pool_deal_covers_once_aligned)
{
    static struct llm_pool_deal d;
    for (int n = 1; n <= POOL_MAX_ITEMS; n++)
        for (int align = 1; align <= POOL_MAX_ALIGN; align++)
            for (int workers = 1; workers <= POOL_MAX_WORKERS; workers++)
                for (int first = 0; first < workers; first++) {
                    struct deal_log g = { .n = n, .align = align, .workers = workers,
                                          .first_begin = -1 };
                    llm_pool_deal_init(&d, n, align, workers);
                    llm_pool_deal_work(&d, first, log_chunk, &g);
                    int calls = g.calls, b, e;
                    for (int w = 0; w < workers; w++)
                        if (w != first)
                            llm_pool_deal_work(&d, w, log_chunk, &g);
                    llm_pool_range(n, align, workers, first, &b, &e);
                    REQUIRE(g.bad == 0 && g.calls == calls, "n %d align %d workers %d "
                            "first %d: %d bad chunks, %d calls after the first worker",
                            n, align, workers, first, g.bad, g.calls - calls);
                    REQUIRE(b == e || g.first_begin == b, "first chunk at %d, range at %d",
                            g.first_begin, b);
                    int chunks = (e - b + d.chunk - 1) / d.chunk;
                    int half = (chunks > 1 ? chunks / 2 : 1) * d.chunk;
                    int want = half < e - b ? half : e - b;
                    REQUIRE(b == e || g.first_end - g.first_begin == want, "n %d align %d "
                            "workers %d first %d: first call [%d, %d), want %d items", n,
                            align, workers, first, g.first_begin, g.first_end, want);
                    REQUIRE(calls <= workers * LLM_POOL_CHUNKS, "%d chunks", calls);
                    for (int i = 0; i < n; i++)
                        REQUIRE(g.hits[i] == 1, "n %d align %d workers %d first %d: item "
                                "%d done %d times", n, align, workers, first, i, g.hits[i]);
                }
}

/* ---- fused matvecs ---------------------------------------------------------------------- */

/* A pool that runs the plain split's ranges on the caller, last worker first. */
static void run_backwards(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items,
                          int align)
{
    for (int w = pool->workers - 1; w >= 0; w--) {
        int b, e;
        llm_pool_range(n_items, align, pool->workers, w, &b, &e);
        if (b < e)
            fn(ctx, b, e);
    }
}

#define FUSE_N      64              /* row length: two Q8_0 groups of 32 */
#define FUSE_GS     32
#define FUSE_ROWS   13              /* the longest matrix below */

/* Three products on one input in one job (row counts 13, 6 and 9: blocks of four that do
 * not line up with the matrices), split over 1 to 6 workers, give every output float the
 * bits separate whole-matrix calls give, for every kernel set, fp32 and Q8_0. */
TEST(matvecs_fused_equal_separate)
{
    static const int d[3] = { FUSE_ROWS, 6, 9 };
    static float wf[3][FUSE_ROWS * FUSE_N], ws[3][FUSE_ROWS * FUSE_N / FUSE_GS];
    static int8_t wq[3][FUSE_ROWS * FUSE_N];
    float x[FUSE_N], xs[FUSE_N / FUSE_GS];
    int8_t xq[FUSE_N];
    uint64_t st = 11;
    for (int m = 0; m < 3; m++)
        for (int i = 0; i < FUSE_ROWS * FUSE_N; i++) {
            wf[m][i] = frand(&st);
            wq[m][i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
            ws[m][i / FUSE_GS] = frand(&st) * 0.01f;
        }
    for (int i = 0; i < FUSE_N; i++) {
        x[i] = frand(&st);
        xq[i] = (int8_t)(llm_random_u32(&st) % 255 - 127);
        xs[i / FUSE_GS] = frand(&st) * 0.01f;
    }
    struct llm_matvec_in in = { x, xq, xs, FUSE_N, FUSE_GS };
    for (int k = 0; llm_kernels_nth(k); k++) {
        const struct llm_kernels *kn = llm_kernels_nth(k);
        for (int q8 = 0; q8 < 2; q8++) {
            float want[3][FUSE_ROWS], got[3][FUSE_ROWS];
            struct llm_matvec_out outs[3];
            for (int m = 0; m < 3; m++) {
                struct llm_mat w = q8 ? (struct llm_mat){ NULL, wq[m], ws[m] }
                                      : (struct llm_mat){ wf[m], NULL, NULL };
                outs[m] = (struct llm_matvec_out){ got[m], w, d[m] };
                if (q8)
                    kn->matmul_q8(want[m], xq, xs, wq[m], ws[m], FUSE_N, d[m], FUSE_GS);
                else
                    kn->matmul_f32(want[m], x, wf[m], FUSE_N, d[m]);
            }
            for (int workers = 1; workers <= 6; workers++) {
                struct llm_pool pool = { run_backwards, workers, NULL };
                memset(got, 0xff, sizeof got);
                llm_matvecs(&pool, kn, &in, outs, 3);
                for (int m = 0; m < 3; m++)
                    CHECK(memcmp(got[m], want[m], sizeof(float) * (size_t)d[m]) == 0,
                          "%s %s workers %d: matrix %d differs from its own matmul",
                          kn->name, q8 ? "q8_0" : "f32", workers, m);
            }
        }
    }
}

int main(void)
{
    check_suite = "test_llm";
    RUN(model_v0_valid_shared_and_unshared);
    RUN(model_header_fields_rejected);
    RUN(model_length_and_alignment);
    RUN(model_v1_v2_headers);
    RUN(q8_nan_activation_not_converted_to_int);
    RUN(tokenizer_validation);
    RUN(tokenizer_vocab_size_beyond_model_limit);
    RUN(tokenizer_encode);
    RUN(tokenizer_bos_eos_outside_tiny_vocab);
    RUN(tokenizer_decode);
    RUN(sampler_xorshift_and_modes);
    RUN(bootcfg_defaults_and_values);
    RUN(bootcfg_errors);
    RUN(nonfinite_logits_found);
    RUN(error_names);
    RUN(kernels_f32_match_scalar);
    RUN(kernels_q8_match_scalar);
    RUN(kernels_q8_256bit_bit_exact);
    RUN(arena_alignment_and_exhaustion);
    RUN(diag_lines);
    RUN(pool_ranges_cover_once_aligned);
    RUN(pool_serial_runs_all_on_caller);
    RUN(pool_deal_covers_once_aligned);
    RUN(matvecs_fused_equal_separate);
    return check_summary();
}
