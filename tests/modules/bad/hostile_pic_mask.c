/* Hostile test module: masks every line of the master PIC (port 0x21, the timer's IRQ 0
 * included), which would silence the watchdog. Port I/O from ring 3 with IOPL 0 and no I/O
 * bitmap raises #GP (vector 13; SDM vol. 1 §19.5). */
#include <fluid_module.h>

#define PIC_MASTER_DATA 0x21
#define ALL_LINES_MASKED 0xFF

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("outb %b0, %w1" : : "a"(ALL_LINES_MASKED), "Nd"(PIC_MASTER_DATA));
    return 0;
}
