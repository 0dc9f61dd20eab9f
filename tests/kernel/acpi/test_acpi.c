/* kernel/acpi's ACPI path over synthetic firmware (fake_firmware.c): the RSDP search and its
 * checks, RSDT against XSDT, the header checks of every table, and the MADT's entries. Each
 * test builds good tables, breaks one field, and checks the error, the message naming the
 * table and field, and that nothing was read from page 0 or past the mapped limit. */
#include "tests/lib/check.h"
#include "tests/kernel/acpi/fake_firmware.h"
#include "kernel/lib/bytes.h"

#define T               FW_TABLES_BASE
#define EBDA            ((uint64_t)FW_EBDA_SEGMENT * 16)
#define ROM             0xE0000u
#define LAPIC_EN        1u
#define LAPIC_ONLINE    2u

static struct acpi_cpus cpus;

/* acpi_madt_cpus over the fake memory with SeaBIOS's low-memory facts. */
static enum acpi_err madt_cpus(void)
{
    struct acpi_mem mem = fw_mem();
    struct acpi_lowmem low = fw_lowmem();
    return acpi_madt_cpus(&mem, &low, &cpus);
}

static enum acpi_err find_rsdp(struct acpi_lowmem low, struct acpi_rsdp *r)
{
    struct acpi_mem mem = fw_mem();
    return acpi_find_rsdp(&mem, &low, r);
}

/* A MADT at addr with n enabled CPUs, IDs first_id.. */
static void madt_n(uint64_t addr, unsigned n, uint8_t first_id)
{
    fw_madt_begin(addr, 1, 0xFEE00000u, 0);
    for (unsigned i = 0; i < n; i++)
        fw_madt_lapic((uint8_t)i, (uint8_t)(first_id + i), LAPIC_EN);
    fw_table_end();
}

/* ---- RSDP ---------------------------------------------------------------------------- */

TEST(rsdp_found_in_bios_rom_area)
{
    fw_reset();
    fw_rsdp(0xF5A40, 0, 0x1234000, 0);
    struct acpi_rsdp r;
    REQUIRE(find_rsdp(fw_lowmem(), &r) == ACPI_OK);
    CHECK_EQ_U64(r.addr, 0xF5A40);
    CHECK_EQ_U64(r.rsdt, 0x1234000);
    CHECK_EQ_U64(r.xsdt, 0);
    CHECK(fw.page0_reads == 0);
}

TEST(rsdp_in_ebda_searched_first)
{
    fw_reset();
    fw_rsdp(EBDA + 0x20, 0, 0x1111000, 0);
    fw_rsdp(ROM, 0, 0x2222000, 0);
    struct acpi_rsdp r;
    REQUIRE(find_rsdp(fw_lowmem(), &r) == ACPI_OK);
    CHECK_EQ_U64(r.addr, EBDA + 0x20);
    CHECK(fw_log_has("in the EBDA"));
}

TEST(rsdp_past_the_ebdas_first_kib_not_found)
{
    fw_reset();
    fw_rsdp(EBDA + 1024, 0, 0x1111000, 0);
    struct acpi_rsdp r;
    CHECK(find_rsdp(fw_lowmem(), &r) == ACPI_E_NO_RSDP);
    CHECK(fw_log_has("acpi: no valid RSDP in the EBDA (0x9fc00-0x9ffff) or the BIOS ROM"));
}

TEST(rsdp_ebda_segment_outside_conventional_memory_not_searched)
{
    fw_reset();
    fw_rsdp(0xA0000, 0, 0x1111000, 0);       /* segment 0xA000: video memory, not an EBDA */
    struct acpi_rsdp r;
    CHECK(find_rsdp((struct acpi_lowmem){0xA000, FW_BASE_MEM_KIB}, &r) == ACPI_E_NO_RSDP);
    fw_reset();
    fw_rsdp(0x9FC10, 0, 0x1111000, 0);
    /* Segment 0x9FF0: its first KiB would end past 640 KiB. */
    CHECK(find_rsdp((struct acpi_lowmem){0x9FF0, FW_BASE_MEM_KIB}, &r) == ACPI_E_NO_RSDP);
    CHECK(find_rsdp((struct acpi_lowmem){0x9FC0, FW_BASE_MEM_KIB}, &r) == ACPI_OK);
    /* Segment 0 (no EBDA) must not make the search read page 0. */
    fw_reset();
    CHECK(find_rsdp((struct acpi_lowmem){0, 0}, &r) == ACPI_E_NO_RSDP);
    CHECK(fw.page0_reads == 0);
}

