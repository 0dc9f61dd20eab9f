/* Hostile test module: searches the kernel image (from its load address, 1 MiB) for a value
 * to overwrite, as a module forging its own expected answer would. Kernel memory is
 * supervisor-only: the first read raises #PF (vector 14) with CR2 = 1 MiB. */
#include <fluid_module.h>

#define KERNEL_LOAD_ADDR  0x100000u     /* include/fluid/memlayout.h */
#define KERNEL_SEARCH_END 0x400000u
#define FORGED_ANSWER     0x1234u

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    for (uintptr_t a = KERNEL_LOAD_ADDR; a < KERNEL_SEARCH_END; a += sizeof(uint32_t)) {
        volatile uint32_t *p = (volatile uint32_t *)a;
        if (*p == FORGED_ANSWER)
            *p = FORGED_ANSWER + 1;
    }
    return FORGED_ANSWER;
}
