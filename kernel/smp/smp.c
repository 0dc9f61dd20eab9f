/* Starting the APs (contract in smp.h): the trampoline page, INIT-STARTUP-STARTUP with the
 * delays of Intel SDM vol. 3A §8.4.4.1 (10 ms after INIT, 200 us between the STARTUP IPIs)
 * timed with the calibrated TSC, a bounded wait for each AP, and the outcome of every CPU
 * recorded for the cpus JSON line. The boot CPU only, interrupts on. */
#include "kernel/smp/smp.h"

#include <string.h>

#include "kernel/arch/x86/lapic.h"
#include "kernel/core/bootcheck.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/log.h"
#include "kernel/core/tsc.h"
#include "kernel/smp/smp_arch.h"
#include "kernel/smp/smp_impl.h"

#define US_PER_MS           1000u
#define US_PER_S            1000000ull
#define APIC_ID_MAX         0xFFFFFFFFu
#define STR_(x)             #x
#define STR(x)              STR_(x)

struct cpu_local smp_cpus[SMP_MAX_CPUS];
volatile uint32_t smp_started = 1;

uint32_t cpu_count_started(void)
{
    return smp_started;
}

/* Waits us microseconds by the TSC (smp_start checked it is calibrated). */
void smp_delay_us(uint64_t us)
{
    uint64_t cycles = us * tsc_hz() / US_PER_S;
    uint64_t t0 = tsc_read();
    while (tsc_read() - t0 < cycles)
        __asm__ volatile("pause");
}

/* Waits up to ms for *flag to become non-zero; true if it did. */
static bool wait_flag(volatile uint32_t *flag, uint32_t ms)
{
    uint64_t limit = (uint64_t)ms * US_PER_MS * tsc_hz() / US_PER_S;
    uint64_t t0 = tsc_read();
    while (!*flag) {
        if (tsc_read() - t0 >= limit)
            return *flag != 0;
        __asm__ volatile("pause");
    }
    return true;
}

/* The trampoline page checked against the E820 map and filled; *vector its STARTUP vector. */
static enum smp_err place_trampoline(uint8_t *vector)
{
    const struct boot_info *bi = kernel_boot_info();
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
    if (!bi || !ap_page_usable(bi->e820, bi->e820_count, AP_TRAMPOLINE_ADDR,
                               AP_TRAMPOLINE_BYTES)) {
        kprintf("smp: the trampoline page 0x%05x is not usable RAM in the E820 map: "
                "APs not started\n", AP_TRAMPOLINE_ADDR);
        return SMP_E_PAGE;
    }
    if (len > AP_PARAMS_OFFSET) {
        kprintf("smp: the trampoline of %u bytes does not fit its %u\n", (unsigned)len,
                AP_PARAMS_OFFSET);
        return SMP_E_TRAMPOLINE;
    }
    memcpy((void *)(uintptr_t)AP_TRAMPOLINE_ADDR, ap_trampoline_start, len);
    *vector = (uint8_t)ap_sipi_vector(AP_TRAMPOLINE_ADDR);
    _Static_assert(AP_TRAMPOLINE_ADDR % AP_SIPI_PAGE_BYTES == 0 &&
                   AP_TRAMPOLINE_ADDR < AP_SIPI_REACH, "a page a STARTUP IPI reaches");
    return SMP_OK;
}

/* The AP runs with the boot CPU's control registers, or the matmul kernels would fault. */
static void check_same_state(const struct cpu_local *c)
{
    const struct cpu_local *b = &smp_cpus[0];
    if (c->apic_mode != b->apic_mode)
        kprintf("smp: CPU %u's local APIC is in %s mode, the boot CPU's in %s mode\n", c->index,
                lapic_mode_name((enum lapic_mode)c->apic_mode),
                lapic_mode_name((enum lapic_mode)b->apic_mode));
    if (c->cr0 != b->cr0 || c->cr4 != b->cr4 || c->xcr0 != b->xcr0)
        kprintf("smp: CPU %u runs with CR0 0x%llx CR4 0x%llx XCR0 0x%llx, the boot CPU with "
                "0x%llx 0x%llx 0x%llx\n", c->index, (unsigned long long)c->cr0,
                (unsigned long long)c->cr4, (unsigned long long)c->xcr0,
                (unsigned long long)b->cr0, (unsigned long long)b->cr4,
                (unsigned long long)b->xcr0);
}