TEST(rsdp_off_a_16_byte_boundary_not_found)
{
    fw_reset();
    fw_rsdp(ROM + 8, 0, 0x1111000, 0);
    struct acpi_rsdp r;
    CHECK(find_rsdp(fw_lowmem(), &r) == ACPI_E_NO_RSDP);
}

TEST(rsdp_must_fit_below_1mib)
{
    fw_reset();
    memcpy(fw_ptr(0xFFFF0), "RSD PTR ", 8);  /* 20 bytes from here would cross 1 MiB */
    struct acpi_rsdp r;
    CHECK(find_rsdp(fw_lowmem(), &r) == ACPI_E_NO_RSDP);
    CHECK(!fw_log_has("cannot read"), "the last paragraph was read as a candidate");
    fw_reset();
    fw_rsdp(0xFFFE0, 0, 0x1111000, 0);       /* the last place 20 bytes fit */
    CHECK(find_rsdp(fw_lowmem(), &r) == ACPI_OK);
}

TEST(rsdp_bad_checksum_is_skipped_and_reported)
{
    fw_reset();
    fw_rsdp(ROM, 0, 0x1111000, 0);
    fw_ptr(ROM)[16] ^= 0x40;                /* RSDT address changed, checksum not */
    fw_rsdp(ROM + 0x20, 0, 0x2222000, 0);
    struct acpi_rsdp r;
    REQUIRE(find_rsdp(fw_lowmem(), &r) == ACPI_OK);
    CHECK_EQ_U64(r.addr, ROM + 0x20);
    CHECK(fw_log_has("acpi: RSDP at 0xe0000: checksum 0x40 over its first 20 bytes, want 0"));
    struct acpi_mem mem = fw_mem();
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_E_CHECKSUM);
}

TEST(rsdp_v2_extended_checksum_checked)
{
    fw_reset();
    fw_rsdp(ROM, 2, 0x1111000, 0x3333000);
    struct acpi_mem mem = fw_mem();
    struct acpi_rsdp r;
    REQUIRE(acpi_rsdp_check(&mem, ROM, &r) == ACPI_OK);
    CHECK_EQ_U64(r.revision, 2);
    CHECK_EQ_U64(r.xsdt, 0x3333000);
    fw_ptr(ROM)[28] = 1;                    /* XSDT high half: only the extended sum covers it */
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_E_CHECKSUM);
    CHECK(fw_log_has("extended checksum 0x01 over 36 bytes, want 0"));
}

/* Sets the RSDP's length field and fixes the extended checksum for it. */
static void rsdp_set_length(uint64_t at, uint32_t len)
{
    st32(fw_ptr(at) + 20, len);
    fw_ptr(at)[32] = 0;
    fw_ptr(at)[32] = (uint8_t)-fw_sum(at, len < 36 ? 36 : len);
}

TEST(rsdp_v2_length_bounds)
{
    struct acpi_mem mem = fw_mem();
    struct acpi_rsdp r;
    fw_reset();
    fw_rsdp(ROM, 2, 0x1111000, 0x3333000);
    rsdp_set_length(ROM, 35);
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_E_LENGTH);
    CHECK(fw_log_has("acpi: RSDP at 0xe0000: length 35, want 36 to 1024"));
    rsdp_set_length(ROM, 1025);
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_E_LENGTH);
    rsdp_set_length(ROM, 1024);             /* a longer future RSDP: summed over its length */
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_OK);
    fw_ptr(ROM)[1000] = 7;
    CHECK(acpi_rsdp_check(&mem, ROM, &r) == ACPI_E_CHECKSUM);
}

TEST(rsdp_revision_0_has_no_xsdt)
{
    fw_reset();
    fw_rsdp(ROM, 0, 0x1111000, 0);
    st32(fw_ptr(ROM) + 24, 0x3333000);      /* junk where a revision-2 RSDP has its XSDT */
    struct acpi_rsdp r;
    REQUIRE(find_rsdp(fw_lowmem(), &r) == ACPI_OK);
    CHECK_EQ_U64(r.xsdt, 0);
}

