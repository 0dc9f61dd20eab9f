/* The local APIC of both kernels, in xAPIC mode through its 4 KiB MMIO page (Intel SDM vol. 3A
 * chapter 10): this CPU's APIC ID, software enable with a spurious vector, EOI, and the
 * interrupt command register for INIT, STARTUP, NMI and fixed-vector IPIs. Both kernels
 * identity-map the page (0xFEE00000 by default) with the rest of the low 4 GiB.
 *
 * x2APIC (MSR access, SDM vol. 3A §10.12) is not used: QEMU's TCG (7.2) does not offer it, so
 * it could not be tested. lapic_init refuses a CPU whose firmware left x2APIC mode on (the
 * MMIO page is then dead), and a CPU with an APIC ID above LAPIC_XAPIC_MAX_ID cannot be
 * addressed in xAPIC mode; kernel/smp reports such CPUs as not started. */
#ifndef FLUID_ARCH_X86_LAPIC_H
#define FLUID_ARCH_X86_LAPIC_H

#include <fluid/types.h>

#define LAPIC_XAPIC_MAX_ID      0xFE    /* 8-bit destination, 0xFF is broadcast */

/* ICR delivery modes (SDM vol. 3A §10.6.1, figure 10-12, bits 8-10). */
#define LAPIC_DM_FIXED          0x000u
#define LAPIC_DM_NMI            0x400u
#define LAPIC_DM_INIT           0x500u
#define LAPIC_DM_STARTUP        0x600u

/* Every result of this unit. */
enum lapic_err {
    LAPIC_OK = 0,
    LAPIC_E_NO_APIC,            /* CPUID.1:EDX.APIC[bit 9] is clear */
    LAPIC_E_X2APIC_ON,          /* firmware left the APIC in x2APIC mode: no MMIO page */
    LAPIC_E_BASE,               /* IA32_APIC_BASE points above 4 GiB (not identity-mapped) */
    LAPIC_E_SEND_TIMEOUT,       /* the ICR's delivery status stayed "send pending" */
};

/* Reads IA32_APIC_BASE, turns the APIC on globally where firmware left it off, and records
 * the MMIO base. Boot CPU only, once. */
enum lapic_err lapic_init(void);

/* The MMIO base lapic_init found (0 before). */
uint64_t lapic_base(void);

/* Software-enables this CPU's local APIC (SVR bit 8) with spurious_vector, which the IDT must
 * handle. Every CPU calls it for itself once lapic_init has run. */
void lapic_enable(uint8_t spurious_vector);

/* This CPU's APIC ID (the ID register, bits 31:24). */
uint32_t lapic_id(void);

/* Ends the handling of a LAPIC-delivered interrupt. */
void lapic_eoi(void);

/* Sends an IPI to apic_id with ICR low word `command` (delivery mode | vector | level bits),
 * then waits up to LAPIC_SEND_SPINS polls for the delivery status to clear. */
enum lapic_err lapic_send_ipi(uint32_t apic_id, uint32_t command);

/* Sends an NMI to every CPU but this one (destination shorthand "all excluding self"); does
 * not wait. For the panic path: touches nothing but the ICR. */
void lapic_nmi_all_but_self(void);

/* "ok", "no local APIC (CPUID)", ... */
const char *lapic_strerror(enum lapic_err err);

#endif
