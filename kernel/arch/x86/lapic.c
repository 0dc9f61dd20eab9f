/* The local APIC in xAPIC or x2APIC mode (contract in lapic.h). Register offsets: SDM vol. 3A
 * table 10-1; IA32_APIC_BASE: §10.4.4, figure 10-5; the ICR: §10.6.1; x2APIC: §10.12. All
 * hardware access goes through lapic_hw.h, so this file builds on the host. */
#include "kernel/arch/x86/lapic.h"

#include "kernel/arch/x86/lapic_hw.h"

#define CPUID1_EDX_APIC         (1u << 9)
#define CPUID1_ECX_X2APIC       (1u << 21)
#define MSR_IA32_APIC_BASE      0x1B
#define APIC_BASE_X2APIC        (1ull << 10)    /* EXTD: x2APIC mode */
#define APIC_BASE_ENABLE        (1ull << 11)    /* EN: global enable */
#define APIC_BASE_ADDR_MASK     0xFFFFFF000ull  /* bits 35:12 on every CPU that has them */
#define FOUR_GIB                0x100000000ull

#define XAPIC_ID_SHIFT          24              /* ID register bits 31:24 */
#define XAPIC_DEST_SHIFT        24              /* ICR high dword, bits 63:56 of the ICR */
#define X2APIC_DEST_SHIFT       32              /* the 64-bit ICR's bits 63:32 (§10.12.9) */
#define X2APIC_REG_STRIDE       16              /* MSR = 0x800 + MMIO offset / 16 */
#define SVR_ENABLE              (1u << 8)
#define ICR_SEND_PENDING        (1u << 12)
/* Polls of the delivery status: an xAPIC accepts an IPI within microseconds on hardware and
 * at once in QEMU; about 10 ms of MMIO reads on a slow machine. */
#define LAPIC_SEND_SPINS        100000

static enum lapic_mode mode;
static uint64_t base_addr;
static uint32_t cpuid1_ecx;     /* the boot CPU's, from lapic_init */

static uint32_t x2apic_msr(uint32_t reg)
{
    return LAPIC_X2APIC_MSR_BASE + reg / X2APIC_REG_STRIDE;
}

uint32_t lapic_read(uint32_t reg)
{
    if (mode == LAPIC_MODE_X2APIC)
        return (uint32_t)lapic_hw_rdmsr(x2apic_msr(reg));
    if (mode == LAPIC_MODE_XAPIC)
        return lapic_hw_mmio_read((uintptr_t)base_addr + reg);
    return 0;
}

void lapic_write(uint32_t reg, uint32_t value)
{
    if (mode == LAPIC_MODE_X2APIC)
        lapic_hw_wrmsr(x2apic_msr(reg), value);
    else if (mode == LAPIC_MODE_XAPIC)
        lapic_hw_mmio_write((uintptr_t)base_addr + reg, value);
}

/* The one place an IPI is sent, in either mode. The caller checked dest against
 * lapic_max_id(). */
static void icr_write(uint32_t dest, uint32_t low)
{
    if (mode == LAPIC_MODE_X2APIC) {
        /* WRMSR to an x2APIC register is not serializing (SDM vol. 3A §10.12.3): without the
         * fence the IPI could reach an AP before the job or parameter block it announces. */
        lapic_hw_store_fence();
        lapic_hw_wrmsr(LAPIC_X2APIC_MSR_ICR, (uint64_t)dest << X2APIC_DEST_SHIFT | low);
    } else if (mode == LAPIC_MODE_XAPIC) {
        /* The high dword first: writing the low dword sends (SDM vol. 3A §10.6.1). */
        lapic_write(LAPIC_REG_ICR_HI, dest << XAPIC_DEST_SHIFT);
        lapic_write(LAPIC_REG_ICR_LO, low);
    }
}

