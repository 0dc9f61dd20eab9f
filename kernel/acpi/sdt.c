/* System description tables (contract in acpi_impl.h): the header checks every table gets
 * before use (ACPI 6.5 §5.2.6), and the walk of the root table, the XSDT (§5.2.8, 64-bit
 * entries) when the RSDP has a usable one, else the RSDT (§5.2.7, 32-bit entries), to the
 * MADT. Only the MADT's whole body is read; other tables get their signature looked at. */
#include "kernel/acpi/acpi_impl.h"

#include <string.h>

#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

#define RSDT_ENTRY_BYTES    4       /* §5.2.7, table 5.5: u32 physical addresses from byte 36 */
#define XSDT_ENTRY_BYTES    8       /* §5.2.8, table 5.6: u64 physical addresses from byte 36 */
#define MADT_SIGNATURE      "APIC"  /* §5.2.12, table 5.19: the MADT's signature */

/* sig as text for a message: 4 characters, anything unprintable as '?'. */
static void printable_sig(const uint8_t *sig, char out[SDT_SIGNATURE_LEN + 1])
{
    for (int i = 0; i < SDT_SIGNATURE_LEN; i++)
        out[i] = sig[i] >= ' ' && sig[i] <= '~' ? (char)sig[i] : '?';
    out[SDT_SIGNATURE_LEN] = '\0';
}

/* The header's own rules: signature, then the length's bounds and its end in mapped memory. */
static enum acpi_err check_header(const struct acpi_mem *mem, uint64_t addr,
                                  const uint8_t *hdr, const char *sig, const char *name)
{
    char got[SDT_SIGNATURE_LEN + 1];
    uint32_t len = ld32(hdr + SDT_LENGTH);
    if (memcmp(hdr + SDT_SIGNATURE, sig, SDT_SIGNATURE_LEN) != 0) {
        printable_sig(hdr + SDT_SIGNATURE, got);
        kprintf("acpi: %s at 0x%llx has signature \"%s\", want \"%s\"\n", name,
                (unsigned long long)addr, got, sig);
        return ACPI_E_SIGNATURE;
    }
    if (len < SDT_HEADER_BYTES || len > ACPI_TABLE_MAX_BYTES) {
        kprintf("acpi: %s length %u, want %u to %u (table at 0x%llx)\n", name, len,
                SDT_HEADER_BYTES, ACPI_TABLE_MAX_BYTES, (unsigned long long)addr);
        return ACPI_E_LENGTH;
    }
    if (!acpi_range_mapped(mem, addr, len)) {
        kprintf("acpi: %s at 0x%llx with length %u runs past the memory the kernel maps "
                "(0x%llx)\n", name, (unsigned long long)addr, len,
                (unsigned long long)mem->limit);
        return ACPI_E_UNMAPPED;
    }
    return ACPI_OK;
}

enum acpi_err acpi_table_check(const struct acpi_mem *mem, uint64_t addr, const char *sig,
                               const char *name, uint32_t *len, uint8_t *revision)
{
    uint8_t hdr[SDT_HEADER_BYTES];
    enum acpi_err err = acpi_read_logged(mem, addr, hdr, sizeof hdr, name);
    if (err == ACPI_OK)
        err = check_header(mem, addr, hdr, sig, name);
    if (err != ACPI_OK)
        return err;
    uint8_t sum;
    *len = ld32(hdr + SDT_LENGTH);
    *revision = hdr[SDT_REVISION];
    err = acpi_sum(mem, addr, *len, &sum);
    if (err != ACPI_OK) {
        kprintf("acpi: %s at 0x%llx: the memory read failed\n", name, (unsigned long long)addr);
        return err;
    }
    if (sum != 0) {
        kprintf("acpi: %s checksum 0x%02x, want 0 (table at 0x%llx, %u bytes)\n", name, sum,
                (unsigned long long)addr, *len);
        return ACPI_E_CHECKSUM;
    }
    return ACPI_OK;
}

struct madt_found {
    uint64_t addr;
    uint32_t len;
    uint8_t revision;
};

/* Entry i of the root table at root: the address of a table it lists. */
static enum acpi_err root_entry(const struct acpi_mem *mem, uint64_t root, uint32_t i,
                                size_t entry_bytes, uint64_t *addr)
{
    uint8_t e[XSDT_ENTRY_BYTES];
    uint64_t at = root + SDT_HEADER_BYTES + (uint64_t)i * entry_bytes;
    enum acpi_err err = acpi_read(mem, at, e, entry_bytes);
    if (err == ACPI_OK)
        *addr = entry_bytes == XSDT_ENTRY_BYTES ? ld64(e) : ld32(e);
    return err;
}

