/* The local APIC in xAPIC mode (contract in lapic.h). Register offsets: SDM vol. 3A table 10-1;
 * IA32_APIC_BASE: §10.4.4, figure 10-5; the ICR: §10.6.1. */
#include "kernel/arch/x86/lapic.h"

#include "kernel/core/cpu.h"

#define CPUID_LEAF_FEATURES     1
#define CPUID1_EDX_APIC         (1u << 9)
#define MSR_IA32_APIC_BASE      0x1B
#define APIC_BASE_X2APIC        (1ull << 10)    /* EXTD: x2APIC mode */
#define APIC_BASE_ENABLE        (1ull << 11)    /* EN: xAPIC global enable */
#define APIC_BASE_ADDR_MASK     0xFFFFFF000ull  /* bits 35:12 on every CPU that has them */
#define FOUR_GIB                0x100000000ull

#define REG_ID                  0x020
#define REG_EOI                 0x0B0
#define REG_SVR                 0x0F0
#define REG_ICR_LO              0x300
#define REG_ICR_HI              0x310
#define ID_SHIFT                24
#define ICR_DEST_SHIFT          24              /* ICR high dword, bits 63:56 of the ICR */
#define SVR_ENABLE              (1u << 8)
#define ICR_SEND_PENDING        (1u << 12)
#define ICR_ALL_BUT_SELF        (3u << 18)      /* destination shorthand 11b */
#define ICR_LEVEL_ASSERT        (1u << 14)
/* Polls of the delivery status: an xAPIC accepts an IPI within microseconds on hardware and
 * at once in QEMU; about 10 ms of MMIO reads on a slow machine. */
#define LAPIC_SEND_SPINS        100000

static volatile uint32_t *mmio;
static uint64_t base_addr;

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint32_t reg_read(uint32_t reg)
{
    return mmio[reg / sizeof(uint32_t)];
}

static void reg_write(uint32_t reg, uint32_t v)
{
    mmio[reg / sizeof(uint32_t)] = v;
}

enum lapic_err lapic_init(void)
{
    if (cpu_info()->max_leaf < CPUID_LEAF_FEATURES)
        return LAPIC_E_NO_APIC;
    uint32_t a = CPUID_LEAF_FEATURES, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if (!(d & CPUID1_EDX_APIC))
        return LAPIC_E_NO_APIC;
    uint64_t msr = rdmsr(MSR_IA32_APIC_BASE);
    if (msr & APIC_BASE_X2APIC)
        return LAPIC_E_X2APIC_ON;
    uint64_t base = msr & APIC_BASE_ADDR_MASK;
    if (base >= FOUR_GIB)
        return LAPIC_E_BASE;
    if (!(msr & APIC_BASE_ENABLE))
        wrmsr(MSR_IA32_APIC_BASE, msr | APIC_BASE_ENABLE);
    base_addr = base;
    mmio = (volatile uint32_t *)(uintptr_t)base;
    return LAPIC_OK;
}

uint64_t lapic_base(void)
{
    return base_addr;
}

void lapic_enable(uint8_t spurious_vector)
{
    reg_write(REG_SVR, SVR_ENABLE | spurious_vector);
}

uint32_t lapic_id(void)
{
    return reg_read(REG_ID) >> ID_SHIFT;
}

void lapic_eoi(void)
{
    reg_write(REG_EOI, 0);
}

static enum lapic_err wait_sent(void)
{
    for (int i = 0; i < LAPIC_SEND_SPINS; i++) {
        if (!(reg_read(REG_ICR_LO) & ICR_SEND_PENDING))
            return LAPIC_OK;
        __asm__ volatile("pause");
    }
    return LAPIC_E_SEND_TIMEOUT;
}

enum lapic_err lapic_send_ipi(uint32_t apic_id, uint32_t command)
{
    /* The high dword first: writing the low dword sends (SDM vol. 3A §10.6.1). */
    reg_write(REG_ICR_HI, apic_id << ICR_DEST_SHIFT);
    reg_write(REG_ICR_LO, command | ICR_LEVEL_ASSERT);
    return wait_sent();
}

void lapic_nmi_all_but_self(void)
{
    if (!mmio)
        return;
    reg_write(REG_ICR_HI, 0);
    reg_write(REG_ICR_LO, ICR_ALL_BUT_SELF | LAPIC_DM_NMI | ICR_LEVEL_ASSERT);
}

const char *lapic_strerror(enum lapic_err err)
{
    switch (err) {
    case LAPIC_OK:             return "ok";
    case LAPIC_E_NO_APIC:      return "no local APIC (CPUID.1:EDX bit 9 clear)";
    case LAPIC_E_X2APIC_ON:    return "the local APIC is in x2APIC mode, which Fluid does not drive";
    case LAPIC_E_BASE:         return "the local APIC's registers lie above 4 GiB";
    case LAPIC_E_SEND_TIMEOUT: return "an IPI stayed pending";
    }
    return "unknown lapic error";
}
