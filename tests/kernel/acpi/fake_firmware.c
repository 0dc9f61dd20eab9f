/* Synthetic firmware for the kernel/acpi host tests (contract in fake_firmware.h). Field
 * offsets are the specifications' (ACPI 6.5 §5.2.5.3, §5.2.6, §5.2.12; MP spec 1.4 §4),
 * written out here independently of the parser's names, so a wrong offset in the parser
 * shows up as a failing test rather than agreeing with itself. */
#include "tests/kernel/acpi/fake_firmware.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/lib/bytes.h"
#include "tests/lib/kernel_stubs.h"


struct fake_memory fw;
unsigned fw_page0_reads_total;

static uint8_t low_mem[FW_LOW_BYTES];
static uint8_t table_mem[FW_TABLES_BYTES];
static uint8_t high_mem[FW_HIGH_BYTES];

static const struct { uint64_t base; uint8_t *bytes; size_t len; } regions[] = {
    {0, low_mem, sizeof low_mem},
    {FW_TABLES_BASE, table_mem, sizeof table_mem},
    {FW_HIGH_BASE, high_mem, sizeof high_mem},
};

/* ---- memory ------------------------------------------------------------------------- */

void fw_reset(void)
{
    memset(low_mem, 0, sizeof low_mem);
    memset(table_mem, 0, sizeof table_mem);
    memset(high_mem, 0, sizeof high_mem);
    fw = (struct fake_memory){0};
    stub_log_reset();
}

uint8_t *fw_ptr(uint64_t addr)
{
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (addr >= regions[i].base && addr - regions[i].base < regions[i].len)
            return regions[i].bytes + (addr - regions[i].base);
    fprintf(stderr, "fake_firmware: 0x%llx is in no region\n", (unsigned long long)addr);
    abort();
}

static bool fake_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    (void)ctx;
    fw.reads++;
    if (addr < ACPI_PAGE0_END) {
        fw.page0_reads++;
        fw_page0_reads_total++;
    }
    if (addr + len > FW_HIGH_BASE)
        fw.high_reads++;
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        uint64_t base = regions[i].base;
        if (addr >= base && len <= regions[i].len && addr - base <= regions[i].len - len) {
            memcpy(dst, regions[i].bytes + (addr - base), len);
            return true;
        }
    }
    return false;
}

struct acpi_mem fw_mem(void)
{
    return (struct acpi_mem){fake_read, NULL, ACPI_KERNEL_MAP_LIMIT};
}

struct acpi_lowmem fw_lowmem(void)
{
    return (struct acpi_lowmem){FW_EBDA_SEGMENT, FW_BASE_MEM_KIB};
}

uint8_t fw_sum(uint64_t addr, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + fw_ptr(addr + i)[0]);
    return s;
}

/* ---- ACPI ---------------------------------------------------------------------------- */

void fw_rsdp(uint64_t addr, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
    uint8_t *p = fw_ptr(addr);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "FLUIDT", 6);                 /* OEM ID */
    p[15] = revision;
    st32(p + 16, rsdt);
    p[8] = 0;
    p[8] = (uint8_t)-fw_sum(addr, 20);
    if (revision < 2)
        return;
    st32(p + 20, 36);
    st32(p + 24, (uint32_t)xsdt);
    st32(p + 28, (uint32_t)(xsdt >> 32));
    p[32] = 0;
    p[32] = (uint8_t)-fw_sum(addr, 36);
}

static uint64_t tb_addr;
static uint32_t tb_len;

void fw_table_begin(uint64_t addr, const char *sig, uint8_t revision)
{
    uint8_t *p = fw_ptr(addr);
    tb_addr = addr;
    tb_len = 36;
    memset(p, 0, 36);
    memcpy(p, sig, 4);
    p[8] = revision;
    memcpy(p + 10, "FLUIDT", 6);
    memcpy(p + 16, "TESTTABL", 8);
}

void fw_table_append(const void *bytes, size_t n)
{
    memcpy(fw_ptr(tb_addr + tb_len), bytes, n);
    tb_len += (uint32_t)n;
}

void fw_table_u32(uint32_t v)
{
    uint8_t b[4];
    st32(b, v);
    fw_table_append(b, 4);
}

void fw_table_u64(uint64_t v)
{
    fw_table_u32((uint32_t)v);
    fw_table_u32((uint32_t)(v >> 32));
}

void fw_table_fix_checksum(uint64_t addr)
{
    uint8_t *p = fw_ptr(addr);
    p[9] = 0;
    p[9] = (uint8_t)-fw_sum(addr, ld32(p + 4));
}

uint32_t fw_table_end(void)
{
    st32(fw_ptr(tb_addr + 4), tb_len);
    fw_table_fix_checksum(tb_addr);
    return tb_len;
}

void fw_rsdt(uint64_t addr, const uint32_t *tables, size_t n)
{
    fw_table_begin(addr, "RSDT", 1);
    for (size_t i = 0; i < n; i++)
        fw_table_u32(tables[i]);
    fw_table_end();
}

void fw_xsdt(uint64_t addr, const uint64_t *tables, size_t n)
{
    fw_table_begin(addr, "XSDT", 1);
    for (size_t i = 0; i < n; i++)
        fw_table_u64(tables[i]);
    fw_table_end();
}

