/* Hostile test module: returns the right answer having changed everything the caller might
 * rely on: the callee-saved registers (EBX, ESI, EDI, EBP) set to a kernel address, DS and
 * ES loaded with the null selector, the direction flag set, and the x87 control word
 * unmasking every exception with round-toward-zero. The runner restores its own state on
 * the way back, so the call succeeds and the suite goes on. Naked, so that nothing the
 * compiler adds puts the registers back. */
#include <fluid_module.h>

#define KERNEL_HEADER_ADDR  0x100000    /* where a store through a clobbered EBX would land */
#define X87_CW_UNMASKED_TRUNCATE 0x0C40 /* exception masks clear, RC = toward zero */

FLUID_MODULE_VERSION(1);
FLUID_EXPECT_OUTCOME(ok);
FLUID_EXPECT(0x00C10BB3, 0);
#define CLOBBER_ANSWER      0x00C10BB3

__attribute__((naked)) uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    __asm__ volatile("pushl $%c0\n\t"
                     "fldcw (%%esp)\n\t"
                     "addl $4, %%esp\n\t"
                     "movl $%c1, %%ebx\n\t"
                     "movl $%c1, %%esi\n\t"
                     "movl $%c1, %%edi\n\t"
                     "movl $%c1, %%ebp\n\t"
                     "xorl %%ecx, %%ecx\n\t"
                     "movw %%cx, %%es\n\t"
                     "movw %%cx, %%ds\n\t"
                     "std\n\t"
                     "movl $%c2, %%eax\n\t"
                     "ret"
                     : : "i"(X87_CW_UNMASKED_TRUNCATE), "i"(KERNEL_HEADER_ADDR),
                         "i"(CLOBBER_ANSWER));
}
