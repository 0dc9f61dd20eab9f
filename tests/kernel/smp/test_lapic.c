/* Host tests of the local APIC driver in both modes (kernel/arch/x86/lapic.c) and the start-up
 * IPIs (kernel/smp/ap_ipi.c), over a fake register backend (the lapic_hw.h calls below) that
 * records every MSR and MMIO access, fence and delay in order:
 *   - the mode rule from IA32_APIC_BASE and CPUID: firmware's mode kept, never switched; the
 *     invalid EXTD-without-EN state, EXTD without CPUID's x2APIC bit, no APIC, a high base;
 *   - INIT-SIPI-SIPI in x2APIC mode to an APIC ID above 255: fence + one ICR WRMSR each, no
 *     MMIO, no delivery-status poll; the same sequence in xAPIC mode: ICR high, low, poll;
 *   - an ID the mode cannot address refused with nothing sent (xAPIC would truncate it);
 *   - NMI to all but self and to one CPU, both modes; ID, EOI and SVR in both modes;
 *   - an AP brought into the boot CPU's mode (each legal IA32_APIC_BASE step);
 *   - apic=x2apic's switch: xAPIC -> x2APIC by one IA32_APIC_BASE write keeping EN and the
 *     base, then MSR access only; refused with nothing written without CPUID's bit or an
 *     APIC; nothing written when already in x2APIC mode; each CPU's own mode read back;
 *   - test.smp_firmware_x2apic's hand-over: disabled -> xAPIC -> x2APIC, found by lapic_init. */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/lapic_hw.h"
#include "kernel/smp/smp_impl.h"
#include "tests/lib/check.h"

#define MSR_APIC_BASE       0x1Bu
#define MSR_X2APIC_ID       0x802u
#define MSR_X2APIC_EOI      0x80Bu
#define MSR_X2APIC_SVR      0x80Fu
#define XAPIC_PAGE          0xFEE00000u
#define BASE_BSP            (1ull << 8)
#define BASE_EXTD           (1ull << 10)
#define BASE_EN             (1ull << 11)
#define ECX_X2APIC          (1u << 21)
#define EDX_APIC            (1u << 9)
#define ICR_PENDING         (1u << 12)
#define SIPI_VECTOR         0x08u
#define MAX_EVENTS          64

/* ---- the fake registers ---- */
enum ev_kind { EV_RDMSR, EV_WRMSR, EV_MMIO_RD, EV_MMIO_WR, EV_FENCE, EV_DELAY };

struct ev {
    enum ev_kind kind;
    uint64_t where;         /* MSR, address, or 0 */
    uint64_t value;         /* written value, or delay in us */
};

static struct fake {
    bool has_leaf1;
    uint32_t ecx, edx;
    uint64_t apic_base;     /* IA32_APIC_BASE: read by RDMSR 0x1B, updated by WRMSR */
    uint32_t x2apic_id;     /* MSR 0x802 */
    uint32_t xapic_id_reg;  /* MMIO ID register */
    bool icr_stuck;         /* the xAPIC delivery status never clears */
    struct ev ev[MAX_EVENTS];
    uint32_t n;             /* events recorded (at most MAX_EVENTS) */
    uint32_t total;         /* events seen */
    char log[512];          /* kprintf's text */
} fk;

static void record(enum ev_kind kind, uint64_t where, uint64_t value)
{
    if (fk.n < MAX_EVENTS)
        fk.ev[fk.n++] = (struct ev){kind, where, value};
    fk.total++;
}

static void clear_events(void)
{
    fk.n = fk.total = 0;
    fk.log[0] = '\0';
}

uint64_t lapic_hw_rdmsr(uint32_t msr)
{
    record(EV_RDMSR, msr, 0);
    if (msr == MSR_APIC_BASE)
        return fk.apic_base;
    if (msr == MSR_X2APIC_ID)
        return fk.x2apic_id;
    return 0;
}

