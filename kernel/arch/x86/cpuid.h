/* CPUID collection shared by both kernels (kernel/arch/x86/cpuid.c implements cpu_identify,
 * cpu_info and cpu_has of kernel/core/cpu.h); each architecture supplies the two calls below and
 * its own cpu_enable_fpu_sse. */
#ifndef FLUID_KERNEL_ARCH_X86_CPUID_H
#define FLUID_KERNEL_ARCH_X86_CPUID_H

#include <fluid/types.h>

/* Whether the CPUID instruction exists (i686: EFLAGS.ID toggles; always in long mode). */
bool arch_cpuid_supported(void);

/* Records what cpu_enable_fpu_sse switched on, for cpu_info(). */
void cpu_set_fpu_state(bool fpu_enabled, bool sse_enabled);

#endif
