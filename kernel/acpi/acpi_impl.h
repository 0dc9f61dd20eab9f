/* Internals shared by kernel/acpi's parser files (mem.c: bounded reads, checksums and the
 * search areas; rsdp.c; sdt.c: table headers and the RSDT/XSDT; madt.c; mptable.c; cpus.c:
 * the CPU list, the fallback order and the log). Not for use outside kernel/acpi. */
#ifndef FLUID_KERNEL_ACPI_IMPL_H
#define FLUID_KERNEL_ACPI_IMPL_H

#include "kernel/acpi/acpi.h"

/* Where firmware hides its floating structures: the BDA's EBDA segment is 40:0Eh; the areas
 * are scanned on 16-byte boundaries (ACPI 6.5 §5.2.5.1, MP spec 1.4 §4). */
#define ACPI_PARAGRAPH          16u     /* the scan step: both structures are 16-byte aligned */
#define ACPI_EBDA_SCAN_BYTES    1024u   /* only the EBDA's first KiB is searched */
#define ACPI_BASE_MEM_END       0xA0000u    /* conventional memory ends at 640 KiB */
#define ACPI_KIB                1024u
#define ACPI_RSDP_ROM_START     0xE0000u    /* ACPI: the BIOS read-only area 0xE0000-0xFFFFF */
#define ACPI_MP_ROM_START       0xF0000u    /* MP: the BIOS ROM 0xF0000-0xFFFFF */
#define ACPI_ROM_END            0x100000u
#define ACPI_SEARCH_AREAS_MAX   2

struct acpi_area {
    uint64_t base;
    uint64_t len;
    const char *name;       /* for messages: "EBDA", "base memory", "BIOS ROM" */
};

/* The EBDA's address when low->ebda_segment puts its first KiB inside conventional memory
 * (past page 0, ending by 640 KiB); 0 otherwise. */
uint64_t acpi_ebda_base(const struct acpi_lowmem *low);

/* The areas to scan, in order: the EBDA's first KiB when the segment is plausible (else,
 * for the MP table only, the last KiB of base memory), then the BIOS ROM area from rom_start.
 * Returns how many it wrote (at most ACPI_SEARCH_AREAS_MAX). */
size_t acpi_search_areas(const struct acpi_lowmem *low, bool mp, uint32_t rom_start,
                         struct acpi_area *out);

/* Logs "acpi: no valid <what> in the EBDA (0x9fc00-0x9ffff) or the BIOS ROM (...)". */
void acpi_log_not_found(const char *what, const struct acpi_area *areas, size_t n);

/* Reads len bytes at addr through mem: ACPI_E_UNMAPPED (not logged) if any of them is in
 * page 0 or at or past mem->limit, ACPI_E_READ (not logged) if the callback fails. */
enum acpi_err acpi_read(const struct acpi_mem *mem, uint64_t addr, void *dst, size_t len);

/* Like acpi_read, but logs "acpi: <what> at 0x...: <why>" on failure. */
enum acpi_err acpi_read_logged(const struct acpi_mem *mem, uint64_t addr, void *dst,
                               size_t len, const char *what);

/* *sum = the 8-bit sum of the len bytes at addr (len may be up to ACPI_TABLE_MAX_BYTES). */
enum acpi_err acpi_sum(const struct acpi_mem *mem, uint64_t addr, uint64_t len, uint8_t *sum);

/* True if the len bytes at addr lie in [ACPI_PAGE0_END, limit), in 64-bit arithmetic. */
bool acpi_range_mapped(const struct acpi_mem *mem, uint64_t addr, uint64_t len);

/* The RSDP's fields the parser uses (ACPI 6.5 §5.2.5.3). */
struct acpi_rsdp {
    uint64_t addr;          /* where it was found */
    uint8_t revision;       /* 0: ACPI 1.0 (RSDT only); 2 and up: the XSDT fields are valid */
    uint32_t rsdt;
    uint64_t xsdt;          /* 0 when revision < 2 */
};

/* Searches the EBDA's first KiB and 0xE0000-0xFFFFF for a valid RSDP; ACPI_E_NO_RSDP
 * (logged) if none. A candidate with the signature but a bad checksum or length is logged
 * and the search goes on. */
enum acpi_err acpi_find_rsdp(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             struct acpi_rsdp *out);

/* Validates the RSDP candidate at addr (signature, checksum of the first 20 bytes, and for
 * revision 2 and up the length and the extended checksum) and fills out. Logs a candidate
 * that has the signature but fails a check. */
enum acpi_err acpi_rsdp_check(const struct acpi_mem *mem, uint64_t addr, struct acpi_rsdp *out);

/* ACPI system description table header (ACPI 6.5 §5.2.6, table 5.4). */
#define SDT_SIGNATURE       0       /* 4 ASCII characters */
#define SDT_LENGTH          4       /* u32: the whole table, header included, in bytes */
#define SDT_REVISION        8       /* u8 */
#define SDT_CHECKSUM        9       /* u8: makes the whole table sum to 0 */
#define SDT_HEADER_BYTES    36
#define SDT_SIGNATURE_LEN   4

/* Validates the table at addr before any use: it lies in mapped memory, its signature is
 * sig, its length is at least SDT_HEADER_BYTES and at most ACPI_TABLE_MAX_BYTES and all of it
 * is mapped, its bytes sum to 0. Stores its length and revision. Each failure is logged with
 * the table's name (name: "MADT" for the signature "APIC") and the bad field. */
enum acpi_err acpi_table_check(const struct acpi_mem *mem, uint64_t addr, const char *sig,
                               const char *name, uint32_t *len, uint8_t *revision);

/* Through the RSDP's XSDT (preferred: valid, below mem->limit) or its RSDT, the address and
 * length of the valid "APIC" table. ACPI_E_NO_MADT if none is listed. */
enum acpi_err acpi_find_madt(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                             uint64_t *addr, uint32_t *len, uint8_t *revision);

/* Fills out from the MADT at addr (already validated by acpi_table_check). */
enum acpi_err acpi_madt_parse(const struct acpi_mem *mem, uint64_t addr, uint32_t len,
                              uint8_t revision, struct acpi_cpus *out);

/* The CPU list (cpus.c). */
void acpi_cpus_reset(struct acpi_cpus *c, enum acpi_cpus_source source);

/* Records an enabled CPU; a repeated APIC ID, or one past ACPI_CPUS_MAX, is logged (table
 * names the source, "MADT" or "MP table") and counted in c->dropped instead. */
void acpi_cpus_add(struct acpi_cpus *c, uint32_t apic_id, const char *table);

/* Records an IO APIC; past ACPI_IOAPICS_MAX it is logged and left out. */
void acpi_cpus_add_ioapic(struct acpi_cpus *c, uint32_t id, uint32_t addr, uint32_t gsi_base,
                          const char *table);

#endif
