/* The CPU list (contract in acpi.h): recording what the MADT or MP parser found, the fallback
 * order (MADT, MP table, the boot CPU alone), the boot log line and the JSON line the tests
 * read, and the subsystem's error names. */
#include "kernel/acpi/acpi_impl.h"

#include "kernel/core/log.h"
#include "kernel/lib/array.h"

void acpi_cpus_reset(struct acpi_cpus *c, enum acpi_cpus_source source)
{
    *c = (struct acpi_cpus){0};
    c->source = source;
}

static bool have_id(const struct acpi_cpus *c, uint32_t apic_id)
{
    for (uint32_t i = 0; i < c->count; i++)
        if (c->apic_ids[i] == apic_id)
            return true;
    return false;
}

void acpi_cpus_add(struct acpi_cpus *c, uint32_t apic_id, const char *table)
{
    /* Firmware may list a CPU twice (an xAPIC and an x2APIC entry); starting it twice
     * later would be a bug, so a repeat is dropped here. */
    if (have_id(c, apic_id)) {
        kprintf("acpi: %s lists APIC ID %u again; ignored\n", table, apic_id);
        c->dropped++;
        return;
    }
    if (c->count == ACPI_CPUS_MAX) {
        kprintf("acpi: %s: more than %u enabled CPUs; APIC ID %u left out\n", table,
                ACPI_CPUS_MAX, apic_id);
        c->dropped++;
        return;
    }
    c->apic_ids[c->count++] = apic_id;
}

void acpi_cpus_add_ioapic(struct acpi_cpus *c, uint32_t id, uint32_t addr, uint32_t gsi_base,
                          const char *table)
{
    if (c->ioapic_count == ACPI_IOAPICS_MAX) {
        kprintf("acpi: %s: more than %u IO APICs; IO APIC %u left out\n", table,
                ACPI_IOAPICS_MAX, id);
        return;
    }
    c->ioapics[c->ioapic_count++] = (struct acpi_ioapic){id, addr, gsi_base};
}

enum acpi_err acpi_find_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             uint32_t boot_apic_id, struct acpi_cpus *out)
{
    if (low->ebda_segment != 0 && acpi_ebda_base(low) == 0)
        kprintf("acpi: EBDA segment 0x%04x is outside conventional memory; not searched\n",
                low->ebda_segment);
    enum acpi_err err = acpi_madt_cpus(mem, low, out);
    if (err == ACPI_OK)
        return ACPI_OK;
    kprintf("acpi: no usable MADT (%s); trying the MP table\n", acpi_strerror(err));
    err = acpi_mp_cpus(mem, low, out);
    if (err == ACPI_OK)
        return ACPI_OK;
    acpi_cpus_reset(out, ACPI_CPUS_NONE);
    out->apic_ids[out->count++] = boot_apic_id;
    kprintf("acpi: no usable MADT or MP table (%s): only the boot CPU\n", acpi_strerror(err));
    return err;
}

const char *acpi_cpus_source_name(enum acpi_cpus_source s)
{
    switch (s) {
    case ACPI_CPUS_MADT: return "madt";
    case ACPI_CPUS_MP:   return "mp";
    default:             return "none";
    }
}

/* "MADT", "MP table", or "no table" at the head of the summary line. */
static const char *source_title(enum acpi_cpus_source s)
{
    return s == ACPI_CPUS_MADT ? "MADT" : s == ACPI_CPUS_MP ? "MP table" : "no table";
}

static void log_interrupts(const struct acpi_cpus *c)
{
    const char *title = source_title(c->source);
    for (uint32_t i = 0; i < c->ioapic_count; i++)
        kprintf("acpi: %s: IO APIC %u at 0x%08x, GSI base %u\n", title, c->ioapics[i].id,
                c->ioapics[i].addr, c->ioapics[i].gsi_base);
    if (c->override_count == 0)
        return;
    kprintf("acpi: %s: IRQ overrides (IRQ->GSI/flags):", title);
    for (uint32_t i = 0; i < c->override_count; i++)
        kprintf(" %u->%u/0x%x", c->overrides[i].irq, c->overrides[i].gsi,
                c->overrides[i].flags);
    kprintf("\n");
}

