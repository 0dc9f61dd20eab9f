/* Hostile test module: a software INT to the timer's vector (0x20), which would run the tick
 * handler on the module's terms. The gate's DPL is 0: #GP (vector 13) in ring 3 (SDM vol. 3A
 * §6.12.1.1). */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("int $0x20" ::: "memory");
    return 0;
}
