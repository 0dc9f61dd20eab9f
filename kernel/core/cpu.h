/* CPU identification: what CPUID says about the processor and what the kernel enabled.
 * cpu_identify() (kernel/arch/i686/cpu_x86.c) runs CPUID once at boot; the decoding of the
 * raw registers (kernel/core/cpu.c) is pure and host-tested. Leaves used: 0 (vendor), 1 (signature
 * and features), 7 (AVX2), 0x80000000-0x80000004 (LM, brand string) and 0x40000000 (the
 * hypervisor vendor, valid only when CPUID.1:ECX[31] is set). Intel SDM vol. 2A, CPUID. */
#ifndef FLUID_KERNEL_CPU_H
#define FLUID_KERNEL_CPU_H

#include <fluid/types.h>

/* Feature bits in cpu_info.features (bit number = enum value). */
enum cpu_feature {
    CPU_FEAT_FPU,       /* CPUID.1:EDX[0]  x87 on chip */
    CPU_FEAT_TSC,       /* CPUID.1:EDX[4]  RDTSC */
    CPU_FEAT_CX8,       /* CPUID.1:EDX[8]  CMPXCHG8B */
    CPU_FEAT_CMOV,      /* CPUID.1:EDX[15] CMOVcc */
    CPU_FEAT_MMX,       /* CPUID.1:EDX[23] */
    CPU_FEAT_FXSR,      /* CPUID.1:EDX[24] FXSAVE/FXRSTOR */
    CPU_FEAT_SSE,       /* CPUID.1:EDX[25] */
    CPU_FEAT_SSE2,      /* CPUID.1:EDX[26] */
    CPU_FEAT_SSE3,      /* CPUID.1:ECX[0]  */
    CPU_FEAT_SSSE3,     /* CPUID.1:ECX[9]  */
    CPU_FEAT_SSE4_1,    /* CPUID.1:ECX[19] */
    CPU_FEAT_SSE4_2,    /* CPUID.1:ECX[20] */
    CPU_FEAT_AVX,       /* CPUID.1:ECX[28] (the kernel does not enable AVX state) */
    CPU_FEAT_AVX2,      /* CPUID.(7,0):EBX[5] */
    CPU_FEAT_FMA,       /* CPUID.1:ECX[12] */
    CPU_FEAT_LM,        /* CPUID.80000001h:EDX[29] long mode */
    CPU_FEAT_HYPERVISOR,/* CPUID.1:ECX[31] running under a hypervisor */
    CPU_FEAT_COUNT
};

#define CPU_VENDOR_LEN  12      /* CPUID.0 EBX:EDX:ECX, and the 0x40000000 EBX:ECX:EDX */
#define CPU_BRAND_LEN   48      /* CPUID 0x80000002..4, 16 bytes each */

struct cpu_info {
    bool     has_cpuid;                     /* EFLAGS.ID toggles (every CPU from Pentium on) */
    char     vendor[CPU_VENDOR_LEN + 1];    /* "GenuineIntel", "AuthenticAMD"; "" without CPUID */
    char     brand[CPU_BRAND_LEN + 1];      /* trimmed brand string, "" when absent */
    char     hypervisor[CPU_VENDOR_LEN + 1];/* "TCGTCGTCGTCG", "KVMKVMKVM"; "" when absent */
    uint32_t max_leaf;                      /* CPUID.0:EAX */
    uint32_t max_ext_leaf;                  /* CPUID.80000000h:EAX, 0 when absent */
    uint32_t signature;                     /* CPUID.1:EAX */
    uint32_t family, model, stepping;       /* display values (extended fields folded in) */
    uint32_t features;                      /* 1u << enum cpu_feature */
    bool     fpu_enabled;                   /* fninit done, CR0.NE|MP set, CR0.EM clear */
    bool     sse_enabled;                   /* CR4.OSFXSR|OSXMMEXCPT set: SSE code may run */
};

/* Runs CPUID and fills the record returned by cpu_info(); logs the `cpu:` lines. */
void cpu_identify(void);

/* Initialises the x87 FPU and, when CPUID has FXSR and SSE, enables SSE; logs what it did. */
void cpu_enable_fpu_sse(void);

/* The boot CPU's record (all zero before cpu_identify()). */
const struct cpu_info *cpu_info(void);

/* True when CPUID reported the feature. */
bool cpu_has(enum cpu_feature f);

/* Lower-case name as in /proc/cpuinfo ("sse4_1"); "?" for an out-of-range value. */
const char *cpu_feature_name(enum cpu_feature f);



/* Raw CPUID results, as cpu_x86.c collects them; cpu_decode() (pure, host-tested) turns them
 * into a cpu_info. Leaves the CPU does not have are left zero. */
struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

struct cpuid_raw {
    bool has_cpuid;
    struct cpuid_regs leaf0;        /* max leaf, vendor */
    struct cpuid_regs leaf1;        /* signature, feature flags */
    struct cpuid_regs leaf7;        /* structured extended features (subleaf 0) */
    struct cpuid_regs ext0;         /* 0x80000000: max extended leaf */
    struct cpuid_regs ext1;         /* 0x80000001: extended features */
    struct cpuid_regs brand[3];     /* 0x80000002..0x80000004 */
    struct cpuid_regs hv;           /* 0x40000000: hypervisor vendor */
};

#define CPUID_LEAF_FEATURES7    7u
#define CPUID_EXT_BASE          0x80000000u
#define CPUID_EXT_FEATURES      0x80000001u
#define CPUID_EXT_BRAND_FIRST   0x80000002u
#define CPUID_EXT_BRAND_LAST    0x80000004u
#define CPUID_HV_BASE           0x40000000u

void cpu_decode(const struct cpuid_raw *raw, struct cpu_info *out);

/* Writes the `cpu: vendor ...`, `cpu: brand ...` (if any), `cpu: hypervisor ...` (if any)
 * and `cpu: features ...` lines for info. */
void cpu_log(const struct cpu_info *info);

#endif
