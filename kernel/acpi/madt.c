/* The Multiple APIC Description Table (contract in acpi.h and acpi_impl.h; ACPI 6.5 §5.2.12):
 * the local APIC address and flags, then the interrupt controller entries one by one. Every
 * entry's length is checked against what remains of the table before it is read, so a length
 * of 0 or one running past the end is an error, never a loop or a read outside the table. */
#include "kernel/acpi/acpi_impl.h"

#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

/* The MADT after the common header (§5.2.12, table 5.19). */
#define MADT_LAPIC_ADDR     36      /* u32: local interrupt controller address */
#define MADT_FLAGS          40      /* u32: bit 0 PCAT_COMPAT, dual 8259s present */
#define MADT_ENTRIES        44      /* the first interrupt controller structure */

/* Every entry starts with its type and its length in bytes (§5.2.12, table 5.20). */
#define ENTRY_TYPE          0       /* u8 */
#define ENTRY_LENGTH        1       /* u8: the whole entry */
#define ENTRY_HEADER_BYTES  2
#define ENTRY_READ_MAX      16      /* the largest entry this file reads (x2APIC) */

/* Type 0, processor local APIC (§5.2.12.2, table 5.22). */
#define MADT_LAPIC              0
#define LAPIC_BYTES             8
#define LAPIC_ID                3   /* u8 */
#define LAPIC_FLAGS             4   /* u32, table 5.23 */
#define LAPIC_ID_BROADCAST      0xFFu   /* addresses every local APIC, never one CPU */
/* Type 1, I/O APIC (§5.2.12.3, table 5.24). */
#define MADT_IOAPIC             1
#define IOAPIC_BYTES            12
#define IOAPIC_ID               2   /* u8 */
#define IOAPIC_ADDR             4   /* u32 */
#define IOAPIC_GSI_BASE         8   /* u32 */
/* Type 2, interrupt source override (§5.2.12.5, table 5.25). */
#define MADT_OVERRIDE           2
#define OVERRIDE_BYTES          10
#define OVERRIDE_BUS            2   /* u8: 0 = ISA */
#define OVERRIDE_SOURCE         3   /* u8: the bus-relative IRQ */
#define OVERRIDE_GSI            4   /* u32 */
#define OVERRIDE_FLAGS          8   /* u16: MPS INTI flags */
/* Type 5, local APIC address override (§5.2.12.8, table 5.30). */
#define MADT_LAPIC_OVERRIDE     5
#define LAPIC_OVERRIDE_BYTES    12
#define LAPIC_OVERRIDE_ADDR     4   /* u64: replaces the 32-bit address of the header */
/* Type 9, processor local x2APIC (§5.2.12.12, table 5.37). */
#define MADT_X2APIC             9
#define X2APIC_BYTES            16
#define X2APIC_ID               4   /* u32 */
#define X2APIC_FLAGS            8   /* u32, table 5.23 as for type 0 */
#define X2APIC_ID_BROADCAST     0xFFFFFFFFu

/* Local APIC flags (§5.2.12.2, table 5.23). */
#define LAPIC_ENABLED           (1u << 0)   /* ready for use */
#define LAPIC_ONLINE_CAPABLE    (1u << 1)   /* not enabled, but firmware can enable it later */
/* ACPI 6.3 defined the online-capable bit with MADT revision 5; before it, bit 1 is
 * reserved and says nothing. */
#define MADT_REVISION_ONLINE_CAPABLE 5

struct madt_walk {
    const struct acpi_mem *mem;
    uint64_t addr;          /* the table */
    uint8_t revision;
    struct acpi_cpus *out;
};

/* The smallest length an entry of this type may have (the fields read here); 2 for types
 * this file skips, which need only their header. */
static uint8_t entry_min_bytes(uint8_t type)
{
    switch (type) {
    case MADT_LAPIC:          return LAPIC_BYTES;
    case MADT_IOAPIC:         return IOAPIC_BYTES;
    case MADT_OVERRIDE:       return OVERRIDE_BYTES;
    case MADT_LAPIC_OVERRIDE: return LAPIC_OVERRIDE_BYTES;
    case MADT_X2APIC:         return X2APIC_BYTES;
    default:                  return ENTRY_HEADER_BYTES;
    }
}

/* A processor entry (type 0 or 9): enabled, online-capable or disabled (§5.2.12.2). */
static void add_processor(struct madt_walk *w, uint32_t id, uint32_t flags, bool bad_id)
{
    struct acpi_cpus *c = w->out;
    if (!(flags & LAPIC_ENABLED)) {
        c->disabled++;
        if (w->revision >= MADT_REVISION_ONLINE_CAPABLE && (flags & LAPIC_ONLINE_CAPABLE))
            c->online_capable++;
        return;
    }
    if (bad_id) {
        kprintf("acpi: MADT: an enabled processor has the broadcast APIC ID 0x%x; ignored\n",
                id);
        c->dropped++;
        return;
    }
    acpi_cpus_add(c, id, "MADT");
}

