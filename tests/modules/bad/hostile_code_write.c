/* Hostile test module: patches its own code, as a module rewriting itself (or a later tier
 * generating code in place) would. Pages holding code are read-only to ring 3: #PF (vector
 * 14) at fluid_main's first byte. */
#include <fluid_module.h>

#define INT3_OPCODE 0xCC

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)fluid_main;
    *code = INT3_OPCODE;
    return ctx->call_index;
}
