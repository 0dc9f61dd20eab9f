/* llama2.c tokenizer: loading and validating tokenizer.bin, BPE encoding of a prompt and
 * decoding of one token (llm.h). Origin: karpathy/llama2.c run.c build_tokenizer(),
 * encode(), decode() and safe_printf(); the behaviour (dummy prefix, UTF-8 code points,
 * byte fallback at id byte+3, merge of the best-scoring pair until none is left) is kept
 * token for token, the code is rewritten with bounds checks on every index.
 * File: int32 max_token_length, then vocab_size x {float32 score, int32 len, len bytes}. */
#include "kernel/llm/llm_impl.h"
#include "kernel/llm/llm_math.h"

#define TOK_MAX_TOKEN_LENGTH 4096   /* longest piece accepted (Llama 2: 48 bytes) */
#define TOK_BYTE_FALLBACK    3      /* ids 0-2 are <unk> <s> </s>; byte b is id b + 3 */
#define TOK_BYTES            256
#define TOK_UTF8_MAX         4      /* bytes of the longest UTF-8 code point */
#define TOK_NO_ID            (-1)
#define TOK_MERGE_NONE       (-1e10f) /* run.c's initial best score */

/* ---- loading ---------------------------------------------------------------------------- */

/* Stable bottom-up merge sort of ids by their piece (strcmp order). */
static void sort_ids(int32_t *ids, int32_t *tmp, int32_t n, const char **vocab)
{
    for (int32_t width = 1; width < n; width *= 2) {
        for (int32_t lo = 0; lo < n; lo += 2 * width) {
            int32_t mid = lo + width < n ? lo + width : n;
            int32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = strcmp(vocab[ids[j]], vocab[ids[i]]) < 0 ? ids[j++] : ids[i++];
            while (i < mid)
                tmp[k++] = ids[i++];
            while (j < hi)
                tmp[k++] = ids[j++];
        }
        memcpy(ids, tmp, (size_t)n * sizeof *ids);
    }
}

/* Reads entry `id` at *off; checks its score, length and bytes. */
static enum llm_err load_entry(struct llm_tokenizer *t, const uint8_t *p, size_t len,
                               size_t *off, int32_t id, struct llm_arena *arena,
                               const struct llm_io *io)
{
    if (len - *off < 8) {
        llm_diag(io, "tokenizer: entry %d truncated at byte %zu", id, *off);
        return LLM_E_TRUNCATED;
    }
    float score = llm_ldf32(p + *off);
    int32_t n = llm_ld32s(p + *off + 4);
    *off += 8;
    if (!isfinite(score)) {
        llm_diag(io, "tokenizer: entry %d score is not finite", id);
        return LLM_E_TOKENIZER;
    }
    if (n < 0 || (uint32_t)n > t->max_token_length) {
        llm_diag(io, "tokenizer: entry %d length %d outside 0..%u", id, n, t->max_token_length);
        return LLM_E_TOKENIZER;
    }
    if (len - *off < (size_t)n) {
        llm_diag(io, "tokenizer: entry %d needs %d bytes, %zu left", id, n, len - *off);
        return LLM_E_TRUNCATED;
    }
    char *s = llm_arena_alloc(arena, (size_t)n + 1, 1);
    if (!s) {
        llm_diag(io, "tokenizer: out of memory at entry %d", id);
        return LLM_E_NOMEM;
    }
    memcpy(s, p + *off, (size_t)n);
    /* pieces are C strings in run.c; an embedded NUL would silently shorten one */
    if (strlen(s) != (size_t)n) {
        llm_diag(io, "tokenizer: entry %d contains a NUL byte", id);
        return LLM_E_TOKENIZER;
    }
    *off += (size_t)n;
    ((float *)t->scores)[id] = score;
    t->vocab[id] = s;
    return LLM_OK;
}

static enum llm_err alloc_tables(struct llm_tokenizer *t, struct llm_arena *arena,
                                 const struct llm_io *io)
{
    size_t n = (size_t)t->vocab_size;
    t->vocab = llm_arena_alloc(arena, n * sizeof *t->vocab, sizeof(void *));
    t->scores = llm_arena_alloc(arena, n * sizeof *t->scores, sizeof(float));
    t->sorted = llm_arena_alloc(arena, n * sizeof *t->sorted, sizeof(int32_t));
    t->merge_buf = llm_arena_alloc(arena, (size_t)t->max_token_length * 2 + 1 + 2, 1);
    if (!t->vocab || !t->scores || !t->sorted || !t->merge_buf) {
        llm_diag(io, "tokenizer: out of memory for %d entries", t->vocab_size);
        return LLM_E_NOMEM;
    }
    return LLM_OK;
}

