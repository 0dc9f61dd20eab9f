/* Hostile test module: CLI then HLT, a machine stopped for good in ring 0. In ring 3 the CLI
 * already raises #GP (vector 13), and HLT would too (SDM vol. 2A, HLT: privileged). */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("cli\n\thlt" ::: "memory");
    return 0;
}
