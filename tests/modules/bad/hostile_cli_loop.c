/* Hostile test module: turns interrupts off and spins, which in ring 0 would starve the timer
 * the watchdog needs. In ring 3 with IOPL 0, CLI raises #GP (vector 13; Intel SDM vol. 2A,
 * CLI: "#GP(0) if CPL is greater than IOPL"). */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("cli\n1: jmp 1b" ::: "memory");
    return 0;
}
