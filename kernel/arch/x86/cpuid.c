/* CPUID for both kernels (contract in cpuid.h and kernel/core/cpu.h): collects the leaves
 * cpu_decode() (kernel/core/cpu.c) needs, keeps the decoded result, and sets the TSC read's
 * serialisation (LFENCE where SSE2 has it, Intel SDM vol. 2B RDTSC). */
#include "kernel/core/cpu.h"
#include "kernel/core/tsc.h"
#include "kernel/arch/x86/cpuid.h"

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
    raw->has_cpuid = arch_cpuid_supported();
    if (!raw->has_cpuid)
        return;
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
    tsc_have_lfence = cpu_has(CPU_FEAT_SSE2);
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

void cpu_set_fpu_state(bool fpu_enabled, bool sse_enabled)
{
    boot_cpu.fpu_enabled = fpu_enabled;
    boot_cpu.sse_enabled = sse_enabled;
}
