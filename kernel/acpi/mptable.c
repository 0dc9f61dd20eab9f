/* The Intel MultiProcessor Specification 1.4 tables, the fallback for firmware without a
 * usable MADT (contract in acpi.h): the "_MP_" floating pointer (§4.1) in the EBDA's first
 * KiB (or the last KiB of base memory without an EBDA) or 0xF0000-0xFFFFF, then the "PCMP"
 * configuration table (§4.2) and its base entries (§4.3), or one of the default
 * configurations (§5) when the floating pointer names one. */
#include "kernel/acpi/acpi_impl.h"

#include <string.h>

#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

/* MP floating pointer structure (§4.1, table 4-1). */
#define MPF_SIGNATURE       0       /* 4 bytes MPF_SIGNATURE_TEXT */
#define MPF_SIGNATURE_TEXT  "_MP_"
#define MP_SIGNATURE_LEN    4
#define MPF_CONFIG_ADDR     4       /* u32: the configuration table, 0 if none */
#define MPF_LENGTH          8       /* u8: in 16-byte paragraphs, always 1 */
#define MPF_SPEC_REV        9       /* u8: 1 for MP spec 1.1, 4 for 1.4 */
#define MPF_FEATURE1        11      /* u8: 0 = a configuration table exists; else the default
                                     * configuration's number */
#define MPF_BYTES           16
#define MPF_PARAGRAPHS      1
#define MPF_DEFAULT_MAX     7       /* §5: default configurations 1 to 7 */

/* MP configuration table header (§4.2, table 4-2). */
#define MPC_SIGNATURE       0       /* 4 bytes MPC_SIGNATURE_TEXT */
#define MPC_SIGNATURE_TEXT  "PCMP"
#define MPC_BASE_LENGTH     4       /* u16: header and base entries, in bytes */
#define MPC_ENTRY_COUNT     34      /* u16: base entries */
#define MPC_LAPIC_ADDR      36      /* u32 */
#define MPC_HEADER_BYTES    44

/* Base entries (§4.3, table 4-3): the type byte fixes the size. */
#define MP_PROCESSOR        0
#define MP_PROCESSOR_BYTES  20
#define MP_BUS              1
#define MP_IOAPIC           2
#define MP_IO_INTERRUPT     3
#define MP_LOCAL_INTERRUPT  4
#define MP_SMALL_ENTRY_BYTES 8      /* bus, I/O APIC and both interrupt assignment entries */
#define MP_ENTRY_READ_MAX   MP_PROCESSOR_BYTES
/* Processor entry (§4.3.1, table 4-4). */
#define MP_CPU_APIC_ID      1       /* u8 */
#define MP_CPU_FLAGS        3       /* u8 */
#define MP_CPU_ENABLED      (1u << 0)   /* EN: usable; clear means the OS must not use it */
/* I/O APIC entry (§4.3.3, table 4-6). */
#define MP_IOAPIC_ID        1       /* u8 */
#define MP_IOAPIC_FLAGS     3       /* u8 */
#define MP_IOAPIC_ENABLED   (1u << 0)
#define MP_IOAPIC_ADDR      4       /* u32 */

/* The default configurations (§5): two processors with local APIC IDs 0 and 1, the local
 * APICs and the one I/O APIC (ID 2) at the architectural addresses. */
#define MP_DEFAULT_CPUS         2
#define MP_DEFAULT_LAPIC_ADDR   0xFEE00000u
#define MP_DEFAULT_IOAPIC_ID    2
#define MP_DEFAULT_IOAPIC_ADDR  0xFEC00000u

#define MP_TABLE_NAME       "MP table"

