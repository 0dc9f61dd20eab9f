/* Hostile test module: loads an IDT of limit 0, so the next interrupt would triple-fault
 * and reset the machine. LIDT is privileged: #GP (vector 13) in ring 3 (SDM vol. 2A, LIDT). */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) empty;
    __asm__ volatile("lidt %0" : : "m"(empty));
    return 0;
}