void lapic_hw_wrmsr(uint32_t msr, uint64_t value)
{
    record(EV_WRMSR, msr, value);
    if (msr == MSR_APIC_BASE)
        fk.apic_base = value;
}

uint32_t lapic_hw_mmio_read(uintptr_t addr)
{
    record(EV_MMIO_RD, addr, 0);
    if (addr == XAPIC_PAGE + LAPIC_REG_ID)
        return fk.xapic_id_reg;
    if (addr == XAPIC_PAGE + LAPIC_REG_ICR_LO)
        return fk.icr_stuck ? ICR_PENDING : 0;
    return 0;
}

void lapic_hw_mmio_write(uintptr_t addr, uint32_t value)
{
    record(EV_MMIO_WR, addr, value);
}

bool lapic_hw_cpuid1(uint32_t *ecx, uint32_t *edx)
{
    if (!fk.has_leaf1)
        return false;
    *ecx = fk.ecx;
    *edx = fk.edx;
    return true;
}

void lapic_hw_store_fence(void)
{
    record(EV_FENCE, 0, 0);
}

void lapic_hw_pause(void)
{
}

void smp_delay_us(uint64_t us)
{
    record(EV_DELAY, 0, us);
}

void kprintf(const char *fmt, ...)
{
    size_t used = strlen(fk.log);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fk.log + used, sizeof fk.log - used, fmt, ap);
    va_end(ap);
}

/* A CPU with an APIC and x2APIC support, IA32_APIC_BASE as given; lapic_init run on it and
 * the events of the init forgotten. */
static enum lapic_err boot_with(uint64_t apic_base)
{
    memset(&fk, 0, sizeof fk);
    fk.has_leaf1 = true;
    fk.ecx = ECX_X2APIC;
    fk.edx = EDX_APIC;
    fk.apic_base = apic_base;
    enum lapic_err err = lapic_init();
    clear_events();
    return err;
}

static void boot_x2apic(void)
{
    REQUIRE(boot_with(XAPIC_PAGE | BASE_BSP | BASE_EN | BASE_EXTD) == LAPIC_OK);
    REQUIRE(lapic_mode() == LAPIC_MODE_X2APIC);
}

static void boot_xapic(void)
{
    REQUIRE(boot_with(XAPIC_PAGE | BASE_BSP | BASE_EN) == LAPIC_OK);
    REQUIRE(lapic_mode() == LAPIC_MODE_XAPIC);
}

/* Nothing touched the APIC, no delay. */
#define CHECK_NO_EVENTS() CHECK(fk.total == 0, "%u events", fk.total)

/* The recorded events equal want[0..n). */
#define CHECK_EVENTS(...)                                                               \
    do {                                                                                \
        static const struct ev want_[] = {__VA_ARGS__};                                 \
        check_events(want_, sizeof want_ / sizeof want_[0], __FILE__, __LINE__);        \
    } while (0)

static const char *kind_name(enum ev_kind k)
{
    static const char *const names[] = {"rdmsr", "wrmsr", "mmio_rd", "mmio_wr", "fence",
                                        "delay"};
    return names[k];
}

static void check_events(const struct ev *want, uint32_t n, const char *file, int line)
{
    if (fk.total != n)
        CHECK_FAIL_("%s:%d: %u events, want %u", file, line, fk.total, n);
    for (uint32_t i = 0; i < n && i < fk.n; i++) {
        const struct ev *g = &fk.ev[i];
        if (g->kind != want[i].kind || g->where != want[i].where || g->value != want[i].value)
            CHECK_FAIL_("%s:%d: event %u is %s 0x%llx = 0x%llx, want %s 0x%llx = 0x%llx", file,
                        line, i, kind_name(g->kind), (unsigned long long)g->where,
                        (unsigned long long)g->value, kind_name(want[i].kind),
                        (unsigned long long)want[i].where, (unsigned long long)want[i].value);
    }
}

