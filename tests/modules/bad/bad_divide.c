/* Test module: integer division by zero, #DE (vector 0). The divisor comes from the context
 * so the compiler cannot fold or remove the division. Runs only with `test=bad-modules`. */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    volatile uint32_t zero = ctx->call_index & 0;
    return 100u / zero;
}
