/* The local APIC's instructions for both kernels (contract in lapic_hw.h). */
#include "kernel/arch/x86/lapic_hw.h"

#include "kernel/core/cpu.h"

#define CPUID_LEAF_FEATURES     1

uint64_t lapic_hw_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

void lapic_hw_wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

uint32_t lapic_hw_mmio_read(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

void lapic_hw_mmio_write(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

bool lapic_hw_cpuid1(uint32_t *ecx, uint32_t *edx)
{
    const struct cpu_info *ci = cpu_info();
    if (!ci->has_cpuid || ci->max_leaf < CPUID_LEAF_FEATURES)
        return false;
    uint32_t a = CPUID_LEAF_FEATURES, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    *ecx = c;
    *edx = d;
    return true;
}

void lapic_hw_store_fence(void)
{
    /* Only reached in x2APIC mode, whose CPUs all have SSE2's MFENCE and LFENCE. */
    __asm__ volatile("mfence\n\tlfence" : : : "memory");
}

void lapic_hw_pause(void)
{
    __asm__ volatile("pause");
}