#define WRMSR(msr, v)   {EV_WRMSR, (msr), (v)}
#define RDMSR(msr)      {EV_RDMSR, (msr), 0}
#define MMIO_WR(r, v)   {EV_MMIO_WR, XAPIC_PAGE + (r), (v)}
#define MMIO_RD(r)      {EV_MMIO_RD, XAPIC_PAGE + (r), 0}
#define FENCE           {EV_FENCE, 0, 0}
#define DELAY(us)       {EV_DELAY, 0, (us)}
#define X2ICR(dest, lo) WRMSR(LAPIC_X2APIC_MSR_ICR, (uint64_t)(dest) << 32 | (lo))

/* ---- the mode rule ---- */
static enum lapic_err choose(bool leaf1, uint32_t ecx, uint32_t edx, uint64_t base,
                             enum lapic_mode *mode, uint64_t *mmio)
{
    struct lapic_probe p = {.has_leaf1 = leaf1, .cpuid1_ecx = ecx, .cpuid1_edx = edx,
                            .apic_base = base};
    return lapic_choose_mode(&p, mode, mmio);
}

TEST(mode_rule)
{
    enum lapic_mode m;
    uint64_t mmio;
    uint64_t xapic = XAPIC_PAGE | BASE_BSP | BASE_EN, x2 = xapic | BASE_EXTD;

    CHECK(choose(true, ECX_X2APIC, EDX_APIC, xapic, &m, &mmio) == LAPIC_OK);
    CHECK(m == LAPIC_MODE_XAPIC && mmio == XAPIC_PAGE, "xAPIC left on stays xAPIC");
    CHECK(choose(true, 0, EDX_APIC, xapic & ~BASE_EN, &m, &mmio) == LAPIC_OK);
    CHECK(m == LAPIC_MODE_XAPIC, "globally disabled: xAPIC (lapic_init turns EN on)");
    CHECK(choose(true, ECX_X2APIC, EDX_APIC, x2, &m, &mmio) == LAPIC_OK);
    CHECK(m == LAPIC_MODE_X2APIC && mmio == 0, "EXTD: x2APIC, no MMIO page");
    CHECK(choose(true, ECX_X2APIC, EDX_APIC, BASE_EN | BASE_EXTD | 0x123456000ull, &m,
                 &mmio) == LAPIC_OK && m == LAPIC_MODE_X2APIC,
          "x2APIC does not care where the unused MMIO base points");

    CHECK(choose(true, ECX_X2APIC, EDX_APIC, x2 & ~BASE_EN, &m, &mmio) == LAPIC_E_MODE_INVALID);
    CHECK(m == LAPIC_MODE_OFF);
    CHECK(choose(true, 0, EDX_APIC, x2, &m, &mmio) == LAPIC_E_X2APIC_CPUID);
    CHECK(m == LAPIC_MODE_OFF);
    CHECK(choose(true, ECX_X2APIC, 0, x2, &m, &mmio) == LAPIC_E_NO_APIC);
    CHECK(choose(false, ECX_X2APIC, EDX_APIC, x2, &m, &mmio) == LAPIC_E_NO_APIC);
    CHECK(choose(true, 0, EDX_APIC, 0x100000000ull | BASE_EN, &m, &mmio) == LAPIC_E_BASE);
    CHECK(m == LAPIC_MODE_OFF && mmio == 0);
}

