/* The output side shared by the kernel/llm fuzz targets (fuzz_llm_*.c): an llm_io whose
 * writer holds the engine to llm.h's promise about diagnostics - one line of at most
 * LLM_DIAG_PROMISE bytes ending in its only newline - and counts them, so a target can demand
 * that every failure said why. Text output is dropped. A broken promise aborts, which
 * libFuzzer reports as a crash. */
#ifndef FLUID_TESTS_FUZZ_LLM_IO_H
#define FLUID_TESTS_FUZZ_LLM_IO_H

#include <stdlib.h>
#include <string.h>

#include "kernel/llm/llm.h"

#define LLM_DIAG_PROMISE    255     /* llm.h llm_diag: at most 255 bytes with its newline */

static unsigned fuzz_diag_lines;

static void fuzz_expect(int cond)
{
    if (!cond)
        abort();
}

static void fuzz_llm_write(void *ctx, enum llm_channel ch, const char *s, size_t n)
{
    (void)ctx;
    if (ch != LLM_OUT_DIAG)
        return;
    fuzz_expect(n > 0 && n <= LLM_DIAG_PROMISE && strlen(s) == n);
    fuzz_expect(memchr(s, '\n', n) == s + n - 1);
    fuzz_diag_lines++;
}

static const struct llm_io fuzz_llm_io = { fuzz_llm_write, NULL };

/* A call's result: a value of the enum, and a failure that logged at least one line. */
static void fuzz_expect_result(enum llm_err err, unsigned lines_before)
{
    fuzz_expect(strcmp(llm_strerror(err), "unknown llm error") != 0);
    fuzz_expect(err == LLM_OK || fuzz_diag_lines > lines_before);
}

#endif
