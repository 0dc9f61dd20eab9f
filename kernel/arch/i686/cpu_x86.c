/* CPUID on i686 (existence test through EFLAGS.ID, then the leaves cpu_decode() needs) and
 * the x87/SSE enable sequence: CR0.EM and TS cleared, MP and NE set, FNINIT; with FXSR and
 * SSE, CR4.OSFXSR|OSXMMEXCPT and MXCSR at its reset value (Intel SDM vol. 3A §9.2.1-9.2.2,
 * §13.1). The kernel itself is compiled without SSE; enabling it is for modules. */
#include "../../cpu.h"
#include "../../log.h"
#include "../../tsc.h"
#include "x86.h"

static struct cpu_info boot_cpu;

static void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    __asm__ volatile("cpuid"
                     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
                     : "a"(leaf), "c"(subleaf));
}

/* CPUID exists iff software can toggle EFLAGS.ID (Intel SDM vol. 2A, CPUID: "the ID flag (bit 21) in EFLAGS"). */
static bool cpuid_supported(void)
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

static void cpuid_collect(struct cpuid_raw *raw)
{
    *raw = (struct cpuid_raw){0};
    raw->has_cpuid = cpuid_supported();
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

void fpu_reset(void)
{
    /* A task switch (the #DF task and back) sets CR0.TS; FNINIT would then raise #NM. */
    __asm__ volatile("clts\n\tfninit");
    if (boot_cpu.sse_enabled) {
        uint32_t mxcsr = MXCSR_DEFAULT;
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    }
}

void cpu_enable_fpu_sse(void)
{
    if (boot_cpu.has_cpuid && !cpu_has(CPU_FEAT_FPU)) {
        kprintf("fpu: CPUID reports no x87 FPU: floating point disabled\n");
        return;
    }
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    boot_cpu.fpu_enabled = true;
    if (cpu_has(CPU_FEAT_FXSR) && cpu_has(CPU_FEAT_SSE)) {
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
        boot_cpu.sse_enabled = true;
    }
    fpu_reset();
    if (boot_cpu.sse_enabled)
        kprintf("fpu: x87 on (fninit, CR0.NE|MP); SSE enabled (CR4.OSFXSR|OSXMMEXCPT)\n");
    else
        kprintf("fpu: x87 on (fninit, CR0.NE|MP); no SSE (CPUID lacks FXSR or SSE)\n");
}