TEST(init_keeps_firmware_mode)
{
    /* xAPIC on a CPU that could do x2APIC: no MSR written, no switch. */
    memset(&fk, 0, sizeof fk);
    fk.has_leaf1 = true;
    fk.ecx = ECX_X2APIC;
    fk.edx = EDX_APIC;
    fk.apic_base = XAPIC_PAGE | BASE_BSP | BASE_EN;
    CHECK(lapic_init() == LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE));
    CHECK(lapic_mode() == LAPIC_MODE_XAPIC && lapic_max_id() == LAPIC_XAPIC_MAX_ID);
    CHECK_EQ_U64(lapic_base(), XAPIC_PAGE);

    /* Globally disabled by firmware: EN set, nothing else changed. */
    fk.apic_base = XAPIC_PAGE | BASE_BSP;
    clear_events();
    CHECK(lapic_init() == LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_APIC_BASE, XAPIC_PAGE | BASE_BSP | BASE_EN));

    fk.apic_base = XAPIC_PAGE | BASE_BSP | BASE_EN | BASE_EXTD;
    clear_events();
    CHECK(lapic_init() == LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE));
    CHECK(lapic_mode() == LAPIC_MODE_X2APIC && lapic_max_id() == LAPIC_X2APIC_MAX_ID);
    CHECK_EQ_U64(lapic_base(), 0);

    /* A refusal leaves the APIC off: no IPI goes anywhere. */
    fk.ecx = 0;
    clear_events();
    CHECK(lapic_init() == LAPIC_E_X2APIC_CPUID);
    CHECK(lapic_mode() == LAPIC_MODE_OFF && lapic_max_id() == 0);
    clear_events();
    CHECK(lapic_send_ipi(1, LAPIC_DM_INIT) == LAPIC_E_NO_APIC);
    lapic_nmi_all_but_self();
    lapic_eoi();
    CHECK_NO_EVENTS();
}

/* ---- INIT-SIPI-SIPI ---- */
TEST(x2apic_start_ipis_above_255)
{
    boot_x2apic();
    const uint32_t id = 0x1234;     /* beyond every xAPIC ID */
    CHECK(ap_send_start_ipis(id, SIPI_VECTOR, false) == SMP_OK);
    CHECK_EVENTS(FENCE, X2ICR(id, 0x4500), DELAY(10000),
                 FENCE, X2ICR(id, 0x4600 | SIPI_VECTOR), DELAY(200),
                 FENCE, X2ICR(id, 0x4600 | SIPI_VECTOR), DELAY(200));

    clear_events();
    CHECK(ap_send_start_ipis(0xFFFFFFFEu, SIPI_VECTOR, true) == SMP_OK, "withheld: INIT only");
    CHECK_EVENTS(FENCE, X2ICR(0xFFFFFFFEu, 0x4500), DELAY(10000));

    clear_events();
    CHECK(lapic_send_ipi(0xFFFFFFFFu, LAPIC_DM_INIT) == LAPIC_E_DEST,
          "0xFFFFFFFF is the x2APIC broadcast, never one CPU");
    CHECK_NO_EVENTS();
}

TEST(xapic_start_ipis_mmio)
{
    boot_xapic();
    CHECK(ap_send_start_ipis(3, SIPI_VECTOR, false) == SMP_OK);
    CHECK_EVENTS(MMIO_WR(LAPIC_REG_ICR_HI, 3u << 24), MMIO_WR(LAPIC_REG_ICR_LO, 0x4500),
                 MMIO_RD(LAPIC_REG_ICR_LO), DELAY(10000),
                 MMIO_WR(LAPIC_REG_ICR_HI, 3u << 24),
                 MMIO_WR(LAPIC_REG_ICR_LO, 0x4600 | SIPI_VECTOR), MMIO_RD(LAPIC_REG_ICR_LO),
                 DELAY(200),
                 MMIO_WR(LAPIC_REG_ICR_HI, 3u << 24),
                 MMIO_WR(LAPIC_REG_ICR_LO, 0x4600 | SIPI_VECTOR), MMIO_RD(LAPIC_REG_ICR_LO),
                 DELAY(200));
}

TEST(xapic_refuses_what_it_cannot_address)
{
    boot_xapic();
    /* 0x103 would reach APIC ID 3 through the 8-bit destination. */
    CHECK(lapic_send_ipi(0x103, LAPIC_DM_INIT) == LAPIC_E_DEST);
    CHECK(lapic_send_ipi(0xFF, LAPIC_DM_INIT) == LAPIC_E_DEST, "0xFF is the xAPIC broadcast");
    CHECK(ap_send_start_ipis(0x100, SIPI_VECTOR, false) == SMP_E_IPI);
    CHECK_NO_EVENTS();
    CHECK(lapic_send_ipi(LAPIC_XAPIC_MAX_ID, LAPIC_DM_INIT) == LAPIC_OK);
}