enum lapic_err lapic_choose_mode(const struct lapic_probe *p, enum lapic_mode *out,
                                 uint64_t *mmio_base)
{
    *out = LAPIC_MODE_OFF;
    *mmio_base = 0;
    if (!p->has_leaf1 || !(p->cpuid1_edx & CPUID1_EDX_APIC))
        return LAPIC_E_NO_APIC;
    if (p->apic_base & APIC_BASE_X2APIC) {
        /* EXTD without EN is the invalid state of SDM vol. 3A §10.12.5.1. */
        if (!(p->apic_base & APIC_BASE_ENABLE))
            return LAPIC_E_MODE_INVALID;
        /* An x2APIC MSR access on a CPU without x2APIC faults (#GP, §10.12.1.2). */
        if (!(p->cpuid1_ecx & CPUID1_ECX_X2APIC))
            return LAPIC_E_X2APIC_CPUID;
        *out = LAPIC_MODE_X2APIC;
        return LAPIC_OK;
    }
    uint64_t base = p->apic_base & APIC_BASE_ADDR_MASK;
    if (base >= FOUR_GIB)
        return LAPIC_E_BASE;
    *out = LAPIC_MODE_XAPIC;
    *mmio_base = base;
    return LAPIC_OK;
}

enum lapic_err lapic_init(void)
{
    struct lapic_probe p = {0};
    p.has_leaf1 = lapic_hw_cpuid1(&p.cpuid1_ecx, &p.cpuid1_edx);
    mode = LAPIC_MODE_OFF;
    base_addr = 0;
    cpuid1_ecx = p.cpuid1_ecx;
    if (p.has_leaf1 && (p.cpuid1_edx & CPUID1_EDX_APIC))
        p.apic_base = lapic_hw_rdmsr(MSR_IA32_APIC_BASE);
    enum lapic_mode chosen;
    uint64_t base;
    enum lapic_err err = lapic_choose_mode(&p, &chosen, &base);
    if (err != LAPIC_OK)
        return err;
    if (chosen == LAPIC_MODE_XAPIC && !(p.apic_base & APIC_BASE_ENABLE))
        lapic_hw_wrmsr(MSR_IA32_APIC_BASE, p.apic_base | APIC_BASE_ENABLE);
    mode = chosen;
    base_addr = base;
    return LAPIC_OK;
}

enum lapic_err lapic_switch_to_x2apic(void)
{
    if (mode == LAPIC_MODE_OFF)
        return LAPIC_E_NO_APIC;
    if (mode == LAPIC_MODE_X2APIC)
        return LAPIC_OK;
    /* EXTD on a CPU without x2APIC is a #GP (SDM vol. 3A §10.12.1). */
    if (!(cpuid1_ecx & CPUID1_ECX_X2APIC))
        return LAPIC_E_X2APIC_CPUID;
    /* lapic_init left EN set; xAPIC -> x2APIC is the one step that keeps the APIC's state
     * (§10.12.5.1). From here on the MMIO page is not decoded; only the MSRs are. */
    uint64_t v = lapic_hw_rdmsr(MSR_IA32_APIC_BASE);
    lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
    mode = LAPIC_MODE_X2APIC;
    base_addr = 0;
    return LAPIC_OK;
}

enum lapic_err lapic_enter_x2apic_as_firmware(void)
{
    uint32_t ecx = 0, edx = 0;
    if (!lapic_hw_cpuid1(&ecx, &edx) || !(edx & CPUID1_EDX_APIC))
        return LAPIC_E_NO_APIC;
    if (!(ecx & CPUID1_ECX_X2APIC))
        return LAPIC_E_X2APIC_CPUID;
    uint64_t v = lapic_hw_rdmsr(MSR_IA32_APIC_BASE);
    if (v & APIC_BASE_X2APIC)
        return LAPIC_OK;
    /* Disabled -> x2APIC is not a transition the SDM lists; disabled -> xAPIC -> x2APIC is. */
    lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v | APIC_BASE_ENABLE);
    lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
    return LAPIC_OK;
}

enum lapic_mode lapic_mode(void)
{
    return mode;
}

enum lapic_mode lapic_cpu_mode(void)
{
    if (mode == LAPIC_MODE_OFF)
        return LAPIC_MODE_OFF;
    uint64_t v = lapic_hw_rdmsr(MSR_IA32_APIC_BASE);
    if (!(v & APIC_BASE_ENABLE))
        return LAPIC_MODE_OFF;
    return (v & APIC_BASE_X2APIC) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
}

const char *lapic_mode_name(enum lapic_mode m)
{
    switch (m) {
    case LAPIC_MODE_OFF:    return "off";
    case LAPIC_MODE_XAPIC:  return "xAPIC";
    case LAPIC_MODE_X2APIC: return "x2APIC";
    }
    return "unknown";
}

