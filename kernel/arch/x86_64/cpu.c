/* CPUID on x86-64 (always present in long mode) and what entry.asm enabled before C ran:
 * x87 and SSE (CR0/CR4, every x86-64 CPU has them) and, with XSAVE, the AVX/AVX-512 state
 * components in XCR0 (Intel SDM vol. 1 §13.3, vol. 3A §2.5-2.6). The decoding of the raw
 * registers is kernel/cpu.c, shared with the i686 kernel. */
#include "../../cpu.h"
#include "../../log.h"
#include "../../tsc.h"
#include "x86_64.h"

#define CR4_OSFXSR          (1ull << 9)
#define CR4_OSXMMEXCPT      (1ull << 10)
#define CR4_OSXSAVE         (1ull << 18)
#define XCR0_AVX            (1ull << 2)
#define XCR0_AVX512         (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */

static struct cpu_info boot_cpu;

static void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    __asm__ volatile("cpuid"
                     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
                     : "a"(leaf), "c"(subleaf));
}

static void cpuid_collect(struct cpuid_raw *raw)
{
    *raw = (struct cpuid_raw){0};
    raw->has_cpuid = true;
    cpuid(0, 0, &raw->leaf0);
    if (raw->leaf0.eax >= 1)
        cpuid(1, 0, &raw->leaf1);
    if (raw->leaf0.eax >= CPUID_LEAF_FEATURES7)
        cpuid(CPUID_LEAF_FEATURES7, 0, &raw->leaf7);
    cpuid(CPUID_EXT_BASE, 0, &raw->ext0);
    bool ext_valid = (raw->ext0.eax & 0xFFFF0000u) == CPUID_EXT_BASE;
    if (ext_valid && raw->ext0.eax >= CPUID_EXT_FEATURES)
        cpuid(CPUID_EXT_FEATURES, 0, &raw->ext1);
    if (ext_valid && raw->ext0.eax >= CPUID_EXT_BRAND_LAST)
        for (uint32_t i = 0; i < 3; i++)
            cpuid(CPUID_EXT_BRAND_FIRST + i, 0, &raw->brand[i]);
    if (raw->leaf1.ecx & (1u << 31))        /* CPUID.1:ECX[31]: hypervisor present */
        cpuid(CPUID_HV_BASE, 0, &raw->hv);
}

void cpu_identify(void)
{
    struct cpuid_raw raw;
    cpuid_collect(&raw);
    cpu_decode(&raw, &boot_cpu);
    tsc_have_lfence = true;                 /* SSE2, hence LFENCE, is part of x86-64 */
    cpu_log(&boot_cpu);
}

const struct cpu_info *cpu_info(void)
{
    return &boot_cpu;
}

bool cpu_has(enum cpu_feature f)
{
    return (unsigned)f < CPU_FEAT_COUNT && (boot_cpu.features & (1u << f));
}

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* Records and logs what entry.asm set up; changes nothing. */
void cpu_enable_fpu_sse(void)
{
    uint64_t cr4 = read_cr4();
    boot_cpu.fpu_enabled = true;
    boot_cpu.sse_enabled = (cr4 & (CR4_OSFXSR | CR4_OSXMMEXCPT)) ==
                           (CR4_OSFXSR | CR4_OSXMMEXCPT);
    if (!(cr4 & CR4_OSXSAVE)) {
        kprintf("fpu: x87 and SSE on (entry.asm); no XSAVE: no AVX state\n");
        return;
    }
    uint64_t xcr0 = read_xcr0();
    kprintf("fpu: x87 and SSE on (entry.asm); XCR0 0x%llx: AVX state %s, AVX-512 state %s\n",
            (unsigned long long)xcr0, (xcr0 & XCR0_AVX) ? "on" : "off",
            (xcr0 & XCR0_AVX512) == XCR0_AVX512 ? "on" : "off");
}