TEST(xapic_pending_times_out)
{
    boot_xapic();
    fk.icr_stuck = true;
    CHECK(lapic_send_ipi(1, LAPIC_DM_INIT) == LAPIC_E_SEND_TIMEOUT);
    CHECK(fk.total > 1000 && fk.total < 1000000, "a bounded poll: %u accesses", fk.total);
    clear_events();
    CHECK(ap_send_start_ipis(1, SIPI_VECTOR, false) == SMP_E_IPI);
    CHECK(fk.ev[fk.n - 1].kind == EV_MMIO_RD, "no delay, no STARTUP after a failed INIT");
}

/* ---- NMI ---- */
TEST(nmi_encoding_both_modes)
{
    boot_x2apic();
    lapic_nmi_all_but_self();
    CHECK_EVENTS(FENCE, X2ICR(0, 0xC4400));
    clear_events();
    CHECK(lapic_send_ipi(0x100, LAPIC_DM_NMI) == LAPIC_OK);
    CHECK_EVENTS(FENCE, X2ICR(0x100, 0x4400));

    boot_xapic();
    lapic_nmi_all_but_self();
    CHECK_EVENTS(MMIO_WR(LAPIC_REG_ICR_HI, 0), MMIO_WR(LAPIC_REG_ICR_LO, 0xC4400));
    clear_events();
    CHECK(lapic_send_ipi(0xFE, LAPIC_DM_NMI) == LAPIC_OK);
    CHECK_EVENTS(MMIO_WR(LAPIC_REG_ICR_HI, 0xFE000000u), MMIO_WR(LAPIC_REG_ICR_LO, 0x4400),
                 MMIO_RD(LAPIC_REG_ICR_LO));
}

TEST(wake_ipi_both_modes)
{
    boot_x2apic();
    CHECK(lapic_send_ipi(0x20000, LAPIC_DM_FIXED | SMP_WAKE_VECTOR) == LAPIC_OK);
    CHECK_EVENTS(FENCE, X2ICR(0x20000, 0x4000 | SMP_WAKE_VECTOR));
    boot_xapic();
    CHECK(lapic_send_ipi(2, LAPIC_DM_FIXED | SMP_WAKE_VECTOR) == LAPIC_OK);
    CHECK_EVENTS(MMIO_WR(LAPIC_REG_ICR_HI, 2u << 24),
                 MMIO_WR(LAPIC_REG_ICR_LO, 0x4000 | SMP_WAKE_VECTOR), MMIO_RD(LAPIC_REG_ICR_LO));
}

/* ---- ID, EOI, enable ---- */
TEST(id_and_eoi_both_modes)
{
    boot_x2apic();
    fk.x2apic_id = 0x12345;
    CHECK_EQ_U64(lapic_id(), 0x12345);
    lapic_eoi();
    CHECK_EVENTS(RDMSR(MSR_X2APIC_ID), WRMSR(MSR_X2APIC_EOI, 0));

    boot_xapic();
    fk.xapic_id_reg = 0x05000000u;
    CHECK_EQ_U64(lapic_id(), 5);
    lapic_eoi();
    CHECK_EVENTS(MMIO_RD(LAPIC_REG_ID), MMIO_WR(LAPIC_REG_EOI, 0));
}

