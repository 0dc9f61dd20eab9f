/* CPUID decoding (kernel/core/cpu.c) from the registers of CPUs Fluid runs on: QEMU's default
 * qemu32 model and the Pentium II model used for the oldest-CPU boot (values as QEMU
 * reports them), plus a family-15 signature and garbage extended leaves. */
#include "tests/lib/check.h"
#include "kernel/core/cpu.h"

#define FEAT(f) (1u << (f))

static struct cpuid_regs R(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    struct cpuid_regs r = {a, b, c, d};
    return r;
}

/* "GenuineIntel" in EBX, EDX, ECX order. */
static struct cpuid_regs intel_leaf0(uint32_t max)
{
    return R(max, 0x756e6547, 0x6c65746e, 0x49656e69);
}

TEST(qemu32_model)
{
    struct cpuid_raw raw = {0};
    raw.has_cpuid = true;
    raw.leaf0 = intel_leaf0(4);
    raw.leaf1 = R(0x663, 0, 0x80000001u, 0x0781abfd);   /* sse3, hypervisor; fpu..sse2 */
    raw.ext0 = R(0x80000004u, 0, 0, 0);
    raw.brand[0] = R(0x554d4551, 0x72695620, 0x6c617574, 0x55504320);  /* "QEMU Virtual CPU" */
    raw.brand[1] = R(0x72657620, 0x6e6f6973, 0x352e3220, 0x0000002b);  /* " version 2.5+" */
    raw.hv = R(0x40000001u, 0x54474354, 0x43544743, 0x47435447);      /* "TCGTCGTCGTCG" */
    raw.leaf7 = R(0, 0xFFFFFFFFu, 0, 0);    /* must be ignored: max leaf is 4 */
    struct cpu_info ci;
    cpu_decode(&raw, &ci);
    CHECK_STREQ(ci.vendor, "GenuineIntel");
    CHECK_STREQ(ci.brand, "QEMU Virtual CPU version 2.5+");
    CHECK_STREQ(ci.hypervisor, "TCGTCGTCGTCG");
    CHECK_EQ_U64(ci.family, 6);
    CHECK_EQ_U64(ci.model, 6);
    CHECK_EQ_U64(ci.stepping, 3);
    uint32_t want = FEAT(CPU_FEAT_FPU) | FEAT(CPU_FEAT_TSC) | FEAT(CPU_FEAT_CX8) |
                    FEAT(CPU_FEAT_CMOV) | FEAT(CPU_FEAT_MMX) | FEAT(CPU_FEAT_FXSR) |
                    FEAT(CPU_FEAT_SSE) | FEAT(CPU_FEAT_SSE2) | FEAT(CPU_FEAT_SSE3) |
                    FEAT(CPU_FEAT_HYPERVISOR);
    CHECK_EQ_U64(ci.features, want);
}

TEST(pentium2_has_no_sse_and_no_brand)
{
    struct cpuid_raw raw = {0};
    raw.has_cpuid = true;
    raw.leaf0 = intel_leaf0(2);
    raw.leaf1 = R(0x652, 0, 0, 0x0183f9ff);
    raw.ext0 = R(0x00000652, 0, 0, 0);      /* garbage: not a 0x8000xxxx value */
    raw.brand[0] = R(0x41414141, 0x41414141, 0x41414141, 0x41414141);
    struct cpu_info ci;
    cpu_decode(&raw, &ci);
    CHECK_EQ_U64(ci.max_ext_leaf, 0);
    CHECK_STREQ(ci.brand, "");
    CHECK_STREQ(ci.hypervisor, "");
    CHECK_EQ_U64(ci.model, 5);
    CHECK(ci.features & FEAT(CPU_FEAT_MMX));
    CHECK(ci.features & FEAT(CPU_FEAT_FXSR));
    CHECK(!(ci.features & FEAT(CPU_FEAT_SSE)));
    CHECK(!(ci.features & FEAT(CPU_FEAT_LM)));
}

TEST(extended_family_model_and_leaf7)
{
    struct cpuid_raw raw = {0};
    raw.has_cpuid = true;
    raw.leaf0 = intel_leaf0(7);
    raw.leaf1 = R(0x00a20f12, 0, (1u << 12) | (1u << 28), 0);  /* family 0xF+0xA, ext model 2 */
    raw.leaf7 = R(0, 1u << 5, 0, 0);
    raw.ext0 = R(0x80000001u, 0, 0, 0);
    raw.ext1 = R(0, 0, 0, 1u << 29);
    struct cpu_info ci;
    cpu_decode(&raw, &ci);
    CHECK_EQ_U64(ci.family, 0x19);
    CHECK_EQ_U64(ci.model, 0x21);
    CHECK_EQ_U64(ci.stepping, 2);
    CHECK_EQ_U64(ci.features, FEAT(CPU_FEAT_FMA) | FEAT(CPU_FEAT_AVX) | FEAT(CPU_FEAT_AVX2) |
                                  FEAT(CPU_FEAT_LM));
}

TEST(brand_is_trimmed)
{
    struct cpuid_raw raw = {0};
    raw.has_cpuid = true;
    raw.leaf0 = intel_leaf0(1);
    raw.ext0 = R(0x80000004u, 0, 0, 0);
    raw.brand[0] = R(0x20202020, 0x20202020, 0x74736554, 0x20202020); /* "        Test    " */
    struct cpu_info ci;
    cpu_decode(&raw, &ci);
    CHECK_STREQ(ci.brand, "Test");
}

TEST(no_cpuid_and_names)
{
    struct cpuid_raw raw = {0};
    struct cpu_info ci;
    cpu_decode(&raw, &ci);
    CHECK(!ci.has_cpuid);
    CHECK_STREQ(ci.vendor, "");
    CHECK_STREQ(cpu_feature_name(CPU_FEAT_SSE4_1), "sse4_1");
    CHECK_STREQ(cpu_feature_name(CPU_FEAT_HYPERVISOR), "hypervisor");
    CHECK_STREQ(cpu_feature_name(CPU_FEAT_COUNT), "?");
}

int main(void)
{
    check_suite = "test_cpu";
    RUN(qemu32_model);
    RUN(pentium2_has_no_sse_and_no_brand);
    RUN(extended_family_model_and_leaf7);
    RUN(brand_is_trimmed);
    RUN(no_cpuid_and_names);
    return check_summary();
}