/* Starts the AP apic_id as CPU smp_started; SMP_OK once it runs. */
static enum smp_err start_one(uint32_t apic_id, uint8_t vector, bool withheld)
{
    struct cpu_local *c = &smp_cpus[smp_started];
    struct ap_boot_params *p = (struct ap_boot_params *)(uintptr_t)AP_PARAMS_ADDR;
    *c = (struct cpu_local){.self = c, .index = smp_started, .apic_id = apic_id};
    memset(p, 0, sizeof *p);
    if (!smp_arch_prepare_ap(c, p)) {
        /* INIT: it waits for a STARTUP that never comes, out of the panic NMI's way. */
        (void)lapic_send_ipi(apic_id, LAPIC_DM_INIT);
        kprintf("smp: APIC ID %u: %s; left out\n", apic_id, smp_strerror(SMP_E_ARCH));
        return SMP_E_ARCH;
    }
    enum smp_err err = ap_send_start_ipis(apic_id, vector, withheld);
    if (err == SMP_OK && !wait_flag(&c->started, SMP_ANSWER_MS))
        err = SMP_E_NO_ANSWER;
    if (err != SMP_OK) {
        /* INIT again: a late AP stops before it reads the next AP's parameters. */
        (void)lapic_send_ipi(apic_id, LAPIC_DM_INIT);
        kprintf("smp: APIC ID %u: %s (%s%s); left out\n", apic_id, smp_strerror(err),
                p->reached == AP_REACHED_TRAMPOLINE ? "it reached the trampoline" :
                "it never reached the trampoline", withheld ? ", STARTUP withheld by "
                SMP_OPT_WITHHOLD : "");
        return err;
    }
    check_same_state(c);
    kprintf("smp: CPU %u (APIC ID %u) started: stack top 0x%08llx, guard page 0x%08llx\n",
            c->index, apic_id, (unsigned long long)c->stack_top,
            (unsigned long long)c->stack_guard);
    smp_started++;
    return SMP_OK;
}

/* The CPU limit: SMP_MAX_CPUS, or smp=N below it. */
static uint32_t cpu_limit(void)
{
    const char *text = cmdline_value(SMP_OPT_LIMIT);
    uint32_t n;
    if (!text)
        return SMP_MAX_CPUS;
    if (!ap_parse_u32(text, SMP_MAX_CPUS, &n) || n == 0) {
        kprintf("smp: " SMP_OPT_LIMIT "=%s is not a CPU count from 1 to %u; ignored\n", text,
                SMP_MAX_CPUS);
        return SMP_MAX_CPUS;
    }
    return n;
}

/* test.smp_withhold=APICID, or APIC_ID_MAX for none. */
static uint32_t withheld_id(void)
{
    const char *text = cmdline_value(SMP_OPT_WITHHOLD);
    uint32_t id;
    if (!text)
        return APIC_ID_MAX;
    if (!ap_parse_u32(text, lapic_max_id(), &id)) {
        kprintf("smp: " SMP_OPT_WITHHOLD "=%s is not an APIC ID; ignored\n", text);
        return APIC_ID_MAX;
    }
    return id;
}

/* Marks every listed CPU but the boot CPU with state (no AP is started). */
static void mark_others(struct acpi_cpus *cpus, uint32_t boot_id, enum acpi_cpu_state state)
{
    for (uint32_t i = 0; i < cpus->count; i++)
        cpus->state[i] = cpus->apic_ids[i] == boot_id ? ACPI_CPU_BOOT : state;
}

/* apic=x2apic: the boot CPU leaves xAPIC mode before any AP starts; each AP follows in
 * lapic_enable. Anything else, or a CPU without x2APIC, keeps the firmware's mode. */
static void apply_apic_option(void)
{
    const char *want = cmdline_value(SMP_OPT_APIC);
    if (!want)
        return;
    if (strcmp(want, SMP_APIC_X2APIC) != 0) {
        kprintf("smp: " SMP_OPT_APIC "=%s is not " SMP_APIC_X2APIC "; ignored\n", want);
        return;
    }
    enum lapic_mode before = lapic_mode();
    enum lapic_err err = lapic_switch_to_x2apic();
    if (err != LAPIC_OK)
        kprintf("smp: " SMP_OPT_APIC "=" SMP_APIC_X2APIC " not applied: %s; staying in %s "
                "mode\n", lapic_strerror(err), lapic_mode_name(lapic_mode()));
    else if (before != LAPIC_MODE_X2APIC)
        kprintf("smp: the local APIC switched from %s to x2APIC mode (" SMP_OPT_APIC "="
                SMP_APIC_X2APIC "): MSR access, 32-bit APIC IDs\n", lapic_mode_name(before));
}

/* test.smp_firmware_x2apic=1: the boot CPU's APIC as firmware that hands over in x2APIC mode
 * leaves it, so the boot takes the path such a PC takes (lapic_init finding EXTD set). */
static void apply_firmware_x2apic_hook(void)
{
    const char *text = cmdline_value(SMP_OPT_FIRMWARE_X2APIC);
    if (!text)
        return;
    if (strcmp(text, "1") != 0) {
        kprintf("smp: " SMP_OPT_FIRMWARE_X2APIC "=%s is not 1; ignored\n", text);
        return;
    }
    enum lapic_err err = lapic_enter_x2apic_as_firmware();
    if (err != LAPIC_OK)
        kprintf("smp: " SMP_OPT_FIRMWARE_X2APIC ": %s; the APIC left as it was\n",
                lapic_strerror(err));
}

