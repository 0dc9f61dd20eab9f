/* Decoding of CPUID results into struct cpu_info, and the boot log lines. Pure (no CPUID
 * here: kernel/arch/i686/cpu_x86.c executes it), so tests/kernel/core/test_cpu.c feeds it the
 * registers of known CPUs. Bit positions: Intel SDM vol. 2A, CPUID, tables 3-8 to 3-10;
 * AMD64 APM vol. 3 for 0x80000001. */
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"

#define SIG_STEPPING(s)     ((s) & 0xF)
#define SIG_MODEL(s)        (((s) >> 4) & 0xF)
#define SIG_FAMILY(s)       (((s) >> 8) & 0xF)
#define SIG_EXT_MODEL(s)    (((s) >> 16) & 0xF)
#define SIG_EXT_FAMILY(s)   (((s) >> 20) & 0xFF)
#define FAMILY_P6           0x6
#define FAMILY_EXTENDED     0xF
#define EXT_LEAF_MASK       0xFFFF0000u

enum cpuid_reg { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

/* Where each feature bit lives: which leaf block, register and bit. */
enum feat_leaf { LEAF1, LEAF7, LEAF_EXT1 };
struct feat_bit {
    const char    *name;
    enum feat_leaf leaf;
    enum cpuid_reg reg;
    unsigned       bit;
};

static const struct feat_bit feat_bits[CPU_FEAT_COUNT] = {
    [CPU_FEAT_FPU]        = {"fpu", LEAF1, REG_EDX, 0},
    [CPU_FEAT_TSC]        = {"tsc", LEAF1, REG_EDX, 4},
    [CPU_FEAT_CX8]        = {"cx8", LEAF1, REG_EDX, 8},
    [CPU_FEAT_CMOV]       = {"cmov", LEAF1, REG_EDX, 15},
    [CPU_FEAT_MMX]        = {"mmx", LEAF1, REG_EDX, 23},
    [CPU_FEAT_FXSR]       = {"fxsr", LEAF1, REG_EDX, 24},
    [CPU_FEAT_SSE]        = {"sse", LEAF1, REG_EDX, 25},
    [CPU_FEAT_SSE2]       = {"sse2", LEAF1, REG_EDX, 26},
    [CPU_FEAT_SSE3]       = {"sse3", LEAF1, REG_ECX, 0},
    [CPU_FEAT_SSSE3]      = {"ssse3", LEAF1, REG_ECX, 9},
    [CPU_FEAT_SSE4_1]     = {"sse4_1", LEAF1, REG_ECX, 19},
    [CPU_FEAT_SSE4_2]     = {"sse4_2", LEAF1, REG_ECX, 20},
    [CPU_FEAT_AVX]        = {"avx", LEAF1, REG_ECX, 28},
    [CPU_FEAT_AVX2]       = {"avx2", LEAF7, REG_EBX, 5},
    [CPU_FEAT_FMA]        = {"fma", LEAF1, REG_ECX, 12},
    [CPU_FEAT_LM]         = {"lm", LEAF_EXT1, REG_EDX, 29},
    [CPU_FEAT_HYPERVISOR] = {"hypervisor", LEAF1, REG_ECX, 31},
};

static uint32_t reg_of(const struct cpuid_regs *r, enum cpuid_reg reg)
{
    switch (reg) {
    case REG_EAX: return r->eax;
    case REG_EBX: return r->ebx;
    case REG_ECX: return r->ecx;
    default:      return r->edx;
    }
}

static void copy_reg(char *dst, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        dst[i] = (char)(v >> (8 * i));
}

/* Three registers as 12 characters (NULs allowed inside: the string stops there). */
static void vendor_string(char out[CPU_VENDOR_LEN + 1], uint32_t a, uint32_t b, uint32_t c)
{
    copy_reg(out, a);
    copy_reg(out + 4, b);
    copy_reg(out + 8, c);
    out[CPU_VENDOR_LEN] = '\0';
}

static void brand_string(const struct cpuid_raw *raw, char out[CPU_BRAND_LEN + 1])
{
    char buf[CPU_BRAND_LEN + 1];
    for (int i = 0; i < 3; i++) {
        copy_reg(buf + 16 * i, raw->brand[i].eax);
        copy_reg(buf + 16 * i + 4, raw->brand[i].ebx);
        copy_reg(buf + 16 * i + 8, raw->brand[i].ecx);
        copy_reg(buf + 16 * i + 12, raw->brand[i].edx);
    }
    buf[CPU_BRAND_LEN] = '\0';
    const char *s = buf;
    while (*s == ' ')
        s++;                        /* Intel right-justifies some brand strings */
    size_t n = 0;
    while (s[n] && n < CPU_BRAND_LEN)
        n++;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++)
        out[i] = s[i];
    out[n] = '\0';
}

