/* libFuzzer target for the llama2.c tokenizer reader (kernel/llm/llm_tokenizer.c). Input:
 *     int32 vocab_size (as a model header would give it, any value), u8 text length n,
 *     n bytes of prompt text, then the tokenizer.bin bytes to load.
 * The file part is loaded from an exactly sized heap block (ASan reports reads past it) into
 * an arena whose unused tail is poisoned once loading is done, so encode and decode cannot
 * read past what the loader allocated. If the file loads, the text (cut at a NUL) is encoded
 * with BOS and EOS into a token array of llm.h's promised size, strlen(text) + 3, and every
 * token it gives is decoded; every id from -1 to vocab_size is decoded as well.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/llm.mk). */
#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/llm/llm_impl.h"
#include "tests/kernel/llm/fuzz_llm_io.h"

#define FUZZ_ARENA_BYTES    (8u << 20)  /* the Llama 2 tokenizer needs about 1 MiB */
#define FUZZ_PREFIX_BYTES   5           /* int32 vocab_size, u8 text length */
#define FUZZ_TEXT_MAX       255         /* the length byte's range */
#define ENCODE_EXTRA_TOKENS 3           /* llm.h llm_encode: strlen(text) + 3 suffices */

static uint8_t arena_mem[FUZZ_ARENA_BYTES];

/* What a loaded tokenizer promises: every piece a C string no longer than
 * max_token_length, and `sorted` a permutation of the ids. */
static void check_loaded(const struct llm_tokenizer *t, int32_t vocab_size)
{
    fuzz_expect(t->vocab_size == vocab_size);
    for (int32_t i = 0; i < vocab_size; i++) {
        fuzz_expect(strlen(t->vocab[i]) <= t->max_token_length);
        fuzz_expect(t->sorted[i] >= 0 && t->sorted[i] < vocab_size);
    }
}

static void encode_and_decode(const struct llm_tokenizer *t, const char *text)
{
    size_t cap = strlen(text) + ENCODE_EXTRA_TOKENS;
    int32_t *ids = malloc(cap * sizeof *ids);   /* exactly the promised size */
    int32_t n = -1;
    unsigned lines = fuzz_diag_lines;
    enum llm_err err = llm_encode(t, text, true, true, ids, (int32_t)cap, &n, &fuzz_llm_io);
    fuzz_expect_result(err, lines);
    fuzz_expect(n >= 0 && (size_t)n <= cap);
    fuzz_expect(err == LLM_OK || err == LLM_E_ENCODE);  /* the capacity always suffices */
    for (int32_t i = 0; err == LLM_OK && i < n; i++) {
        fuzz_expect(ids[i] >= 0 && ids[i] < t->vocab_size);
        (void)strlen(llm_decode(t, i ? ids[i - 1] : LLM_TOKEN_BOS, ids[i]));
    }
    free(ids);
    for (int32_t id = -1; id <= t->vocab_size; id++)
        (void)strlen(llm_decode(t, LLM_TOKEN_BOS, id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < FUZZ_PREFIX_BYTES)
        return 0;
    int32_t vocab_size = llm_ld32s(data);
    size_t text_len = data[4];
    if (size - FUZZ_PREFIX_BYTES < text_len)
        return 0;
    char text[FUZZ_TEXT_MAX + 1];
    memcpy(text, data + FUZZ_PREFIX_BYTES, text_len);
    text[text_len] = '\0';
    size_t len = size - FUZZ_PREFIX_BYTES - text_len;
    uint8_t *file = malloc(len ? len : 1);
    if (len)
        memcpy(file, data + FUZZ_PREFIX_BYTES + text_len, len);

    struct llm_arena arena;
    struct llm_tokenizer t;
    ASAN_UNPOISON_MEMORY_REGION(arena_mem, sizeof arena_mem);
    llm_arena_init(&arena, arena_mem, sizeof arena_mem);
    unsigned lines = fuzz_diag_lines;
    enum llm_err err = llm_tokenizer_load(&t, file, len, vocab_size, &arena, &fuzz_llm_io);
    fuzz_expect_result(err, lines);
    if (err == LLM_OK) {
        ASAN_POISON_MEMORY_REGION(arena_mem + arena.used, sizeof arena_mem - arena.used);
        check_loaded(&t, vocab_size);
        encode_and_decode(&t, text);
    }
    free(file);
    return 0;
}