void fw_madt_begin(uint64_t addr, uint8_t revision, uint32_t lapic_addr, uint32_t flags)
{
    fw_table_begin(addr, "APIC", revision);
    fw_table_u32(lapic_addr);
    fw_table_u32(flags);
}

void fw_madt_lapic(uint8_t uid, uint8_t apic_id, uint32_t flags)
{
    uint8_t e[8] = {0, 8, uid, apic_id};
    st32(e + 4, flags);
    fw_table_append(e, sizeof e);
}

void fw_madt_x2apic(uint32_t x2apic_id, uint32_t flags, uint32_t uid)
{
    uint8_t e[16] = {9, 16};
    st32(e + 4, x2apic_id);
    st32(e + 8, flags);
    st32(e + 12, uid);
    fw_table_append(e, sizeof e);
}

void fw_madt_ioapic(uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t e[12] = {1, 12, id};
    st32(e + 4, addr);
    st32(e + 8, gsi_base);
    fw_table_append(e, sizeof e);
}

void fw_madt_override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = {2, 10, 0, irq};
    st32(e + 4, gsi);
    st16(e + 8, flags);
    fw_table_append(e, sizeof e);
}

void fw_madt_lapic_override(uint64_t addr)
{
    uint8_t e[12] = {5, 12};
    st32(e + 4, (uint32_t)addr);
    st32(e + 8, (uint32_t)(addr >> 32));
    fw_table_append(e, sizeof e);
}

void fw_madt_raw(uint8_t type, uint8_t length)
{
    uint8_t e[256] = {type, length};
    fw_table_append(e, length < 2 ? 2 : length);
}

uint64_t fw_standard(unsigned n_cpus)
{
    const uint64_t rsdt = FW_TABLES_BASE, facp = FW_TABLES_BASE + 0x100;
    const uint64_t madt = FW_TABLES_BASE + 0x200;
    uint32_t list[] = {(uint32_t)facp, (uint32_t)madt};
    fw_rsdp(0xF5A40, 0, (uint32_t)rsdt, 0);
    fw_rsdt(rsdt, list, 2);
    fw_table_begin(facp, "FACP", 1);
    fw_table_end();
    fw_madt_begin(madt, 1, 0xFEE00000u, 1);
    for (unsigned i = 0; i < n_cpus; i++)
        fw_madt_lapic((uint8_t)i, (uint8_t)i, 1);
    fw_madt_ioapic(0, 0xFEC00000u, 0);
    fw_madt_override(0, 2, 0);
    fw_table_end();
    return madt;
}

/* ---- MP ------------------------------------------------------------------------------ */

void fw_mpf(uint64_t addr, uint32_t config, uint8_t feature1)
{
    uint8_t *p = fw_ptr(addr);
    memset(p, 0, 16);
    memcpy(p, "_MP_", 4);
    st32(p + 4, config);
    p[8] = 1;                   /* length in paragraphs */
    p[9] = 4;                   /* MP spec 1.4 */
    p[11] = feature1;
    p[10] = (uint8_t)-fw_sum(addr, 16);
}

static uint64_t mpc_addr;
static uint32_t mpc_len;
static uint16_t mpc_count;

void fw_mpc_begin(uint64_t addr, uint32_t lapic_addr)
{
    uint8_t *p = fw_ptr(addr);
    mpc_addr = addr;
    mpc_len = 44;
    mpc_count = 0;
    memset(p, 0, 44);
    memcpy(p, "PCMP", 4);
    p[6] = 4;
    memcpy(p + 8, "FLUIDT  ", 8);
    st32(p + 36, lapic_addr);
}

void fw_mpc_raw(const uint8_t *entry, size_t n)
{
    memcpy(fw_ptr(mpc_addr + mpc_len), entry, n);
    mpc_len += (uint32_t)n;
    mpc_count++;
}

void fw_mpc_cpu(uint8_t apic_id, uint8_t flags)
{
    uint8_t e[20] = {0, apic_id, 0x14, flags};
    fw_mpc_raw(e, sizeof e);
}

void fw_mpc_bus(uint8_t id)
{
    uint8_t e[8] = {1, id, 'I', 'S', 'A', ' ', ' ', ' '};
    fw_mpc_raw(e, sizeof e);
}

void fw_mpc_ioapic(uint8_t id, uint8_t flags, uint32_t addr)
{
    uint8_t e[8] = {2, id, 0x11, flags};
    st32(e + 4, addr);
    fw_mpc_raw(e, sizeof e);
}

uint32_t fw_mpc_end(void)
{
    uint8_t *p = fw_ptr(mpc_addr);
    st16(p + 4, (uint16_t)mpc_len);
    st16(p + 34, mpc_count);
    p[7] = 0;
    p[7] = (uint8_t)-fw_sum(mpc_addr, mpc_len);
    return mpc_len;
}

/* ---- log (tests/lib/kernel_stubs.c keeps it) ------------------------------------------ */

const char *fw_log(void)
{
    return stub_log();
}

bool fw_log_has(const char *text)
{
    return strstr(stub_log(), text) != NULL;
}
