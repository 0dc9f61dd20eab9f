/* Test module for the adaptive runtime (docs/adaptive.md): a correct, cheap module (a few
 * hundred instructions a call) so that the planner's tests reach 10,000 calls in a short
 * boot. Sums the squares of 0..63 through memory, so an -O0 build is several times slower
 * than an -O2 one: variants with a real difference in speed. */
#include <fluid_module.h>

#define PROBE_N      64

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(ok);
FLUID_EXPECT(85344, 0);        /* sum of i*i for i < 64: 63 * 64 * 127 / 6 */

static volatile uint32_t squares[PROBE_N];     /* (PROBE_N) in .bss; volatile: not folded */

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < PROBE_N; i++)
        squares[i] = i * i;
    for (uint32_t i = 0; i < PROBE_N; i++)
        sum += squares[i];
    return sum;
}