/* ---- RSDT, XSDT, table headers ------------------------------------------------------ */

/* RSDP revision 2; the XSDT lists a MADT with 2 CPUs, the RSDT one with 3 (IDs from 8). */
static void rsdt_and_xsdt(uint64_t xsdt)
{
    uint32_t r[] = {T + 0x300};
    uint64_t x[] = {T + 0x200};
    fw_rsdp(ROM, 2, T, xsdt);
    fw_rsdt(T, r, 1);
    if (xsdt == T + 0x100)
        fw_xsdt(xsdt, x, 1);
    madt_n(T + 0x200, 2, 0);
    madt_n(T + 0x300, 3, 8);
}

TEST(xsdt_preferred_over_rsdt)
{
    fw_reset();
    rsdt_and_xsdt(T + 0x100);
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 2);
    CHECK(fw_log_has("(XSDT entry 0)"));
}

TEST(rsdt_used_when_the_rsdp_has_no_xsdt)
{
    fw_reset();
    rsdt_and_xsdt(T + 0x100);
    fw_rsdp(ROM, 0, T, 0);
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK_EQ_U64(cpus.apic_ids[0], 8);
}

TEST(xsdt_above_4gib_refused_rsdt_used)
{
    fw_reset();
    rsdt_and_xsdt(FW_HIGH_BASE);
    uint64_t x[] = {T + 0x200};
    fw_xsdt(FW_HIGH_BASE, x, 1);            /* valid, but the kernel cannot map it */
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK(fw.high_reads == 0);
    CHECK(fw_log_has("acpi: XSDT at 0x100000000 (36 bytes) is outside the memory the kernel "
                     "maps"));
    CHECK(fw_log_has("trying the RSDT"));
}

TEST(xsdt_bad_checksum_rsdt_used)
{
    fw_reset();
    rsdt_and_xsdt(T + 0x100);
    fw_ptr(T + 0x100)[40] ^= 1;
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK(fw_log_has("acpi: XSDT checksum 0x01, want 0"));
}

TEST(xsdt_listing_no_madt_rsdt_used)
{
    fw_reset();
    rsdt_and_xsdt(T + 0x100);
    fw_xsdt(T + 0x100, NULL, 0);
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK(fw_log_has("the XSDT lists no MADT"));
}

TEST(root_table_length_must_be_whole_entries)
{
    fw_reset();
    fw_standard(2);
    st32(fw_ptr(T) + 4, 36 + 8 + 2);
    fw_table_fix_checksum(T);
    CHECK(madt_cpus() == ACPI_E_LENGTH);
    CHECK(fw_log_has("acpi: RSDT length 46 leaves 2 bytes after its last 4-byte entry"));
}

TEST(table_signature_checked)
{
    fw_reset();
    fw_standard(2);
    fw_rsdp(0xF5A40, 0, T + 0x100, 0);      /* RSDT pointer at the FACP */
    CHECK(madt_cpus() == ACPI_E_SIGNATURE);
    CHECK(fw_log_has("has signature \"FACP\", want \"RSDT\""));
}

TEST(table_length_bounds)
{
    struct acpi_mem mem = fw_mem();
    uint32_t len;
    uint8_t rev;
    fw_reset();
    uint64_t madt = fw_standard(2);
    REQUIRE(acpi_table_check(&mem, madt, "APIC", "MADT", &len, &rev) == ACPI_OK);
    st32(fw_ptr(madt) + 4, 35);
    CHECK(acpi_table_check(&mem, madt, "APIC", "MADT", &len, &rev) == ACPI_E_LENGTH);
    CHECK(fw_log_has("acpi: MADT length 35, want 36 to 1048576"));
    st32(fw_ptr(madt) + 4, ACPI_TABLE_MAX_BYTES + 1);
    CHECK(acpi_table_check(&mem, madt, "APIC", "MADT", &len, &rev) == ACPI_E_LENGTH);
    CHECK(fw.reads < 64, "a bad length must be refused before the table is summed");
}

