/* Hostile test module: sets bit 0 of system control port A (0x92), a fast reset of the
 * machine. Port I/O from ring 3: the IN already raises #GP (vector 13). */
#include <fluid_module.h>

#define SYSTEM_CONTROL_A  0x92
#define FAST_RESET        0x01

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint8_t v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(SYSTEM_CONTROL_A));
    __asm__ volatile("outb %b0, %w1" : : "a"(v | FAST_RESET), "Nd"(SYSTEM_CONTROL_A));
    return 0;
}