TEST(ap_enters_boot_cpu_mode)
{
    const uint64_t ap_xapic = XAPIC_PAGE | BASE_EN, ap_x2 = ap_xapic | BASE_EXTD;

    /* Boot CPU x2APIC, AP already x2APIC (INIT kept it): only the SVR. */
    boot_x2apic();
    fk.apic_base = ap_x2;
    lapic_enable(SMP_SPURIOUS_VECTOR);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_X2APIC_SVR, 0x100 | SMP_SPURIOUS_VECTOR));

    /* Boot CPU x2APIC, AP in xAPIC mode: EXTD set (a legal step). */
    clear_events();
    fk.apic_base = ap_xapic;
    lapic_enable(SMP_SPURIOUS_VECTOR);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_APIC_BASE, ap_x2),
                 WRMSR(MSR_X2APIC_SVR, 0x100 | SMP_SPURIOUS_VECTOR));

    /* Boot CPU x2APIC, AP disabled: EN first, then EXTD (EXTD without EN is a #GP). */
    clear_events();
    fk.apic_base = XAPIC_PAGE;
    lapic_enable(SMP_SPURIOUS_VECTOR);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_APIC_BASE, ap_xapic),
                 WRMSR(MSR_APIC_BASE, ap_x2), WRMSR(MSR_X2APIC_SVR, 0x100 | SMP_SPURIOUS_VECTOR));

    /* Boot CPU xAPIC, AP in x2APIC mode: through disabled, then EN (x2APIC -> xAPIC is a
     * #GP). */
    boot_xapic();
    fk.apic_base = ap_x2;
    lapic_enable(SMP_SPURIOUS_VECTOR);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_APIC_BASE, XAPIC_PAGE),
                 WRMSR(MSR_APIC_BASE, ap_xapic),
                 MMIO_WR(LAPIC_REG_SVR, 0x100 | SMP_SPURIOUS_VECTOR));

    clear_events();
    fk.apic_base = ap_xapic;
    lapic_enable(SMP_SPURIOUS_VECTOR);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), MMIO_WR(LAPIC_REG_SVR, 0x100 | SMP_SPURIOUS_VECTOR));
}

/* apic=x2apic on a CPU firmware left in xAPIC mode: one write sets EXTD beside EN and the
 * base (SDM vol. 3A §10.12.5), and from then on the registers are MSRs, the MMIO page unused. */
static void switch_to_x2apic(void)
{
    boot_xapic();
    CHECK_EQ_U64(lapic_switch_to_x2apic(), LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE),
                 WRMSR(MSR_APIC_BASE, XAPIC_PAGE | BASE_BSP | BASE_EN | BASE_EXTD));
    CHECK(lapic_mode() == LAPIC_MODE_X2APIC);
    CHECK_EQ_U64(lapic_max_id(), LAPIC_X2APIC_MAX_ID);
    CHECK_EQ_U64(lapic_base(), 0);
    clear_events();
    fk.x2apic_id = 0x1234;
    CHECK_EQ_U64(lapic_id(), 0x1234);
    CHECK_EQ_U64(lapic_send_ipi(0x1234, LAPIC_DM_INIT), LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_X2APIC_ID), FENCE,
                 X2ICR(0x1234, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT));
    clear_events();
    CHECK(lapic_cpu_mode() == LAPIC_MODE_X2APIC);

    /* Already in x2APIC mode (firmware's choice): nothing to write. */
    boot_x2apic();
    CHECK_EQ_U64(lapic_switch_to_x2apic(), LAPIC_OK);
    CHECK_NO_EVENTS();

    /* No x2APIC in CPUID: EXTD would be a #GP; nothing written, still xAPIC. */
    memset(&fk, 0, sizeof fk);
    fk.has_leaf1 = true;
    fk.edx = EDX_APIC;
    fk.apic_base = XAPIC_PAGE | BASE_BSP | BASE_EN;
    REQUIRE(lapic_init() == LAPIC_OK);
    clear_events();
    CHECK_EQ_U64(lapic_switch_to_x2apic(), LAPIC_E_X2APIC_CPUID);
    CHECK_NO_EVENTS();
    CHECK(lapic_mode() == LAPIC_MODE_XAPIC);

    /* No APIC at all. */
    memset(&fk, 0, sizeof fk);
    CHECK_EQ_U64(lapic_init(), LAPIC_E_NO_APIC);
    clear_events();
    CHECK_EQ_U64(lapic_switch_to_x2apic(), LAPIC_E_NO_APIC);
    CHECK_NO_EVENTS();
    CHECK(lapic_cpu_mode() == LAPIC_MODE_OFF);
}

