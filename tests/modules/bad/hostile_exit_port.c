/* Hostile test module: writes to QEMU's isa-debug-exit port, which would end the run with a
 * status of its choosing and no profile. Port I/O from ring 3: #GP (vector 13). */
#include <fluid_module.h>

#define DEBUG_EXIT_PORT 0xF4
#define FAKE_SUCCESS    0

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    __asm__ volatile("outl %0, %w1" : : "a"(FAKE_SUCCESS), "Nd"(DEBUG_EXIT_PORT));
    return 0;
}