/* Validates the root table at addr: the header rules, then a body of whole entries. */
static enum acpi_err root_check(const struct acpi_mem *mem, uint64_t addr, const char *sig,
                                size_t entry_bytes, uint32_t *len)
{
    uint8_t revision;
    enum acpi_err err = acpi_table_check(mem, addr, sig, sig, len, &revision);
    if (err != ACPI_OK)
        return err;
    uint32_t body = *len - SDT_HEADER_BYTES;
    if (body % entry_bytes != 0) {
        kprintf("acpi: %s length %u leaves %u bytes after its last %zu-byte entry\n", sig,
                *len, (unsigned)(body % entry_bytes), entry_bytes);
        return ACPI_E_LENGTH;
    }
    return ACPI_OK;
}

/* Looks through the validated root table (len bytes at root) for the "APIC" table. */
static enum acpi_err root_find_madt(const struct acpi_mem *mem, uint64_t root, uint32_t len,
                                    const char *name, size_t entry_bytes, struct madt_found *f)
{
    uint32_t entries = (len - SDT_HEADER_BYTES) / (uint32_t)entry_bytes;
    for (uint32_t i = 0; i < entries; i++) {
        uint64_t table;
        uint8_t sig[SDT_SIGNATURE_LEN];
        enum acpi_err err = root_entry(mem, root, i, entry_bytes, &table);
        if (err != ACPI_OK)
            return err;                     /* inside a table already checked: cannot be */
        err = acpi_read(mem, table, sig, sizeof sig);
        if (err != ACPI_OK) {
            kprintf("acpi: %s entry %u, a table at 0x%llx: %s; skipped\n", name, i,
                    (unsigned long long)table, acpi_strerror(err));
            continue;
        }
        if (memcmp(sig, MADT_SIGNATURE, SDT_SIGNATURE_LEN) != 0)
            continue;
        f->addr = table;
        err = acpi_table_check(mem, table, MADT_SIGNATURE, "MADT", &f->len, &f->revision);
        if (err == ACPI_OK)
            kprintf("acpi: MADT at 0x%08llx (%s entry %u), revision %u, %u bytes\n",
                    (unsigned long long)table, name, i, f->revision, f->len);
        return err;
    }
    kprintf("acpi: the %s lists no MADT (\"%s\")\n", name, MADT_SIGNATURE);
    return ACPI_E_NO_MADT;
}

/* The MADT through the root table at root: the table's checks, then its entries. */
static enum acpi_err madt_via(const struct acpi_mem *mem, uint64_t root, const char *sig,
                              size_t entry_bytes, struct madt_found *f)
{
    uint32_t root_len;
    enum acpi_err err = root_check(mem, root, sig, entry_bytes, &root_len);
    if (err != ACPI_OK)
        return err;
    return root_find_madt(mem, root, root_len, sig, entry_bytes, f);
}

enum acpi_err acpi_find_madt(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                             uint64_t *addr, uint32_t *len, uint8_t *revision)
{
    struct madt_found f = {0};
    enum acpi_err err;
    /* ACPI 6.5 §5.2.5.3: with an XSDT the RSDT is only for ACPI 1.0 OSes; it stands in here
     * when the XSDT cannot be used (above the map, a bad header) or lists no MADT. A MADT
     * that is listed but bad is an error: the RSDT would list the same table. */
    if (rsdp->xsdt != 0) {
        err = madt_via(mem, rsdp->xsdt, "XSDT", XSDT_ENTRY_BYTES, &f);
        if (err != ACPI_OK && f.addr == 0) {
            kprintf("acpi: no MADT through the XSDT at 0x%llx (%s); trying the RSDT\n",
                    (unsigned long long)rsdp->xsdt, acpi_strerror(err));
            err = madt_via(mem, rsdp->rsdt, "RSDT", RSDT_ENTRY_BYTES, &f);
        }
    } else {
        err = madt_via(mem, rsdp->rsdt, "RSDT", RSDT_ENTRY_BYTES, &f);
    }
    if (err == ACPI_OK) {
        *addr = f.addr;
        *len = f.len;
        *revision = f.revision;
    }
    return err;
}
