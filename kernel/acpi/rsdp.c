/* The Root System Description Pointer (contract in acpi_impl.h): searched where ACPI 6.5
 * §5.2.5.1 says a legacy BIOS puts it (the EBDA's first KiB, then 0xE0000-0xFFFFF, on 16-byte
 * boundaries) and validated as §5.2.5.3 defines it. A BIOS may leave stale or partial copies
 * behind, so a candidate that fails a check is logged and the search goes on. */
#include "kernel/acpi/acpi_impl.h"

#include <string.h>

#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

/* RSDP fields (ACPI 6.5 §5.2.5.3, table 5.3): offsets in bytes. */
#define RSDP_SIGNATURE      0       /* 8 bytes "RSD PTR " */
#define RSDP_SIGNATURE_LEN  8
#define RSDP_REVISION       15      /* u8: 0 for ACPI 1.0, 2 for ACPI 2.0 and later */
#define RSDP_RSDT_ADDRESS   16      /* u32: physical address of the RSDT */
#define RSDP_LENGTH         20      /* u32: the whole structure; revision 2 and up */
#define RSDP_XSDT_ADDRESS   24      /* u64: physical address of the XSDT; revision 2 and up */
#define RSDP_V1_BYTES       20      /* what the first checksum covers (all of ACPI 1.0's) */
#define RSDP_V2_BYTES       36      /* the structure since ACPI 2.0, extended checksum too */
#define RSDP_REVISION_XSDT  2       /* the first revision with length, XSDT, extended sum */
/* 36 in every revision so far; a larger length is accepted up to this bound, so a future
 * revision still parses but a corrupt length cannot send the checksum far. */
#define RSDP_MAX_BYTES      1024u

static const char rsdp_signature[RSDP_SIGNATURE_LEN] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};

/* Revision 2 and up: the length, then the checksum over all of it. */
static enum acpi_err check_extended(const struct acpi_mem *mem, uint64_t addr,
                                    const uint8_t *v1, struct acpi_rsdp *out)
{
    uint8_t v2[RSDP_V2_BYTES];
    memcpy(v2, v1, RSDP_V1_BYTES);
    enum acpi_err err = acpi_read(mem, addr + RSDP_V1_BYTES, v2 + RSDP_V1_BYTES,
                                  RSDP_V2_BYTES - RSDP_V1_BYTES);
    if (err != ACPI_OK)
        return err;
    uint32_t len = ld32(v2 + RSDP_LENGTH);
    if (len < RSDP_V2_BYTES || len > RSDP_MAX_BYTES) {
        kprintf("acpi: RSDP at 0x%llx: length %u, want %u to %u\n", (unsigned long long)addr,
                len, RSDP_V2_BYTES, RSDP_MAX_BYTES);
        return ACPI_E_LENGTH;
    }
    uint8_t sum;
    err = acpi_sum(mem, addr, len, &sum);
    if (err != ACPI_OK)
        return err;
    if (sum != 0) {
        kprintf("acpi: RSDP at 0x%llx: extended checksum 0x%02x over %u bytes, want 0\n",
                (unsigned long long)addr, sum, len);
        return ACPI_E_CHECKSUM;
    }
    out->xsdt = ld64(v2 + RSDP_XSDT_ADDRESS);
    return ACPI_OK;
}

enum acpi_err acpi_rsdp_check(const struct acpi_mem *mem, uint64_t addr, struct acpi_rsdp *out)
{
    uint8_t v1[RSDP_V1_BYTES];
    enum acpi_err err = acpi_read(mem, addr, v1, sizeof v1);
    if (err != ACPI_OK)
        return err;
    if (memcmp(v1 + RSDP_SIGNATURE, rsdp_signature, RSDP_SIGNATURE_LEN) != 0)
        return ACPI_E_SIGNATURE;                /* not a candidate: say nothing */
    uint8_t sum = 0;
    for (size_t i = 0; i < sizeof v1; i++)
        sum = (uint8_t)(sum + v1[i]);
    if (sum != 0) {
        kprintf("acpi: RSDP at 0x%llx: checksum 0x%02x over its first %u bytes, want 0\n",
                (unsigned long long)addr, sum, RSDP_V1_BYTES);
        return ACPI_E_CHECKSUM;
    }
    *out = (struct acpi_rsdp){addr, v1[RSDP_REVISION], ld32(v1 + RSDP_RSDT_ADDRESS), 0};
    if (out->revision >= RSDP_REVISION_XSDT)
        return check_extended(mem, addr, v1, out);
    return ACPI_OK;
}

/* Scans one area; ACPI_OK with *out at the first valid RSDP. A candidate's first 20 bytes
 * must lie inside the area (the ROM area ends at 1 MiB). */
static enum acpi_err scan_area(const struct acpi_mem *mem, const struct acpi_area *a,
                               struct acpi_rsdp *out)
{
    for (uint64_t p = a->base; p + RSDP_V1_BYTES <= a->base + a->len; p += ACPI_PARAGRAPH) {
        enum acpi_err err = acpi_rsdp_check(mem, p, out);
        if (err == ACPI_OK)
            return ACPI_OK;
        if (err == ACPI_E_UNMAPPED || err == ACPI_E_READ) {
            kprintf("acpi: cannot read the %s at 0x%llx (%s); RSDP search there stopped\n",
                    a->name, (unsigned long long)p, acpi_strerror(err));
            break;
        }
    }
    return ACPI_E_NO_RSDP;
}

enum acpi_err acpi_find_rsdp(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             struct acpi_rsdp *out)
{
    struct acpi_area areas[ACPI_SEARCH_AREAS_MAX];
    size_t n = acpi_search_areas(low, false, ACPI_RSDP_ROM_START, areas);
    for (size_t i = 0; i < n; i++) {
        if (scan_area(mem, &areas[i], out) == ACPI_OK) {
            kprintf("acpi: RSDP at 0x%llx in the %s, revision %u, RSDT 0x%08x, XSDT 0x%llx\n",
                    (unsigned long long)out->addr, areas[i].name, out->revision, out->rsdt,
                    (unsigned long long)out->xsdt);
            return ACPI_OK;
        }
    }
    acpi_log_not_found("RSDP", areas, n);
    return ACPI_E_NO_RSDP;
}
