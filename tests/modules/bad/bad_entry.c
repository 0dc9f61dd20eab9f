/* Test module: a valid build that tools/mkmod.py damages on purpose (FLUID_CORRUPT(entry)),
 * so the loader must reject it with a reason and the suite must go on. */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(rejected);
FLUID_CORRUPT(entry);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    return ctx->call_index;
}
