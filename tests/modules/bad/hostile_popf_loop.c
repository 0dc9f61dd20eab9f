/* Hostile test module: clears IF with POPF and spins. In ring 3 with IOPL 0, POPF leaves IF
 * unchanged without a fault (SDM vol. 2B, POPF), so the timer still stops it: a timeout. */
#include <fluid_module.h>

#define EFLAGS_IF (1u << 9)

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(timeout);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("pushfl\n\t"
                     "andl %0, (%%esp)\n\t"
                     "popfl\n"
                     "1: jmp 1b" : : "i"(~EFLAGS_IF) : "memory", "cc");
    return 0;
}