static uint32_t decode_features(const struct cpuid_raw *raw)
{
    uint32_t features = 0;
    for (int f = 0; f < CPU_FEAT_COUNT; f++) {
        const struct feat_bit *fb = &feat_bits[f];
        const struct cpuid_regs *r = fb->leaf == LEAF1 ? &raw->leaf1
                                   : fb->leaf == LEAF7 ? &raw->leaf7 : &raw->ext1;
        if (reg_of(r, fb->reg) & (1u << fb->bit))
            features |= 1u << f;
    }
    return features;
}

static void decode_signature(uint32_t sig, struct cpu_info *out)
{
    uint32_t family = SIG_FAMILY(sig), model = SIG_MODEL(sig);
    if (family == FAMILY_P6 || family == FAMILY_EXTENDED)
        model += SIG_EXT_MODEL(sig) << 4;
    if (family == FAMILY_EXTENDED)
        family += SIG_EXT_FAMILY(sig);
    out->signature = sig;
    out->family = family;
    out->model = model;
    out->stepping = SIG_STEPPING(sig);
}

void cpu_decode(const struct cpuid_raw *raw, struct cpu_info *out)
{
    *out = (struct cpu_info){0};
    out->has_cpuid = raw->has_cpuid;
    if (!raw->has_cpuid)
        return;
    out->max_leaf = raw->leaf0.eax;
    vendor_string(out->vendor, raw->leaf0.ebx, raw->leaf0.edx, raw->leaf0.ecx);
    decode_signature(raw->leaf1.eax, out);
    /* Old CPUs return garbage for unsupported extended leaves: accept 0x8000xxxx only. */
    if ((raw->ext0.eax & EXT_LEAF_MASK) == CPUID_EXT_BASE)
        out->max_ext_leaf = raw->ext0.eax;
    struct cpuid_raw r = *raw;
    if (out->max_leaf < CPUID_LEAF_FEATURES7)
        r.leaf7 = (struct cpuid_regs){0};
    if (out->max_ext_leaf < CPUID_EXT_FEATURES)
        r.ext1 = (struct cpuid_regs){0};
    out->features = decode_features(&r);
    if (out->max_ext_leaf >= CPUID_EXT_BRAND_LAST)
        brand_string(raw, out->brand);
    if (out->features & (1u << CPU_FEAT_HYPERVISOR))
        vendor_string(out->hypervisor, raw->hv.ebx, raw->hv.ecx, raw->hv.edx);
}

const char *cpu_feature_name(enum cpu_feature f)
{
    return (unsigned)f < CPU_FEAT_COUNT ? feat_bits[f].name : "?";
}

void cpu_log(const struct cpu_info *info)
{
    if (!info->has_cpuid) {
        kprintf("cpu: no CPUID (EFLAGS.ID is fixed): a pre-Pentium CPU\n");
        return;
    }
    kprintf("cpu: vendor %s family %u model %u stepping %u\n", info->vendor, info->family,
            info->model, info->stepping);
    if (info->brand[0])
        kprintf("cpu: brand %s\n", info->brand);
    if (info->hypervisor[0])
        kprintf("cpu: hypervisor %s\n", info->hypervisor);
    kprintf("cpu: features");
    for (int f = 0; f < CPU_FEAT_COUNT; f++)
        if (info->features & (1u << f))
            kprintf(" %s", feat_bits[f].name);
    kprintf("\n");
}
