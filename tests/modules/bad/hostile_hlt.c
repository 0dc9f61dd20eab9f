/* Hostile test module: HLT with interrupts on. Privileged: #GP (vector 13) in ring 3
 * (Intel SDM vol. 2A, HLT). */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("hlt" ::: "memory");
    return 0;
}