uint32_t lapic_max_id(void)
{
    switch (mode) {
    case LAPIC_MODE_OFF:    return 0;
    case LAPIC_MODE_XAPIC:  return LAPIC_XAPIC_MAX_ID;
    case LAPIC_MODE_X2APIC: return LAPIC_X2APIC_MAX_ID;
    }
    return 0;
}

uint64_t lapic_base(void)
{
    return base_addr;
}

/* Brings this CPU's IA32_APIC_BASE to the boot CPU's mode. An AP normally arrives in it
 * already: INIT leaves an x2APIC in x2APIC mode with its 32-bit ID, and an xAPIC in xAPIC
 * mode (SDM vol. 3A §10.12.5.1, figure 10-27), and firmware puts every CPU in one mode. The
 * legal steps: disabled -> xAPIC (EN), xAPIC -> x2APIC (EXTD), x2APIC -> disabled (EN and
 * EXTD cleared together); x2APIC -> xAPIC directly is a #GP. */
static void enter_mode(void)
{
    uint64_t v = lapic_hw_rdmsr(MSR_IA32_APIC_BASE);
    if (mode == LAPIC_MODE_XAPIC && (v & APIC_BASE_X2APIC)) {
        v &= ~(APIC_BASE_X2APIC | APIC_BASE_ENABLE);
        lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v);
    }
    if (!(v & APIC_BASE_ENABLE)) {
        v |= APIC_BASE_ENABLE;
        lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v);
    }
    if (mode == LAPIC_MODE_X2APIC && !(v & APIC_BASE_X2APIC))
        lapic_hw_wrmsr(MSR_IA32_APIC_BASE, v | APIC_BASE_X2APIC);
}

void lapic_enable(uint8_t spurious_vector)
{
    if (mode == LAPIC_MODE_OFF)
        return;
    enter_mode();
    lapic_write(LAPIC_REG_SVR, SVR_ENABLE | spurious_vector);
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_REG_ID);
    return mode == LAPIC_MODE_X2APIC ? id : id >> XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_REG_EOI, 0);
}

static enum lapic_err wait_sent(void)
{
    if (mode == LAPIC_MODE_X2APIC)
        return LAPIC_OK;        /* the x2APIC ICR has no delivery status bit (§10.12.9) */
    for (int i = 0; i < LAPIC_SEND_SPINS; i++) {
        if (!(lapic_read(LAPIC_REG_ICR_LO) & ICR_SEND_PENDING))
            return LAPIC_OK;
        lapic_hw_pause();
    }
    return LAPIC_E_SEND_TIMEOUT;
}

enum lapic_err lapic_send_ipi(uint32_t apic_id, uint32_t command)
{
    if (mode == LAPIC_MODE_OFF)
        return LAPIC_E_NO_APIC;
    if (apic_id > lapic_max_id())
        return LAPIC_E_DEST;
    icr_write(apic_id, command | LAPIC_ICR_LEVEL_ASSERT);
    return wait_sent();
}

void lapic_nmi_all_but_self(void)
{
    icr_write(0, LAPIC_ICR_ALL_BUT_SELF | LAPIC_DM_NMI | LAPIC_ICR_LEVEL_ASSERT);
}

const char *lapic_strerror(enum lapic_err err)
{
    switch (err) {
    case LAPIC_OK:             return "ok";
    case LAPIC_E_NO_APIC:      return "no local APIC (no CPUID leaf 1, or CPUID.1:EDX bit 9 clear)";
    case LAPIC_E_MODE_INVALID: return "IA32_APIC_BASE has x2APIC mode (EXTD) set but the APIC "
                                      "disabled (EN clear), an invalid state";
    case LAPIC_E_X2APIC_CPUID: return "IA32_APIC_BASE says x2APIC mode but CPUID.1:ECX bit 21 "
                                      "(x2APIC) is clear";
    case LAPIC_E_BASE:         return "the local APIC's registers lie above 4 GiB";
    case LAPIC_E_SEND_TIMEOUT: return "an IPI stayed pending";
    case LAPIC_E_DEST:         return "the destination APIC ID is beyond what the APIC mode addresses";
    }
    return "unknown lapic error";
}
