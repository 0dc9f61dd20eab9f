/* CPUID collection shared by both kernels (kernel/arch/x86/cpuid.c implements cpu_identify,
 * cpu_info and cpu_has of kernel/core/cpu.h); each architecture supplies the two calls below and
 * its own cpu_enable_fpu_sse. read_xcr0 serves the x86-64 kernel and the llm engine's SIMD
 * kernel choice (kernel/llm/llm_kernels_x86.c, also built for Linux). */
#ifndef FLUID_KERNEL_ARCH_X86_CPUID_H
#define FLUID_KERNEL_ARCH_X86_CPUID_H

#include <fluid/types.h>

/* Whether the CPUID instruction exists (i686: EFLAGS.ID toggles; always in long mode). */
bool arch_cpuid_supported(void);

/* Records what cpu_enable_fpu_sse switched on, for cpu_info(). */
void cpu_set_fpu_state(bool fpu_enabled, bool sse_enabled);

/* XCR0: the register state components the OS enabled for XSAVE (XGETBV with ECX = 0, Intel
 * SDM vol. 1 §13.3). Only call it when CPUID.1:ECX.OSXSAVE[bit 27] is set (#UD otherwise). */
static inline uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

#endif