/* Checks the candidate at addr; ACPI_E_SIGNATURE (silent) if it is not one. */
static enum acpi_err mpf_check(const struct acpi_mem *mem, uint64_t addr, uint8_t *f)
{
    enum acpi_err err = acpi_read(mem, addr, f, MPF_BYTES);
    if (err != ACPI_OK)
        return err;
    if (memcmp(f + MPF_SIGNATURE, MPF_SIGNATURE_TEXT, MP_SIGNATURE_LEN) != 0)
        return ACPI_E_SIGNATURE;
    if (f[MPF_LENGTH] != MPF_PARAGRAPHS) {
        kprintf("acpi: MP floating pointer at 0x%llx: length %u paragraphs, want %u\n",
                (unsigned long long)addr, f[MPF_LENGTH], MPF_PARAGRAPHS);
        return ACPI_E_LENGTH;
    }
    uint8_t sum = 0;
    for (int i = 0; i < MPF_BYTES; i++)
        sum = (uint8_t)(sum + f[i]);
    if (sum != 0) {
        kprintf("acpi: MP floating pointer at 0x%llx: checksum 0x%02x, want 0\n",
                (unsigned long long)addr, sum);
        return ACPI_E_CHECKSUM;
    }
    return ACPI_OK;
}

/* Finds a valid floating pointer (16 bytes into f); ACPI_E_NO_MP, logged, if none. */
static enum acpi_err mpf_find(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                              uint8_t *f)
{
    struct acpi_area areas[ACPI_SEARCH_AREAS_MAX];
    size_t n = acpi_search_areas(low, true, ACPI_MP_ROM_START, areas);
    for (size_t i = 0; i < n; i++) {
        const struct acpi_area *a = &areas[i];
        for (uint64_t p = a->base; p + MPF_BYTES <= a->base + a->len; p += ACPI_PARAGRAPH) {
            enum acpi_err err = mpf_check(mem, p, f);
            if (err == ACPI_OK) {
                kprintf("acpi: MP floating pointer at 0x%llx in the %s, spec revision %u, "
                        "configuration table 0x%08x\n", (unsigned long long)p, a->name,
                        f[MPF_SPEC_REV], ld32(f + MPF_CONFIG_ADDR));
                return ACPI_OK;
            }
            if (err == ACPI_E_UNMAPPED || err == ACPI_E_READ) {
                kprintf("acpi: cannot read the %s at 0x%llx (%s); MP search there stopped\n",
                        a->name, (unsigned long long)p, acpi_strerror(err));
                break;
            }
        }
    }
    acpi_log_not_found("MP floating pointer (\"" MPF_SIGNATURE_TEXT "\")", areas, n);
    return ACPI_E_NO_MP;
}

/* One of the default configurations of §5: no table to read. */
static enum acpi_err mp_default(uint8_t config, struct acpi_cpus *out)
{
    if (config > MPF_DEFAULT_MAX) {
        kprintf("acpi: MP floating pointer: default configuration %u, want 1 to %u\n", config,
                MPF_DEFAULT_MAX);
        return ACPI_E_FIELD;
    }
    kprintf("acpi: MP default configuration %u: %u CPUs, APIC IDs 0 and 1\n", config,
            MP_DEFAULT_CPUS);
    for (uint32_t id = 0; id < MP_DEFAULT_CPUS; id++)
        acpi_cpus_add(out, id, MP_TABLE_NAME);
    out->lapic_addr = MP_DEFAULT_LAPIC_ADDR;
    acpi_cpus_add_ioapic(out, MP_DEFAULT_IOAPIC_ID, MP_DEFAULT_IOAPIC_ADDR, 0, MP_TABLE_NAME);
    return ACPI_OK;
}

/* The configuration table header at addr: signature, length, checksum. */
static enum acpi_err mpc_check(const struct acpi_mem *mem, uint64_t addr, uint8_t *h)
{
    enum acpi_err err = acpi_read_logged(mem, addr, h, MPC_HEADER_BYTES, MP_TABLE_NAME);
    if (err != ACPI_OK)
        return err;
    if (memcmp(h + MPC_SIGNATURE, MPC_SIGNATURE_TEXT, MP_SIGNATURE_LEN) != 0) {
        kprintf("acpi: MP table at 0x%llx: signature is not \"%s\"\n",
                (unsigned long long)addr, MPC_SIGNATURE_TEXT);
        return ACPI_E_SIGNATURE;
    }
    uint16_t len = ld16(h + MPC_BASE_LENGTH);   /* u16: at most 64 KiB by its type */
    uint8_t sum;
    if (len < MPC_HEADER_BYTES) {
        kprintf("acpi: MP table length %u, below its %u-byte header\n", len, MPC_HEADER_BYTES);
        return ACPI_E_LENGTH;
    }
    if ((err = acpi_sum(mem, addr, len, &sum)) != ACPI_OK) {
        kprintf("acpi: MP table at 0x%llx, %u bytes: %s\n", (unsigned long long)addr, len,
                acpi_strerror(err));
        return err;
    }
    if (sum != 0) {
        kprintf("acpi: MP table checksum 0x%02x, want 0 (table at 0x%llx, %u bytes)\n", sum,
                (unsigned long long)addr, len);
        return ACPI_E_CHECKSUM;
    }
    return ACPI_OK;
}