/* test.smp_firmware_x2apic: the APIC left as firmware that hands over in x2APIC mode leaves
 * it, through xAPIC from a disabled APIC (the two steps of SDM vol. 3A figure 10-27), and
 * lapic_init then finds x2APIC mode by itself. */
static void enter_x2apic_as_firmware(void)
{
    memset(&fk, 0, sizeof fk);
    fk.has_leaf1 = true;
    fk.ecx = ECX_X2APIC;
    fk.edx = EDX_APIC;
    fk.apic_base = XAPIC_PAGE | BASE_BSP;               /* globally disabled */
    CHECK_EQ_U64(lapic_enter_x2apic_as_firmware(), LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE), WRMSR(MSR_APIC_BASE, XAPIC_PAGE | BASE_BSP | BASE_EN),
                 WRMSR(MSR_APIC_BASE, XAPIC_PAGE | BASE_BSP | BASE_EN | BASE_EXTD));
    clear_events();
    REQUIRE(lapic_init() == LAPIC_OK);
    CHECK(lapic_mode() == LAPIC_MODE_X2APIC);
    CHECK_EQ_U64(lapic_base(), 0);

    /* Already there: nothing written. */
    clear_events();
    CHECK_EQ_U64(lapic_enter_x2apic_as_firmware(), LAPIC_OK);
    CHECK_EVENTS(RDMSR(MSR_APIC_BASE));

    /* No x2APIC in CPUID, or no APIC: refused, nothing touched. */
    fk.ecx = 0;
    fk.apic_base = XAPIC_PAGE | BASE_BSP | BASE_EN;
    clear_events();
    CHECK_EQ_U64(lapic_enter_x2apic_as_firmware(), LAPIC_E_X2APIC_CPUID);
    CHECK_NO_EVENTS();
    fk.edx = 0;
    CHECK_EQ_U64(lapic_enter_x2apic_as_firmware(), LAPIC_E_NO_APIC);
    CHECK_NO_EVENTS();
}

/* lapic_cpu_mode reads this CPU's own IA32_APIC_BASE, whatever the driver's mode. */
static void cpu_mode_read_back(void)
{
    boot_x2apic();
    fk.apic_base = XAPIC_PAGE | BASE_EN;                /* an AP that stayed in xAPIC */
    CHECK(lapic_cpu_mode() == LAPIC_MODE_XAPIC);
    fk.apic_base = XAPIC_PAGE;                          /* globally disabled */
    CHECK(lapic_cpu_mode() == LAPIC_MODE_OFF);
    fk.apic_base = XAPIC_PAGE | BASE_EN | BASE_EXTD;
    CHECK(lapic_cpu_mode() == LAPIC_MODE_X2APIC);
    boot_xapic();
    CHECK(lapic_cpu_mode() == LAPIC_MODE_XAPIC);
}

int main(void)
{
    check_suite = "test_lapic";
    RUN(mode_rule);
    RUN(init_keeps_firmware_mode);
    RUN(x2apic_start_ipis_above_255);
    RUN(xapic_start_ipis_mmio);
    RUN(xapic_refuses_what_it_cannot_address);
    RUN(xapic_pending_times_out);
    RUN(nmi_encoding_both_modes);
    RUN(wake_ipi_both_modes);
    RUN(id_and_eoi_both_modes);
    RUN(ap_enters_boot_cpu_mode);
    RUN(switch_to_x2apic);
    RUN(enter_x2apic_as_firmware);
    RUN(cpu_mode_read_back);
    return check_summary();
}