static void add_override(struct acpi_cpus *c, const uint8_t *e)
{
    if (c->override_count == ACPI_OVERRIDES_MAX) {
        kprintf("acpi: MADT: more than %u interrupt source overrides; IRQ %u left out\n",
                ACPI_OVERRIDES_MAX, e[OVERRIDE_SOURCE]);
        return;
    }
    c->overrides[c->override_count++] = (struct acpi_irq_override){
        e[OVERRIDE_BUS], e[OVERRIDE_SOURCE], ld16(e + OVERRIDE_FLAGS), ld32(e + OVERRIDE_GSI)};
}

/* Records what one entry (of a length already checked for its type) says. */
static void take_entry(struct madt_walk *w, const uint8_t *e)
{
    struct acpi_cpus *c = w->out;
    switch (e[ENTRY_TYPE]) {
    case MADT_LAPIC:
        add_processor(w, e[LAPIC_ID], ld32(e + LAPIC_FLAGS), e[LAPIC_ID] == LAPIC_ID_BROADCAST);
        break;
    case MADT_X2APIC:
        add_processor(w, ld32(e + X2APIC_ID), ld32(e + X2APIC_FLAGS),
                      ld32(e + X2APIC_ID) == X2APIC_ID_BROADCAST);
        break;
    case MADT_IOAPIC:
        acpi_cpus_add_ioapic(c, e[IOAPIC_ID], ld32(e + IOAPIC_ADDR), ld32(e + IOAPIC_GSI_BASE),
                             "MADT");
        break;
    case MADT_OVERRIDE:
        add_override(c, e);
        break;
    case MADT_LAPIC_OVERRIDE:
        c->lapic_addr = ld64(e + LAPIC_OVERRIDE_ADDR);
        kprintf("acpi: MADT: local APIC address overridden to 0x%llx\n",
                (unsigned long long)c->lapic_addr);
        break;
    default:
        break;                  /* NMI sources, SAPICs, GIC...: nothing the kernel uses yet */
    }
}

/* The entry at offset off of a len-byte table: its length, checked, into *elen. */
static enum acpi_err entry_at(struct madt_walk *w, uint32_t index, uint64_t off, uint64_t len,
                              uint8_t *e, uint8_t *elen)
{
    uint64_t left = len - off;
    enum acpi_err err;
    if (left < ENTRY_HEADER_BYTES) {
        kprintf("acpi: MADT entry %u at offset %llu: %llu byte left, less than an entry "
                "header\n", index, (unsigned long long)off, (unsigned long long)left);
        return ACPI_E_ENTRY_LENGTH;
    }
    if ((err = acpi_read(w->mem, w->addr + off, e, ENTRY_HEADER_BYTES)) != ACPI_OK)
        return err;
    *elen = e[ENTRY_LENGTH];
    uint8_t min = entry_min_bytes(e[ENTRY_TYPE]);
    if (*elen < min || *elen > left) {
        kprintf("acpi: MADT entry %u (type %u) at offset %llu: length %u, want %u to %llu\n",
                index, e[ENTRY_TYPE], (unsigned long long)off, *elen, min,
                (unsigned long long)left);
        return ACPI_E_ENTRY_LENGTH;
    }
    size_t n = *elen < ENTRY_READ_MAX ? *elen : ENTRY_READ_MAX;
    return acpi_read(w->mem, w->addr + off, e, n);
}

enum acpi_err acpi_madt_parse(const struct acpi_mem *mem, uint64_t addr, uint32_t len,
                              uint8_t revision, struct acpi_cpus *out)
{
    uint8_t fixed[MADT_ENTRIES];
    struct madt_walk w = {mem, addr, revision, out};
    if (len < MADT_ENTRIES) {
        kprintf("acpi: MADT length %u, below its %u-byte fixed part\n", len, MADT_ENTRIES);
        return ACPI_E_LENGTH;
    }
    enum acpi_err err = acpi_read(mem, addr, fixed, sizeof fixed);
    if (err != ACPI_OK)
        return err;
    acpi_cpus_reset(out, ACPI_CPUS_MADT);
    out->lapic_addr = ld32(fixed + MADT_LAPIC_ADDR);
    out->madt_flags = ld32(fixed + MADT_FLAGS);
    uint32_t index = 0;
    for (uint64_t off = MADT_ENTRIES; off < len; index++) {
        uint8_t e[ENTRY_READ_MAX] = {0}, elen;
        if ((err = entry_at(&w, index, off, len, e, &elen)) != ACPI_OK)
            return err;
        take_entry(&w, e);
        off += elen;            /* elen >= ENTRY_HEADER_BYTES: the walk always advances */
    }
    if (out->count == 0) {
        kprintf("acpi: MADT lists no enabled processor (%u disabled)\n", out->disabled);
        return ACPI_E_NO_CPUS;
    }
    return ACPI_OK;
}

enum acpi_err acpi_madt_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             struct acpi_cpus *out)
{
    struct acpi_rsdp rsdp;
    uint64_t madt;
    uint32_t len;
    uint8_t revision;
    acpi_cpus_reset(out, ACPI_CPUS_MADT);
    enum acpi_err err = acpi_find_rsdp(mem, low, &rsdp);
    if (err == ACPI_OK)
        err = acpi_find_madt(mem, &rsdp, &madt, &len, &revision);
    if (err == ACPI_OK)
        err = acpi_madt_parse(mem, madt, len, revision, out);
    return err;
}
