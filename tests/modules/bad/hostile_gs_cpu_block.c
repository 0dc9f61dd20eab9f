/* Hostile test module: loads GS with the i686 kernel's per-CPU block selector (SEL_CPU_LOCAL
 * in kernel/arch/i686/x86.h, GDT entry 9) and reads the block through it. The descriptor has
 * DPL 0, so the load itself raises #GP (vector 13) in ring 3: a data segment is loadable only
 * when its DPL is at least both CPL and the selector's RPL (SDM vol. 3A §5.6). Linux's GDT
 * has a half of its TSS descriptor there, which no segment register takes either. */
#include <fluid_module.h>

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(fault);

#define SEL_CPU_LOCAL_INDEX 9u      /* tests/modules/hostile.py checks it against the layout */
#define SELECTOR_RPL3       3u

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t selector = SEL_CPU_LOCAL_INDEX << 3 | SELECTOR_RPL3, first_word;
    __asm__ volatile("mov %w1, %%gs\n\t"
                     "movl %%gs:0, %0"
                     : "=r"(first_word) : "r"(selector) : "memory");
    return first_word;
}