TEST(table_running_past_the_mapped_limit)
{
    fw_reset();
    uint64_t madt = fw_standard(2);
    struct acpi_mem mem = fw_mem();
    mem.limit = madt + 60;                  /* the header is mapped, the rest is not */
    uint32_t len;
    uint8_t rev;
    CHECK(acpi_table_check(&mem, madt, "APIC", "MADT", &len, &rev) == ACPI_E_UNMAPPED);
    CHECK(fw_log_has("runs past the memory the kernel maps"));
    /* Addresses near 2^64: base + length must not wrap to a small number. */
    CHECK(!acpi_range_mapped(&mem, UINT64_MAX - 10, 36));
    CHECK(!acpi_range_mapped(&mem, 0x2000, UINT64_MAX));
}

TEST(madt_checksum_checked)
{
    fw_reset();
    uint64_t madt = fw_standard(2);
    fw_ptr(madt + 44)[3] = 0x3c;            /* the first CPU's APIC ID was 0 */
    CHECK(madt_cpus() == ACPI_E_CHECKSUM);
    CHECK(fw_log_has("acpi: MADT checksum 0x3c, want 0"));
}

TEST(tables_in_page_0_never_read)
{
    fw_reset();
    fw_standard(2);
    uint32_t list[] = {0x400, T + 0x200};   /* a bogus entry pointing into the BDA */
    fw_rsdt(T, list, 2);
    CHECK(madt_cpus() == ACPI_OK);
    CHECK(fw_log_has("RSDT entry 0, a table at 0x400: outside the memory the kernel maps"));
    fw_rsdp(0xF5A40, 0, 0, 0);              /* no RSDT at all */
    CHECK(madt_cpus() == ACPI_E_UNMAPPED);
    CHECK(fw.page0_reads == 0);
}

TEST(no_madt_listed)
{
    fw_reset();
    fw_standard(2);
    uint32_t list[] = {T + 0x100};
    fw_rsdt(T, list, 1);
    CHECK(madt_cpus() == ACPI_E_NO_MADT);
    CHECK(fw_log_has("acpi: the RSDT lists no MADT"));
}

/* ---- MADT entries -------------------------------------------------------------------- */

TEST(madt_enabled_and_disabled_cpus)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 3, 0xFEE00000u, 1);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_lapic(1, 2, LAPIC_EN);
    fw_madt_lapic(2, 4, 0);
    fw_madt_lapic(3, 6, LAPIC_EN);
    fw_table_end();
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.source, ACPI_CPUS_MADT);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK_EQ_U64(cpus.apic_ids[0], 0);
    CHECK_EQ_U64(cpus.apic_ids[1], 2);
    CHECK_EQ_U64(cpus.apic_ids[2], 6);
    CHECK_EQ_U64(cpus.disabled, 1);
    CHECK_EQ_U64(cpus.online_capable, 0);
    CHECK_EQ_U64(cpus.lapic_addr, 0xFEE00000u);
    CHECK_EQ_U64(cpus.madt_flags, 1);
}

/* One enabled CPU and one online-capable one in a MADT of this revision. */
static void madt_online_capable(uint8_t revision)
{
    fw_madt_begin(T + 0x200, revision, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_lapic(1, 1, LAPIC_ONLINE);
    fw_table_end();
}

TEST(madt_online_capable_bit_from_revision_5)
{
    fw_reset();
    fw_standard(0);
    madt_online_capable(5);
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 1);
    CHECK_EQ_U64(cpus.disabled, 1);
    CHECK_EQ_U64(cpus.online_capable, 1);
    madt_online_capable(4);                 /* bit 1 reserved before ACPI 6.3 */
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.disabled, 1);
    CHECK_EQ_U64(cpus.online_capable, 0);
}

TEST(madt_x2apic_entries)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 5, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_x2apic(0x100, LAPIC_EN, 1);
    fw_madt_x2apic(0x12345, LAPIC_EN, 2);
    fw_madt_x2apic(0x200, LAPIC_ONLINE, 3);
    fw_madt_x2apic(0xFFFFFFFFu, LAPIC_EN, 4);
    fw_table_end();
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 3);
    CHECK_EQ_U64(cpus.apic_ids[1], 0x100);
    CHECK_EQ_U64(cpus.apic_ids[2], 0x12345);
    CHECK_EQ_U64(cpus.online_capable, 1);
    CHECK_EQ_U64(cpus.dropped, 1);
    CHECK(fw_log_has("the broadcast APIC ID 0xffffffff; ignored"));
}

