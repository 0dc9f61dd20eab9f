/* The local APIC of both kernels (Intel SDM vol. 3A chapter 10), in the mode the firmware left
 * it in: xAPIC through its 4 KiB MMIO page (0xFEE00000 by default, identity-mapped by both
 * kernels with the rest of the low 4 GiB), or x2APIC through MSRs 0x800-0x8FF (§10.12). Every
 * register access goes through lapic_read/lapic_write/lapic_send_ipi, so the callers (the
 * start-up IPIs, the wake-up IPI, the panic path's NMI, EOI, the APIC ID) are written once
 * for both modes. lapic.c is pure C over kernel/arch/x86/lapic_hw.h and is host-tested
 * with a fake register backend (tests/kernel/smp/test_lapic.c).
 *
 * The mode rule: use the mode the firmware left (lapic_choose_mode), unless the boot option
 * apic=x2apic asks for x2APIC (lapic_switch_to_x2apic, where CPUID.1:ECX[21] offers it). By
 * default an xAPIC-mode CPU is not switched: firmware must itself hand over in x2APIC mode
 * when any APIC ID exceeds 254 (Intel's x2APIC specification; ACPI lists such CPUs in x2APIC
 * entries), so the switch is needed nowhere, and it cannot be undone without losing the
 * APIC's state. A CPU whose APIC ID the mode cannot address (above lapic_max_id) gets no IPI
 * at all; kernel/smp reports it as left out. */
#ifndef FLUID_ARCH_X86_LAPIC_H
#define FLUID_ARCH_X86_LAPIC_H

#include <fluid/types.h>

#define LAPIC_XAPIC_MAX_ID      0xFEu           /* 8-bit destination, 0xFF is broadcast */
#define LAPIC_X2APIC_MAX_ID     0xFFFFFFFEu     /* 32-bit destination, 0xFFFFFFFF is broadcast */

/* Registers by their xAPIC MMIO offset (SDM vol. 3A table 10-1); in x2APIC mode the MSR is
 * LAPIC_X2APIC_MSR_BASE + offset / 16 (§10.12.1.2, table 10-6). */
#define LAPIC_REG_ID            0x020
#define LAPIC_REG_EOI           0x0B0
#define LAPIC_REG_SVR           0x0F0
#define LAPIC_REG_ICR_LO        0x300
#define LAPIC_REG_ICR_HI        0x310           /* xAPIC only: x2APIC has one 64-bit ICR */
#define LAPIC_X2APIC_MSR_BASE   0x800u
#define LAPIC_X2APIC_MSR_ICR    0x830u          /* 0x800 + 0x300 / 16 */

/* ICR delivery modes (SDM vol. 3A §10.6.1, figure 10-12, bits 8-10). */
#define LAPIC_DM_FIXED          0x000u
#define LAPIC_DM_NMI            0x400u
#define LAPIC_DM_INIT           0x500u
#define LAPIC_DM_STARTUP        0x600u
#define LAPIC_ICR_LEVEL_ASSERT  (1u << 14)
#define LAPIC_ICR_ALL_BUT_SELF  (3u << 18)      /* destination shorthand 11b */

enum lapic_mode {
    LAPIC_MODE_OFF = 0,         /* not set up (before lapic_init, or it failed) */
    LAPIC_MODE_XAPIC,           /* MMIO page; 8-bit APIC IDs */
    LAPIC_MODE_X2APIC,          /* MSRs; 32-bit APIC IDs */
};

/* Every result of this unit. */
enum lapic_err {
    LAPIC_OK = 0,
    LAPIC_E_NO_APIC,            /* CPUID.1:EDX.APIC[bit 9] is clear, or no CPUID leaf 1 */
    LAPIC_E_MODE_INVALID,       /* IA32_APIC_BASE has EXTD set and EN clear (§10.12.5.1) */
    LAPIC_E_X2APIC_CPUID,       /* EXTD is set but CPUID.1:ECX.x2APIC[bit 21] is clear */
    LAPIC_E_BASE,               /* xAPIC registers above 4 GiB (not identity-mapped) */
    LAPIC_E_SEND_TIMEOUT,       /* xAPIC: the ICR's delivery status stayed "send pending" */
    LAPIC_E_DEST,               /* the destination APIC ID is beyond lapic_max_id() */
};

/* What lapic_choose_mode decides from. */
struct lapic_probe {
    bool has_leaf1;             /* CPUID leaf 1 exists */
    uint32_t cpuid1_ecx, cpuid1_edx;
    uint64_t apic_base;         /* IA32_APIC_BASE as read */
};