static enum smp_err prepare_boot_cpu(void)
{
    if (tsc_hz() == 0)
        return SMP_E_NO_TSC;
    apply_firmware_x2apic_hook();
    enum lapic_err lerr = lapic_init();
    if (lerr != LAPIC_OK) {
        kprintf("smp: %s\n", lapic_strerror(lerr));
        return SMP_E_NO_LAPIC;
    }
    if (lapic_mode() == LAPIC_MODE_X2APIC)
        kprintf("smp: the local APIC is in x2APIC mode (firmware's choice): MSR access, "
                "32-bit APIC IDs\n");
    apply_apic_option();
    smp_cpus[0] = (struct cpu_local){.self = &smp_cpus[0], .index = 0, .apic_id = lapic_id()};
    smp_arch_init_boot_cpu(&smp_cpus[0]);
    lapic_enable(SMP_SPURIOUS_VECTOR);
    smp_cpus[0].apic_mode = lapic_cpu_mode();
    return SMP_OK;
}

/* The cpus JSON line's mode fields: the boot CPU's mode, and how many started CPUs run in it
 * by their own IA32_APIC_BASE. */
static void record_modes(struct acpi_cpus *cpus)
{
    uint32_t same = 0;
    for (uint32_t i = 0; i < smp_started; i++)
        same += smp_cpus[i].apic_mode == smp_cpus[0].apic_mode;
    cpus->apic_mode = lapic_mode_name((enum lapic_mode)smp_cpus[0].apic_mode);
    cpus->cpus_in_mode = same;
}

/* The APs in table order, each one started or left out; the first error, or SMP_OK. */
static enum smp_err start_all(struct acpi_cpus *cpus, uint8_t vector)
{
    uint32_t boot_id = smp_cpus[0].apic_id, limit = cpu_limit(), withhold = withheld_id();
    enum smp_err first = SMP_OK;
    for (uint32_t i = 0; i < cpus->count; i++) {
        uint32_t id = cpus->apic_ids[i];
        if (id == boot_id)
            continue;
        if (id > lapic_max_id()) {
            /* No IPI can name it: an xAPIC would take the low 8 bits, another CPU's ID. */
            kprintf("smp: APIC ID %u is beyond what %s mode addresses (IDs 0 to %u); left "
                    "out\n", id, lapic_mode_name(lapic_mode()), lapic_max_id());
            cpus->state[i] = ACPI_CPU_LEFT_OUT;
            continue;
        }
        if (smp_started >= limit) {
            cpus->state[i] = ACPI_CPU_LEFT_OUT;
            /* INIT parks it in wait-for-SIPI, where the panic path's NMI leaves it be. */
            (void)lapic_send_ipi(id, LAPIC_DM_INIT);
            continue;
        }
        enum smp_err err = start_one(id, vector, id == withhold);
        cpus->state[i] = err == SMP_OK ? ACPI_CPU_STARTED :
                         err == SMP_E_ARCH ? ACPI_CPU_LEFT_OUT : ACPI_CPU_NO_ANSWER;
        if (err != SMP_OK && first == SMP_OK)
            first = err;
    }
    return first;
}

enum smp_err smp_start(struct acpi_cpus *cpus)
{
    cpus->start_tried = true;
    enum smp_err err = prepare_boot_cpu();
    if (err != SMP_OK) {
        kprintf("smp: %s: only the boot CPU runs\n", smp_strerror(err));
        mark_others(cpus, lapic_mode() != LAPIC_MODE_OFF ? lapic_id() : APIC_ID_MAX,
                    ACPI_CPU_LEFT_OUT);
        return err;
    }
    mark_others(cpus, smp_cpus[0].apic_id, ACPI_CPU_LISTED);
    uint8_t vector = 0;
    err = cpus->count > 1 ? place_trampoline(&vector) : SMP_OK;
    if (err != SMP_OK) {
        mark_others(cpus, smp_cpus[0].apic_id, ACPI_CPU_LEFT_OUT);
        record_modes(cpus);
        return err;
    }
    /* One CPU listed: nothing to start (and no trampoline was placed), even if the ID the
     * tables gave differs from the boot CPU's own. */
    err = cpus->count > 1 ? start_all(cpus, vector) : SMP_OK;
    kprintf("smp: %u of %u CPUs run (limit %u)\n", smp_started, cpus->count, cpu_limit());
    record_modes(cpus);
    smp_test_ap_fault();
    return err;
}

const char *smp_strerror(enum smp_err err)
{
    switch (err) {
    case SMP_OK:           return "ok";
    case SMP_E_NO_LAPIC:   return "no usable local APIC";
    case SMP_E_PAGE:       return "the trampoline page is not usable";
    case SMP_E_TRAMPOLINE: return "the trampoline does not fit its page";
    case SMP_E_NO_TSC:     return "the TSC is not calibrated, so the start-up delays cannot be timed";
    case SMP_E_NO_ANSWER:  return "no answer within " STR(SMP_ANSWER_MS) " ms";
    case SMP_E_IPI:        return "an IPI stayed pending at the local APIC";
    case SMP_E_ARCH:       return "the AP's stack and tables could not be prepared";
    }
    return "unknown smp error";
}