TEST(madt_repeated_or_broadcast_ids_dropped)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 5, 0xFEE00000u, 0);
    fw_madt_lapic(0, 1, LAPIC_EN);
    fw_madt_x2apic(1, LAPIC_EN, 0);         /* the same CPU listed twice */
    fw_madt_lapic(2, 0xFF, LAPIC_EN);
    fw_table_end();
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 1);
    CHECK_EQ_U64(cpus.dropped, 2);
    CHECK(fw_log_has("acpi: MADT lists APIC ID 1 again; ignored"));
}

/* A MADT with one good CPU entry, then raw bytes, then another CPU entry. */
static enum acpi_err madt_with_raw(uint8_t type, uint8_t length)
{
    fw_madt_begin(T + 0x200, 1, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_raw(type, length);
    fw_madt_lapic(1, 1, LAPIC_EN);
    fw_table_end();
    return madt_cpus();
}

TEST(madt_entry_length_zero_is_an_error)
{
    fw_reset();
    fw_standard(0);
    CHECK(madt_with_raw(0, 0) == ACPI_E_ENTRY_LENGTH);
    CHECK(fw_log_has("acpi: MADT entry 1 (type 0) at offset 52: length 0, want 8 to"));
    CHECK(madt_with_raw(0x7F, 0) == ACPI_E_ENTRY_LENGTH);
    CHECK(madt_with_raw(0x7F, 1) == ACPI_E_ENTRY_LENGTH);
}

TEST(madt_entry_shorter_than_its_type)
{
    fw_reset();
    fw_standard(0);
    CHECK(madt_with_raw(0, 7) == ACPI_E_ENTRY_LENGTH);
    CHECK(madt_with_raw(9, 15) == ACPI_E_ENTRY_LENGTH);
    CHECK(madt_with_raw(1, 11) == ACPI_E_ENTRY_LENGTH);
    CHECK(madt_with_raw(2, 9) == ACPI_E_ENTRY_LENGTH);
    CHECK(madt_with_raw(5, 11) == ACPI_E_ENTRY_LENGTH);
}

TEST(madt_entry_running_past_the_end)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 1, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_raw(0x7F, 6);
    uint32_t len = fw_table_end();
    fw_ptr(T + 0x200 + len - 5)[0] = 7;     /* the last entry claims 7 of the 6 bytes left */
    fw_table_fix_checksum(T + 0x200);
    CHECK(madt_cpus() == ACPI_E_ENTRY_LENGTH);
    CHECK(fw_log_has("length 7, want 2 to 6"));
    /* One byte left over: less than an entry header. */
    fw_madt_begin(T + 0x200, 1, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, LAPIC_EN);
    uint8_t one = 0;
    fw_table_append(&one, 1);
    fw_table_end();
    CHECK(madt_cpus() == ACPI_E_ENTRY_LENGTH);
    CHECK(fw_log_has("1 byte left, less than an entry header"));
}

TEST(madt_unknown_types_skipped)
{
    fw_reset();
    fw_standard(0);
    REQUIRE(madt_with_raw(0x7F, 5) == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 2);
    REQUIRE(madt_with_raw(4, 6) == ACPI_OK);    /* local APIC NMI: not used yet */
    CHECK_EQ_U64(cpus.count, 2);
}

TEST(madt_ioapics_overrides_and_lapic_override)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 1, 0xFEE00000u, 1);
    fw_madt_lapic(0, 0, LAPIC_EN);
    fw_madt_ioapic(2, 0xFEC00000u, 0);
    fw_madt_ioapic(3, 0xFEC01000u, 24);
    fw_madt_override(0, 2, 0);
    fw_madt_override(9, 9, 0xD);
    fw_madt_lapic_override(0xFEE10000u);
    fw_table_end();
    REQUIRE(madt_cpus() == ACPI_OK);
    REQUIRE(cpus.ioapic_count == 2);
    CHECK_EQ_U64(cpus.ioapics[1].id, 3);
    CHECK_EQ_U64(cpus.ioapics[1].addr, 0xFEC01000u);
    CHECK_EQ_U64(cpus.ioapics[1].gsi_base, 24);
    REQUIRE(cpus.override_count == 2);
    CHECK_EQ_U64(cpus.overrides[0].irq, 0);
    CHECK_EQ_U64(cpus.overrides[0].gsi, 2);
    CHECK_EQ_U64(cpus.overrides[1].irq, 9);
    CHECK_EQ_U64(cpus.overrides[1].flags, 0xD);
    CHECK_EQ_U64(cpus.lapic_addr, 0xFEE10000u);
}

