/* Test module: loads DS with a selector far past the end of any GDT, #GP (vector 13,
 * Intel SDM vol. 3A §6.15 "Interrupt 13"). The fault happens on the load, so DS never
 * changes. */
#include <fluid_module.h>

#define BAD_SELECTOR 0xFFF8u

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("movw %w0, %%ds" : : "r"(BAD_SELECTOR) : "memory");
    return 0;
}
