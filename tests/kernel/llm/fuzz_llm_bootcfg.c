/* libFuzzer target for the boot configuration parser (kernel/llm/llm_bootcfg.c). The input
 * is the configuration file's bytes, handed over without a terminating NUL in an exactly
 * sized heap block (ASan reports any read past its length). Parsed over the defaults, the
 * result must keep the promises of llm.h whatever the text: names and prompt NUL-terminated
 * inside their arrays, names never empty, steps never negative, temperature and top-p finite
 * and not negative, top-p at most 1; a rejection names its line.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/llm.mk). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/kernel/llm/fuzz_llm_io.h"

static void check_config(const struct llm_bootcfg *c)
{
    fuzz_expect(memchr(c->model, '\0', sizeof c->model) != NULL && c->model[0] != '\0');
    fuzz_expect(memchr(c->tokenizer, '\0', sizeof c->tokenizer) != NULL &&
                c->tokenizer[0] != '\0');
    fuzz_expect(memchr(c->prompt, '\0', sizeof c->prompt) != NULL);
    fuzz_expect(c->steps >= 0);
    fuzz_expect(isfinite(c->temperature) && c->temperature >= 0.0f);
    fuzz_expect(isfinite(c->topp) && c->topp >= 0.0f && c->topp <= 1.0f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    struct llm_bootcfg cfg;
    if (size)
        memcpy(text, data, size);
    llm_bootcfg_defaults(&cfg);
    unsigned lines = fuzz_diag_lines;
    enum llm_err err = llm_bootcfg_parse(&cfg, text, size, &fuzz_llm_io);
    fuzz_expect_result(err, lines);
    fuzz_expect(err == LLM_OK || err == LLM_E_CONFIG);
    check_config(&cfg);     /* a rejected file leaves what it parsed before the bad line */
    free(text);
    return 0;
}