TEST(madt_without_enabled_cpus)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 1, 0xFEE00000u, 0);
    fw_madt_lapic(0, 0, 0);
    fw_table_end();
    CHECK(madt_cpus() == ACPI_E_NO_CPUS);
    CHECK(fw_log_has("acpi: MADT lists no enabled processor (1 disabled)"));
}

TEST(madt_shorter_than_its_fixed_part)
{
    fw_reset();
    fw_standard(0);
    fw_table_begin(T + 0x200, "APIC", 1);
    fw_table_u32(0xFEE00000u);              /* 40 bytes: the flags are missing */
    fw_table_end();
    CHECK(madt_cpus() == ACPI_E_LENGTH);
    CHECK(fw_log_has("acpi: MADT length 40, below its 44-byte fixed part"));
}

TEST(madt_more_cpus_than_recorded)
{
    fw_reset();
    fw_standard(0);
    fw_madt_begin(T + 0x200, 5, 0xFEE00000u, 0);
    for (uint32_t i = 0; i < ACPI_CPUS_MAX + 4; i++)
        fw_madt_x2apic(i, LAPIC_EN, i);
    fw_table_end();
    REQUIRE(madt_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, ACPI_CPUS_MAX);
    CHECK_EQ_U64(cpus.apic_ids[ACPI_CPUS_MAX - 1], ACPI_CPUS_MAX - 1);
    CHECK_EQ_U64(cpus.dropped, 4);
}

TEST(page_0_never_read_by_any_test)
{
    CHECK(fw_page0_reads_total == 0);
}

int main(void)
{
    check_suite = "test_acpi";
    RUN(rsdp_found_in_bios_rom_area);
    RUN(rsdp_in_ebda_searched_first);
    RUN(rsdp_past_the_ebdas_first_kib_not_found);
    RUN(rsdp_ebda_segment_outside_conventional_memory_not_searched);
    RUN(rsdp_off_a_16_byte_boundary_not_found);
    RUN(rsdp_must_fit_below_1mib);
    RUN(rsdp_bad_checksum_is_skipped_and_reported);
    RUN(rsdp_v2_extended_checksum_checked);
    RUN(rsdp_v2_length_bounds);
    RUN(rsdp_revision_0_has_no_xsdt);
    RUN(xsdt_preferred_over_rsdt);
    RUN(rsdt_used_when_the_rsdp_has_no_xsdt);
    RUN(xsdt_above_4gib_refused_rsdt_used);
    RUN(xsdt_bad_checksum_rsdt_used);
    RUN(xsdt_listing_no_madt_rsdt_used);
    RUN(root_table_length_must_be_whole_entries);
    RUN(table_signature_checked);
    RUN(table_length_bounds);
    RUN(table_running_past_the_mapped_limit);
    RUN(madt_checksum_checked);
    RUN(tables_in_page_0_never_read);
    RUN(no_madt_listed);
    RUN(madt_enabled_and_disabled_cpus);
    RUN(madt_online_capable_bit_from_revision_5);
    RUN(madt_x2apic_entries);
    RUN(madt_repeated_or_broadcast_ids_dropped);
    RUN(madt_entry_length_zero_is_an_error);
    RUN(madt_entry_shorter_than_its_type);
    RUN(madt_entry_running_past_the_end);
    RUN(madt_unknown_types_skipped);
    RUN(madt_ioapics_overrides_and_lapic_override);
    RUN(madt_without_enabled_cpus);
    RUN(madt_shorter_than_its_fixed_part);
    RUN(madt_more_cpus_than_recorded);
    RUN(page_0_never_read_by_any_test);
    return check_summary();
}
