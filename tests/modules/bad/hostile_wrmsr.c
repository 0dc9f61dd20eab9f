/* Hostile test module: writes an MSR (IA32_SYSENTER_EIP, 0x176). Privileged: #GP (vector
 * 13) in ring 3 (SDM vol. 2B, WRMSR). */
#include <fluid_module.h>

#define MSR_SYSENTER_EIP 0x176

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("wrmsr" : : "c"(MSR_SYSENTER_EIP), "a"(0), "d"(0));
    return 0;
}
