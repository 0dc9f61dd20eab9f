/* Synthetic firmware for the kernel/acpi host tests: a fake physical memory (the first MiB,
 * a table area below 4 GiB and a page at 4 GiB), builders that write RSDPs, ACPI tables and
 * MP tables into it with correct checksums (tests then break one field), and the log kept by
 * tests/lib/kernel_stubs.c, so tests can check that a failure names its table and field. The memory
 * callback counts reads of page 0 and past the limit, which the parser must never make. */
#ifndef FLUID_TESTS_ACPI_FAKE_FIRMWARE_H
#define FLUID_TESTS_ACPI_FAKE_FIRMWARE_H

#include "kernel/acpi/acpi_impl.h"

#define FW_LOW_BYTES        0x100000u       /* the first MiB: BDA, EBDA, BIOS areas */
#define FW_TABLES_BASE      0x07FE0000u     /* where SeaBIOS puts tables with -m 128M */
#define FW_TABLES_BYTES     0x10000u
#define FW_HIGH_BASE        0x100000000ull  /* 4 GiB: past what the kernel maps */
#define FW_HIGH_BYTES       0x1000u
#define FW_EBDA_SEGMENT     0x9FC0u         /* SeaBIOS's EBDA at 639 KiB */
#define FW_BASE_MEM_KIB     639u

struct fake_memory {
    unsigned reads;             /* callback calls */
    unsigned page0_reads;       /* reads that touched [0, ACPI_PAGE0_END): must stay 0 */
    unsigned high_reads;        /* reads at or past 4 GiB: must stay 0 */
};

extern struct fake_memory fw;
extern unsigned fw_page0_reads_total;    /* over the whole test binary */

/* Clears the memory, the counters and the log. */
void fw_reset(void);

/* Host pointer to physical address addr (which must be inside a fake region). */
uint8_t *fw_ptr(uint64_t addr);

/* An acpi_mem over the fake memory with the kernel's 4 GiB limit. */
struct acpi_mem fw_mem(void);

/* The BIOS's view of low memory: SeaBIOS's EBDA segment and base memory size. */
struct acpi_lowmem fw_lowmem(void);

/* The 8-bit sum of n bytes at addr. */
uint8_t fw_sum(uint64_t addr, size_t n);

/* Writes an RSDP at addr: revision 0 (20 bytes) or 2 (36 bytes, length 36), checksums right. */
void fw_rsdp(uint64_t addr, uint8_t revision, uint32_t rsdt, uint64_t xsdt);

/* Table builder: a header at addr with signature sig, then appended bytes; fw_table_end
 * sets the length and the checksum and returns the length. */
void fw_table_begin(uint64_t addr, const char *sig, uint8_t revision);
void fw_table_append(const void *bytes, size_t n);
void fw_table_u32(uint32_t v);
void fw_table_u64(uint64_t v);
uint32_t fw_table_end(void);
/* Recomputes the checksum of the table at addr (after a test changed a field). */
void fw_table_fix_checksum(uint64_t addr);

/* Root tables listing the given addresses. */
void fw_rsdt(uint64_t addr, const uint32_t *tables, size_t n);
void fw_xsdt(uint64_t addr, const uint64_t *tables, size_t n);

/* MADT: begin, entries, end (fw_table_end). */
void fw_madt_begin(uint64_t addr, uint8_t revision, uint32_t lapic_addr, uint32_t flags);
void fw_madt_lapic(uint8_t uid, uint8_t apic_id, uint32_t flags);
void fw_madt_x2apic(uint32_t x2apic_id, uint32_t flags, uint32_t uid);
void fw_madt_ioapic(uint8_t id, uint32_t addr, uint32_t gsi_base);
void fw_madt_override(uint8_t irq, uint32_t gsi, uint16_t flags);
void fw_madt_lapic_override(uint64_t addr);
void fw_madt_raw(uint8_t type, uint8_t length);     /* header then length - 2 zero bytes */

/* The usual firmware: RSDP (revision 0) in the BIOS ROM area, an RSDT listing a "FACP"
 * dummy and a MADT with n enabled local APIC entries (IDs 0..n-1), an IO APIC and one
 * override. Returns the MADT's address. */
uint64_t fw_standard(unsigned n_cpus);

/* MP floating pointer at addr (length 1, checksum right). */
void fw_mpf(uint64_t addr, uint32_t config, uint8_t feature1);
/* MP configuration table builder; fw_mpc_end fixes length, count and checksum. */
void fw_mpc_begin(uint64_t addr, uint32_t lapic_addr);
void fw_mpc_cpu(uint8_t apic_id, uint8_t flags);
void fw_mpc_bus(uint8_t id);
void fw_mpc_ioapic(uint8_t id, uint8_t flags, uint32_t addr);
void fw_mpc_raw(const uint8_t *entry, size_t n);
uint32_t fw_mpc_end(void);

/* The captured log (kprintf output since fw_reset) and a substring test on it. */
const char *fw_log(void);
bool fw_log_has(const char *text);

#endif
