/* Hostile test module: finds the IDT with SIDT (not privileged without CR4.UMIP) and zeroes
 * its first gate. The IDT is in supervisor pages: the write raises #PF (vector 14) with the
 * IDT's address in CR2. */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    volatile uint32_t *gate = (volatile uint32_t *)(uintptr_t)idtr.base;
    gate[0] = 0;
    gate[1] = 0;
    return 0;
}
