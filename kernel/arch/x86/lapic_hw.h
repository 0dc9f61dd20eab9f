/* The instructions under the local APIC driver (kernel/arch/x86/lapic.c): RDMSR/WRMSR, 32-bit
 * MMIO loads and stores, CPUID leaf 1, the store fence an x2APIC IPI needs, and PAUSE.
 * kernel/arch/x86/lapic_hw.c implements them with the instructions for both kernels; the host
 * test (tests/kernel/smp/test_lapic.c) links a fake that records every access instead, so
 * lapic.c itself is pure C and its register traffic can be checked write by write. */
#ifndef FLUID_ARCH_X86_LAPIC_HW_H
#define FLUID_ARCH_X86_LAPIC_HW_H

#include <fluid/types.h>

uint64_t lapic_hw_rdmsr(uint32_t msr);
void lapic_hw_wrmsr(uint32_t msr, uint64_t value);

/* A 32-bit load or store at physical (identity-mapped) address addr. */
uint32_t lapic_hw_mmio_read(uintptr_t addr);
void lapic_hw_mmio_write(uintptr_t addr, uint32_t value);

/* CPUID leaf 1's ECX and EDX; false (both left alone) if the CPU has no CPUID or no leaf 1. */
bool lapic_hw_cpuid1(uint32_t *ecx, uint32_t *edx);

/* MFENCE; LFENCE: every earlier store globally visible, and nothing later started, before the
 * next instruction (a WRMSR to an x2APIC register does not wait for earlier stores). */
void lapic_hw_store_fence(void);

void lapic_hw_pause(void);

#endif