/* The size of a base entry of this type; 0 for a type §4.3 does not define. */
static uint32_t mp_entry_bytes(uint8_t type)
{
    switch (type) {
    case MP_PROCESSOR:       return MP_PROCESSOR_BYTES;
    case MP_BUS:
    case MP_IOAPIC:
    case MP_IO_INTERRUPT:
    case MP_LOCAL_INTERRUPT: return MP_SMALL_ENTRY_BYTES;
    default:                 return 0;
    }
}

static void mp_take_entry(const uint8_t *e, struct acpi_cpus *out)
{
    if (e[0] == MP_PROCESSOR) {
        if (e[MP_CPU_FLAGS] & MP_CPU_ENABLED)
            acpi_cpus_add(out, e[MP_CPU_APIC_ID], MP_TABLE_NAME);
        else
            out->disabled++;
    } else if (e[0] == MP_IOAPIC && (e[MP_IOAPIC_FLAGS] & MP_IOAPIC_ENABLED)) {
        acpi_cpus_add_ioapic(out, e[MP_IOAPIC_ID], ld32(e + MP_IOAPIC_ADDR), 0, MP_TABLE_NAME);
    }
}

/* The base entries of the checked table at addr: count of them within len bytes. */
static enum acpi_err mp_entries(const struct acpi_mem *mem, uint64_t addr, uint32_t len,
                                uint32_t count, struct acpi_cpus *out)
{
    uint64_t off = MPC_HEADER_BYTES;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e[MP_ENTRY_READ_MAX];
        enum acpi_err err;
        if (off >= len) {
            kprintf("acpi: MP table claims %u entries; entry %u would start at offset %llu, "
                    "past its %u bytes\n", count, i, (unsigned long long)off, len);
            return ACPI_E_MP_ENTRY;
        }
        if ((err = acpi_read(mem, addr + off, e, 1)) != ACPI_OK)
            return err;
        uint32_t size = mp_entry_bytes(e[0]);
        if (size == 0) {
            kprintf("acpi: MP table entry %u at offset %llu: type %u is not defined\n", i,
                    (unsigned long long)off, e[0]);
            return ACPI_E_MP_ENTRY;
        }
        if (off + size > len) {
            kprintf("acpi: MP table entry %u (type %u) at offset %llu runs past the table's "
                    "%u bytes\n", i, e[0], (unsigned long long)off, len);
            return ACPI_E_MP_ENTRY;
        }
        if ((err = acpi_read(mem, addr + off, e, size)) != ACPI_OK)
            return err;
        mp_take_entry(e, out);
        off += size;
    }
    return ACPI_OK;
}

enum acpi_err acpi_mp_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                           struct acpi_cpus *out)
{
    uint8_t f[MPF_BYTES], h[MPC_HEADER_BYTES];
    acpi_cpus_reset(out, ACPI_CPUS_MP);
    enum acpi_err err = mpf_find(mem, low, f);
    if (err != ACPI_OK)
        return err;
    if (f[MPF_FEATURE1] != 0)
        return mp_default(f[MPF_FEATURE1], out);
    uint32_t table = ld32(f + MPF_CONFIG_ADDR);
    if ((err = mpc_check(mem, table, h)) != ACPI_OK)
        return err;
    out->lapic_addr = ld32(h + MPC_LAPIC_ADDR);
    err = mp_entries(mem, table, ld16(h + MPC_BASE_LENGTH), ld16(h + MPC_ENTRY_COUNT), out);
    if (err == ACPI_OK && out->count == 0) {
        kprintf("acpi: MP table lists no enabled processor (%u disabled)\n", out->disabled);
        err = ACPI_E_NO_CPUS;
    }
    return err;
}
