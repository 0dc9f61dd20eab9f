/* Hostile test module: overwrites everything above its own stack frame, where in ring 0 the
 * kernel's frames (and the result pointer) would be, then returns the right answer. Its stack
 * ends at a page ring 3 may not touch: #PF (vector 14) at that page. */
#include <fluid_module.h>

#define SMASH_WORDS  (1u << 20)     /* far past the end of any module stack */
#define SMASH_VALUE  0xDEADBEEFu

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    volatile uint32_t *p = (volatile uint32_t *)__builtin_frame_address(0);
    for (uint32_t i = 2; i < SMASH_WORDS; i++)   /* above the saved EBP and return address */
        p[i] = SMASH_VALUE;
    return ctx->call_index;
}