static enum llm_err finish(struct llm_tokenizer *t, struct llm_arena *arena,
                           const struct llm_io *io)
{
    size_t mark = arena->used;
    int32_t *tmp = llm_arena_alloc(arena, (size_t)t->vocab_size * sizeof *tmp, sizeof *tmp);
    if (!tmp) {
        llm_diag(io, "tokenizer: out of memory sorting %d entries", t->vocab_size);
        return LLM_E_NOMEM;
    }
    for (int32_t i = 0; i < t->vocab_size; i++)
        t->sorted[i] = i;
    sort_ids(t->sorted, tmp, t->vocab_size, t->vocab);
    arena->used = mark; /* scratch only */
    for (int i = 0; i < TOK_BYTES; i++) {
        t->byte_pieces[i * 2] = (char)i;
        t->byte_pieces[i * 2 + 1] = '\0';
    }
    return LLM_OK;
}

enum llm_err llm_tokenizer_load(struct llm_tokenizer *t, const void *file, size_t len,
                                int32_t vocab_size, struct llm_arena *arena,
                                const struct llm_io *io)
{
    const uint8_t *p = file;
    memset(t, 0, sizeof *t);
    if (!file) {
        llm_diag(io, "tokenizer: no file");
        return LLM_E_ARG;
    }
    /* the model's limit; it also keeps every table size below far from wrapping, in a size_t
     * of 32 bits as well */
    if (vocab_size < 1 || vocab_size > LLM_MAX_VOCAB) {
        llm_diag(io, "tokenizer: vocab_size %d outside 1..%d", vocab_size, LLM_MAX_VOCAB);
        return LLM_E_ARG;
    }
    if (len < 4) {
        llm_diag(io, "tokenizer: %zu bytes, no header", len);
        return LLM_E_TRUNCATED;
    }
    int32_t max_len = llm_ld32s(p);
    if (max_len < 1 || max_len > TOK_MAX_TOKEN_LENGTH) {
        llm_diag(io, "tokenizer: max_token_length %d outside 1..%d", max_len,
                 TOK_MAX_TOKEN_LENGTH);
        return LLM_E_TOKENIZER;
    }
    t->vocab_size = vocab_size;
    t->max_token_length = (uint32_t)max_len;
    enum llm_err err = alloc_tables(t, arena, io);
    size_t off = 4;
    for (int32_t i = 0; i < vocab_size && err == LLM_OK; i++)
        err = load_entry(t, p, len, &off, i, arena, io);
    if (err != LLM_OK)
        return err;
    if (off != len) {
        llm_diag(io, "tokenizer: %zu bytes after entry %d (vocab_size mismatch?)",
                 len - off, vocab_size - 1);
        return LLM_E_SIZE;
    }
    return finish(t, arena, io);
}

/* ---- encoding --------------------------------------------------------------------------- */

/* Id of the piece equal to `str`, TOK_NO_ID if none (binary search of `sorted`). */
static int32_t lookup(const struct llm_tokenizer *t, const char *str)
{
    int32_t lo = 0, hi = t->vocab_size; /* answer in [lo, hi) */
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->vocab[t->sorted[mid]], str) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->vocab_size && strcmp(t->vocab[t->sorted[lo]], str) == 0)
        return t->sorted[lo];
    return TOK_NO_ID;
}

struct token_buf {
    int32_t *ids;
    int32_t cap, n;
};

static enum llm_err push(struct token_buf *b, int32_t id, const struct llm_io *io)
{
    if (b->n >= b->cap) {
        llm_diag(io, "encode: more than %d tokens", b->cap);
        return LLM_E_ARG;
    }
    b->ids[b->n++] = id;
    return LLM_OK;
}

/* Byte fallback: one token per byte at id byte + 3, if the vocabulary has it. */
static enum llm_err push_bytes(const struct llm_tokenizer *t, struct token_buf *b,
                               const unsigned char *s, size_t n, const struct llm_io *io)
{
    for (size_t i = 0; i < n; i++) {
        int32_t id = (int32_t)s[i] + TOK_BYTE_FALLBACK;
        if (id >= t->vocab_size) {
            llm_diag(io, "encode: byte 0x%x has no token (vocab_size %d)", s[i],
                     t->vocab_size);
            return LLM_E_ENCODE;
        }
        enum llm_err err = push(b, id, io);
        if (err != LLM_OK)
            return err;
    }
    return LLM_OK;
}

static bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80; /* UTF-8 continuation bytes are 10xxxxxx */
}

/* Splits text into UTF-8 code points (at most 4 bytes each, as run.c) and maps each to its
 * piece, or to byte tokens when the vocabulary lacks it. */
