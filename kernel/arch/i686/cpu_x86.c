/* The i686 side of CPU setup: whether CPUID exists (EFLAGS.ID; the leaves are read by
 * kernel/arch/x86/cpuid.c) and the x87/SSE enable sequence: CR0.EM and TS cleared, MP and NE set, FNINIT; with FXSR and
 * SSE, CR4.OSFXSR|OSXMMEXCPT and MXCSR at its reset value (Intel SDM vol. 3A §9.2.1-9.2.2,
 * §13.1). The kernel itself is compiled without SSE; enabling it is for modules. */
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/arch/x86/cpuid.h"
#include "kernel/arch/i686/x86.h"

/* CPUID exists iff software can toggle EFLAGS.ID (Intel SDM vol. 2A, CPUID: "the ID flag (bit 21) in EFLAGS"). */
bool arch_cpuid_supported(void)
{
    uint32_t before, after;
    __asm__ volatile(
        "pushfl\n\t"
        "popl %0\n\t"
        "movl %0, %1\n\t"
        "xorl %2, %1\n\t"
        "pushl %1\n\t"
        "popfl\n\t"
        "pushfl\n\t"
        "popl %1\n\t"
        "pushl %0\n\t"
        "popfl"
        : "=&r"(before), "=&r"(after) : "i"(EFLAGS_ID) : "cc");
    return (before ^ after) & EFLAGS_ID;
}

void fpu_reset(void)
{
    /* A task switch (the #DF task and back) sets CR0.TS; FNINIT would then raise #NM. */
    __asm__ volatile("clts\n\tfninit");
    if (cpu_info()->sse_enabled) {
        uint32_t mxcsr = MXCSR_DEFAULT;
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    }
}

void cpu_enable_fpu_sse(void)
{
    if (cpu_info()->has_cpuid && !cpu_has(CPU_FEAT_FPU)) {
        kprintf("fpu: CPUID reports no x87 FPU: floating point disabled\n");
        return;
    }
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    bool sse = cpu_has(CPU_FEAT_FXSR) && cpu_has(CPU_FEAT_SSE);
    if (sse)
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    cpu_set_fpu_state(true, sse);
    fpu_reset();
    if (sse)
        kprintf("fpu: x87 on (fninit, CR0.NE|MP); SSE enabled (CR4.OSFXSR|OSXMMEXCPT)\n");
    else
        kprintf("fpu: x87 on (fninit, CR0.NE|MP); no SSE (CPUID lacks FXSR or SSE)\n");
}
