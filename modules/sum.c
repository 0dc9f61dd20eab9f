/* sum: streaming reduction over 128 KiB: fills 32768 words from the LCG, then sums them
 * plainly and weighted by position (both mod 2^32). Memory-bound; loads the compiler cannot
 * fold into a closed form. Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define SUM_N     32768
#define SUM_SEED  1u

/* FUSE: 1 = the plain and the weighted sum in one pass over the words (integer sums mod 2^32:
 * the same values either way). */
#ifndef FUSE
#define FUSE 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0xdc0d4000, 0);
FLUID_PARAM(FUSE, 0, 0, 1);

static uint32_t words[SUM_N];   /* (SUM_N) LCG outputs, in .bss */

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t state = SUM_SEED, plain = 0, weighted = 0;
    for (uint32_t i = 0; i < SUM_N; i++)
        words[i] = fluid_lcg(&state);
#if FUSE
    for (uint32_t i = 0; i < SUM_N; i++)
        plain += words[i], weighted += words[i] * (i + 1);
#else
    for (uint32_t i = 0; i < SUM_N; i++)
        plain += words[i];
    for (uint32_t i = 0; i < SUM_N; i++)
        weighted += words[i] * (i + 1);
#endif
    return plain ^ weighted;
}
