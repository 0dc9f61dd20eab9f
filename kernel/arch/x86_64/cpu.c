/* The x86-64 side of CPU setup (the CPUID leaves are read by kernel/arch/x86/cpuid.c): what
 * entry.asm enabled before C ran:
 * x87 and SSE (CR0/CR4, every x86-64 CPU has them) and, with XSAVE, the AVX/AVX-512 state
 * components in XCR0 (Intel SDM vol. 1 §13.3, vol. 3A §2.5-2.6). The decoding of the raw
 * registers is kernel/core/cpu.c, shared with the i686 kernel. */
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/arch/x86/cpuid.h"
#include "kernel/arch/x86_64/x86_64.h"

#define CR4_OSFXSR          (1ull << 9)
#define CR4_OSXMMEXCPT      (1ull << 10)
#define CR4_OSXSAVE         (1ull << 18)
#define XCR0_AVX            (1ull << 2)
#define XCR0_AVX512         (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */

/* CPUID is part of every x86-64 CPU. */
bool arch_cpuid_supported(void)
{
    return true;
}

/* Records and logs what entry.asm set up; changes nothing. */
void cpu_enable_fpu_sse(void)
{
    uint64_t cr4 = read_cr4();
    cpu_set_fpu_state(true, (cr4 & (CR4_OSFXSR | CR4_OSXMMEXCPT)) ==
                                (CR4_OSFXSR | CR4_OSXMMEXCPT));
    if (!(cr4 & CR4_OSXSAVE)) {
        kprintf("fpu: x87 and SSE on (entry.asm); no XSAVE: no AVX state\n");
        return;
    }
    uint64_t xcr0 = read_xcr0();
    kprintf("fpu: x87 and SSE on (entry.asm); XCR0 0x%llx: AVX state %s, AVX-512 state %s\n",
            (unsigned long long)xcr0, (xcr0 & XCR0_AVX) ? "on" : "off",
            (xcr0 & XCR0_AVX512) == XCR0_AVX512 ? "on" : "off");
}