static enum llm_err encode_codepoints(const struct llm_tokenizer *t, const char *text,
                                      struct token_buf *b, const struct llm_io *io)
{
    char cp[TOK_UTF8_MAX + 1];
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (!is_continuation(*c))
            n = 0;
        cp[n++] = (char)*c;
        cp[n] = '\0';
        if (is_continuation(c[1]) && n < TOK_UTF8_MAX)
            continue;
        int32_t id = lookup(t, cp);
        enum llm_err err = id != TOK_NO_ID ? push(b, id, io)
                                           : push_bytes(t, b, (unsigned char *)cp, n, io);
        if (err != LLM_OK)
            return err;
        n = 0;
    }
    return LLM_OK;
}

/* Merges the adjacent pair whose concatenation is the best-scoring piece; false when no
 * pair is in the vocabulary. Ties go to the leftmost pair (strict >, as run.c). */
static bool merge_best(const struct llm_tokenizer *t, struct token_buf *b)
{
    float best_score = TOK_MERGE_NONE;
    int32_t best_id = TOK_NO_ID, best_idx = -1;
    for (int32_t i = 0; i + 1 < b->n; i++) {
        /* both pieces are at most max_token_length bytes (load_entry): merge_buf holds them */
        char *buf = t->merge_buf;
        const char *left = t->vocab[b->ids[i]], *right = t->vocab[b->ids[i + 1]];
        size_t la = strlen(left), lb = strlen(right);
        memcpy(buf, left, la);
        memcpy(buf + la, right, lb + 1);
        int32_t id = lookup(t, buf);
        if (id != TOK_NO_ID && t->scores[id] > best_score) {
            best_score = t->scores[id];
            best_id = id;
            best_idx = i;
        }
    }
    if (best_idx < 0)
        return false;
    b->ids[best_idx] = best_id;
    for (int32_t i = best_idx + 1; i + 1 < b->n; i++)
        b->ids[i] = b->ids[i + 1];
    b->n--;
    return true;
}

enum llm_err llm_encode(const struct llm_tokenizer *t, const char *text, bool bos, bool eos,
                        int32_t *tokens, int32_t cap, int32_t *n_tokens,
                        const struct llm_io *io)
{
    struct token_buf b = { tokens, cap, 0 };
    enum llm_err err = LLM_OK;
    *n_tokens = 0;
    if (!text || !t->vocab) {
        llm_diag(io, "encode: no text or no tokenizer");
        return LLM_E_ARG;
    }
    /* BOS and EOS are ids 1 and 2 whatever the vocabulary: a smaller one has neither, and an
     * id past its end would be read as a piece when merging */
    bool no_bos = bos && LLM_TOKEN_BOS >= t->vocab_size;
    if (no_bos || (eos && LLM_TOKEN_EOS >= t->vocab_size)) {
        llm_diag(io, "encode: %s id %d outside vocab_size %d", no_bos ? "BOS" : "EOS",
                 no_bos ? LLM_TOKEN_BOS : LLM_TOKEN_EOS, t->vocab_size);
        return LLM_E_ENCODE;
    }
    if (bos)
        err = push(&b, LLM_TOKEN_BOS, io);
    if (err == LLM_OK && text[0] != '\0') {
        /* sentencepiece's add_dummy_prefix: a leading space (byte token if absent) */
        int32_t space = lookup(t, " ");
        err = space != TOK_NO_ID ? push(&b, space, io)
                                 : push_bytes(t, &b, (const unsigned char *)" ", 1, io);
    }
    if (err == LLM_OK)
        err = encode_codepoints(t, text, &b, io);
    while (err == LLM_OK && merge_best(t, &b))
        ;
    if (err == LLM_OK && eos)
        err = push(&b, LLM_TOKEN_EOS, io);
    *n_tokens = b.n;
    return err;
}

/* ---- decoding --------------------------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "<0xHH>" -> byte value, else -1 (run.c: sscanf(piece, "<0x%02hhX>")). */
static int raw_byte(const char *p)
{
    if (p[0] != '<' || p[1] != '0' || p[2] != 'x')
        return -1;
    int hi = hex_digit(p[3]); /* a NUL is no digit: nothing past it is read */
    int lo = hi < 0 ? -1 : hex_digit(p[4]);
    if (lo < 0 || p[5] != '>' || p[6] != '\0')
        return -1;
    return hi * 16 + lo;
}

/* run.c safe_printf(): single bytes print only if isprint or isspace in the C locale. */
static bool printable(const char *p)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '\0')
        return false;
    if (p[1] != '\0')
        return true;
    return (c >= 0x20 && c <= 0x7e) || c == ' ' || (c >= '\t' && c <= '\r');
}

const char *llm_decode(const struct llm_tokenizer *t, int32_t prev, int32_t token)
{
    if (token < 0 || token >= t->vocab_size)
        return "";
    const char *piece = t->vocab[token];
    if (prev == LLM_TOKEN_BOS && piece[0] == ' ')
        piece++;
    int byte = raw_byte(piece);
    if (byte >= 0)
        piece = &t->byte_pieces[byte * 2];
    return printable(piece) ? piece : "";
}
