/* Test module: never returns; the PIT watchdog (guard_call's budget) must stop it. */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(timeout);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    uint32_t n = ctx->call_index;
    for (;;)
        FLUID_KEEP(n++);
}