static void log_summary(const struct acpi_cpus *c)
{
    kprintf("acpi: %s: %u CPU%s (APIC ID%s", source_title(c->source), c->count,
            c->count == 1 ? "" : "s", c->count == 1 ? "" : "s");
    for (uint32_t i = 0; i < c->count; i++)
        kprintf(" %u", c->apic_ids[i]);
    kprintf("), %u disabled", c->disabled);
    if (c->online_capable)
        kprintf(" (%u online-capable)", c->online_capable);
    if (c->dropped)
        kprintf(", %u dropped", c->dropped);
    if (c->lapic_addr)
        kprintf(", local APIC at 0x%08llx", (unsigned long long)c->lapic_addr);
    kprintf("\n");
}

/* ", \"<key>\": [<APIC IDs in state>]" */
static void log_json_ids(const struct acpi_cpus *c, const char *key, unsigned state,
                         unsigned state2)
{
    kprintf(", \"%s\": [", key);
    const char *sep = "";
    for (uint32_t i = 0; i < c->count; i++) {
        if (c->state[i] == state || c->state[i] == state2) {
            kprintf("%s%u", sep, c->apic_ids[i]);
            sep = ",";
        }
    }
    kprintf("]");
}

/* "started" counts the boot CPU even when no listed entry is known to be it: without a local
 * APIC its ID cannot be read, and a table may list a single CPU under another ID. */
static void log_json_started(const struct acpi_cpus *c)
{
    uint32_t started = 0;
    bool boot_listed = false;
    for (uint32_t i = 0; i < c->count; i++) {
        started += c->state[i] == ACPI_CPU_BOOT || c->state[i] == ACPI_CPU_STARTED;
        boot_listed = boot_listed || c->state[i] == ACPI_CPU_BOOT;
    }
    if (!boot_listed)
        started++;
    kprintf(", \"started\": %u", started);
    log_json_ids(c, "started_ids", ACPI_CPU_BOOT, ACPI_CPU_STARTED);
    log_json_ids(c, "no_answer_ids", ACPI_CPU_NO_ANSWER, ACPI_CPU_NO_ANSWER);
    log_json_ids(c, "left_out_ids", ACPI_CPU_LEFT_OUT, ACPI_CPU_LISTED);
    if (c->apic_mode)
        kprintf(", \"apic_mode\": \"%s\", \"cpus_in_mode\": %u", c->apic_mode,
                c->cpus_in_mode);
}

/* One line of valid JSON (RFC 8259): only numbers and a fixed word, nothing to escape. */
static void log_json(const struct acpi_cpus *c)
{
    kprintf("{\"cpus\": {\"source\": \"%s\", \"count\": %u, \"apic_ids\": [",
            acpi_cpus_source_name(c->source), c->count);
    for (uint32_t i = 0; i < c->count; i++)
        kprintf("%s%u", i ? "," : "", c->apic_ids[i]);
    kprintf("], \"disabled\": %u, \"online_capable\": %u", c->disabled, c->online_capable);
    if (c->start_tried)
        log_json_started(c);
    kprintf("}}\n");
}

void acpi_cpus_log(const struct acpi_cpus *c)
{
    log_summary(c);
    log_interrupts(c);
    log_json(c);
}

const char *acpi_strerror(enum acpi_err err)
{
    static const char *const names[] = {
        [ACPI_OK] = "ok",
        [ACPI_E_NO_RSDP] = "no RSDP",
        [ACPI_E_UNMAPPED] = "outside the memory the kernel maps",
        [ACPI_E_READ] = "memory read failed",
        [ACPI_E_SIGNATURE] = "wrong signature",
        [ACPI_E_LENGTH] = "bad length",
        [ACPI_E_CHECKSUM] = "bad checksum",
        [ACPI_E_NO_MADT] = "no MADT",
        [ACPI_E_ENTRY_LENGTH] = "bad MADT entry length",
        [ACPI_E_NO_CPUS] = "no enabled processor",
        [ACPI_E_NO_MP] = "no MP floating pointer",
        [ACPI_E_MP_ENTRY] = "bad MP table entry",
        [ACPI_E_FIELD] = "undefined field value",
    };
    if ((unsigned)err >= ARRAY_SIZE(names) || !names[err])
        return "unknown acpi error";
    return names[err];
}