/* The mode rule, pure: x2APIC when IA32_APIC_BASE.EXTD is set (and EN, and CPUID's x2APIC
 * bit), else xAPIC with *mmio_base the register page (below 4 GiB). On failure *mode is
 * LAPIC_MODE_OFF and the error says why. */
enum lapic_err lapic_choose_mode(const struct lapic_probe *p, enum lapic_mode *mode,
                                 uint64_t *mmio_base);

/* Reads CPUID and IA32_APIC_BASE, chooses the mode, and in xAPIC mode turns the APIC on
 * globally where firmware left it off. Boot CPU only, once (the host test calls it again). */
enum lapic_err lapic_init(void);

/* Switches the boot CPU from xAPIC to x2APIC mode: IA32_APIC_BASE.EXTD set while EN is set
 * (SDM vol. 3A §10.12.5, figure 10-27); the APIC ID and the other registers carry over. After
 * lapic_init, before any AP starts (lapic_enable then brings each AP into x2APIC mode).
 * Returns LAPIC_OK (also when already in x2APIC mode), LAPIC_E_X2APIC_CPUID (CPUID.1:ECX bit
 * 21 clear: nothing written) or LAPIC_E_NO_APIC (lapic_init failed). */
enum lapic_err lapic_switch_to_x2apic(void);

/* Leaves this CPU's local APIC in x2APIC mode as firmware that hands over in x2APIC mode does
 * (many PCs with an IOMMU, every machine with APIC IDs above 254): EN, then EN and EXTD, the
 * two steps figure 10-27 allows from any state (SDM vol. 3A §10.12.5). For the boot option
 * test.smp_firmware_x2apic, before lapic_init, which must then find x2APIC mode on its own.
 * Returns LAPIC_OK, LAPIC_E_NO_APIC or LAPIC_E_X2APIC_CPUID (nothing written). */
enum lapic_err lapic_enter_x2apic_as_firmware(void);

/* The driver's mode: the boot CPU's, which every CPU is brought into by lapic_enable. */
enum lapic_mode lapic_mode(void);

/* The mode this CPU's own IA32_APIC_BASE says it is in (off when EN is clear), read anew:
 * what an AP really runs in, for the cpus report. LAPIC_MODE_OFF when the driver is off. */
enum lapic_mode lapic_cpu_mode(void);
const char *lapic_mode_name(enum lapic_mode mode);      /* "xAPIC", "x2APIC", "off" */

/* The largest APIC ID an IPI can name in the current mode (0 when off). */
uint32_t lapic_max_id(void);

/* The xAPIC MMIO base lapic_init found (0 before, on failure and in x2APIC mode). */
uint64_t lapic_base(void);

/* One 32-bit register by its xAPIC offset (LAPIC_REG_*), in either mode. Not the ICR: use
 * lapic_send_ipi. Nothing happens (reads give 0) when the mode is off. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);

/* Puts this CPU's APIC in the boot CPU's mode (an AP in xAPIC mode while the boot CPU is in
 * x2APIC mode sets EXTD; the reverse goes through the disabled state, §10.12.5.1), then
 * software-enables it (SVR bit 8) with spurious_vector, which the IDT must handle. Every CPU
 * calls it for itself once lapic_init has run, before it uses lapic_id. */
void lapic_enable(uint8_t spurious_vector);

/* This CPU's APIC ID: ID register bits 31:24 (xAPIC), or all 32 bits of MSR 0x802 (x2APIC). */
uint32_t lapic_id(void);

/* Ends the handling of a LAPIC-delivered interrupt (EOI register, written with 0). */
void lapic_eoi(void);

/* Sends an IPI to apic_id with ICR low word `command` (delivery mode | vector) and level
 * "assert". xAPIC: ICR high then low, then up to LAPIC_SEND_SPINS polls of the delivery status
 * (LAPIC_E_SEND_TIMEOUT). x2APIC: a store fence, then one WRMSR of the 64-bit ICR; it has no
 * delivery status to wait for (§10.12.9). LAPIC_E_DEST, nothing sent, for an ID above
 * lapic_max_id() (xAPIC would otherwise truncate it to another CPU's 8 bits). */
enum lapic_err lapic_send_ipi(uint32_t apic_id, uint32_t command);

/* Sends an NMI to every CPU but this one (destination shorthand "all excluding self"); does
 * not wait. For the panic path: touches nothing but the ICR. */
void lapic_nmi_all_but_self(void);

/* "ok", "no local APIC (CPUID ...)", ... */
const char *lapic_strerror(enum lapic_err err);

#endif
