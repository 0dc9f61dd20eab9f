/* kernel/acpi's MP table fallback, the fallback order of acpi_find_cpus, the log and JSON
 * lines, and the error names, over synthetic firmware (fake_firmware.c). */
#include "tests/lib/check.h"
#include "tests/kernel/acpi/fake_firmware.h"
#include "kernel/lib/bytes.h"

#define EBDA            ((uint64_t)FW_EBDA_SEGMENT * 16)
#define MPF_AT          0xF6000u
#define MPC_AT          0xF6100u
#define CPU_EN          1u
#define CPU_BP          2u

static struct acpi_cpus cpus;

static enum acpi_err mp_cpus_with(struct acpi_lowmem low)
{
    struct acpi_mem mem = fw_mem();
    return acpi_mp_cpus(&mem, &low, &cpus);
}

static enum acpi_err mp_cpus(void)
{
    return mp_cpus_with(fw_lowmem());
}

static enum acpi_err find_cpus(struct acpi_lowmem low, uint32_t boot_id)
{
    struct acpi_mem mem = fw_mem();
    return acpi_find_cpus(&mem, &low, boot_id, &cpus);
}

/* An MP table as SeaBIOS writes one: processors (the third disabled), a bus, an IO APIC and
 * an interrupt assignment; the floating pointer at fp. */
static uint32_t mp_standard(uint64_t fp)
{
    static const uint8_t io_interrupt[8] = {3, 0, 0, 0, 0, 0, 2, 0};
    fw_mpf(fp, MPC_AT, 0);
    fw_mpc_begin(MPC_AT, 0xFEE00000u);
    fw_mpc_cpu(0, CPU_EN | CPU_BP);
    fw_mpc_cpu(1, CPU_EN);
    fw_mpc_cpu(2, 0);
    fw_mpc_bus(0);
    fw_mpc_ioapic(2, 1, 0xFEC00000u);
    fw_mpc_raw(io_interrupt, sizeof io_interrupt);
    return fw_mpc_end();
}

/* ---- MP tables ----------------------------------------------------------------------- */

TEST(mp_table_in_bios_rom)
{
    fw_reset();
    mp_standard(MPF_AT);
    REQUIRE(mp_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.source, ACPI_CPUS_MP);
    CHECK_EQ_U64(cpus.count, 2);
    CHECK_EQ_U64(cpus.apic_ids[0], 0);
    CHECK_EQ_U64(cpus.apic_ids[1], 1);
    CHECK_EQ_U64(cpus.disabled, 1);
    CHECK_EQ_U64(cpus.lapic_addr, 0xFEE00000u);
    REQUIRE(cpus.ioapic_count == 1);
    CHECK_EQ_U64(cpus.ioapics[0].id, 2);
    CHECK_EQ_U64(cpus.ioapics[0].addr, 0xFEC00000u);
    CHECK(fw.page0_reads == 0);
}

TEST(mp_floating_pointer_search_areas)
{
    fw_reset();
    mp_standard(EBDA + 0x40);
    CHECK(mp_cpus() == ACPI_OK);
    fw_reset();
    mp_standard(EBDA + 1024);               /* past the EBDA's first KiB */
    CHECK(mp_cpus() == ACPI_E_NO_MP);
    fw_reset();
    mp_standard(0xE0000);                   /* the ACPI area, not the MP one */
    CHECK(mp_cpus() == ACPI_E_NO_MP);
    CHECK(fw_log_has("acpi: no valid MP floating pointer (\"_MP_\") in the EBDA"));
    fw_reset();
    mp_standard(MPF_AT + 8);                /* off a 16-byte boundary */
    CHECK(mp_cpus() == ACPI_E_NO_MP);
}

TEST(mp_last_kib_of_base_memory_only_without_an_ebda)
{
    fw_reset();
    mp_standard(0x9F800);                   /* 638-639 KiB: the last KiB of 639 KiB */
    CHECK(mp_cpus_with((struct acpi_lowmem){0, FW_BASE_MEM_KIB}) == ACPI_OK);
    CHECK(fw_log_has("last KiB of base memory"));
    /* With an EBDA elsewhere (0x90000) the spec searches that instead. */
    CHECK(mp_cpus_with((struct acpi_lowmem){0x9000, FW_BASE_MEM_KIB}) == ACPI_E_NO_MP);
    /* A base memory size past 640 KiB is not believed. */
    fw_reset();
    mp_standard(0xBFC00);
    CHECK(mp_cpus_with((struct acpi_lowmem){0, 768}) == ACPI_E_NO_MP);
}

TEST(mp_floating_pointer_checksum_and_length)
{
    fw_reset();
    mp_standard(MPF_AT);
    fw_ptr(MPF_AT)[12] = 0x22;              /* feature byte 2 changed, checksum not */
    CHECK(mp_cpus() == ACPI_E_NO_MP);
    CHECK(fw_log_has("acpi: MP floating pointer at 0xf6000: checksum 0x22, want 0"));
    fw_reset();
    mp_standard(MPF_AT);
    fw_ptr(MPF_AT)[8] = 2;
    fw_ptr(MPF_AT)[10] -= 1;                /* checksum right for the wrong length */
    CHECK(mp_cpus() == ACPI_E_NO_MP);
    CHECK(fw_log_has("length 2 paragraphs, want 1"));
}

TEST(mp_config_table_checks)
{
    fw_reset();
    mp_standard(MPF_AT);
    fw_ptr(MPC_AT + 44)[1] = 5;             /* a processor's APIC ID, checksum not fixed */
    CHECK(mp_cpus() == ACPI_E_CHECKSUM);
    CHECK(fw_log_has("acpi: MP table checksum 0x05, want 0"));
    fw_reset();
    mp_standard(MPF_AT);
    fw_ptr(MPC_AT)[0] = 'X';
    CHECK(mp_cpus() == ACPI_E_SIGNATURE);
    fw_reset();
    mp_standard(MPF_AT);
    st16(fw_ptr(MPC_AT) + 4, 43);
    CHECK(mp_cpus() == ACPI_E_LENGTH);
    CHECK(fw_log_has("acpi: MP table length 43, below its 44-byte header"));
}

/* Sets a field of the configuration table and fixes its checksum. */
static void mpc_poke16(unsigned off, uint16_t v)
{
    uint8_t *p = fw_ptr(MPC_AT);
    st16(p + off, v);
    p[7] = 0;
    p[7] = (uint8_t)-fw_sum(MPC_AT, ld16(p + 4));
}

TEST(mp_entry_checks)
{
    uint8_t bad[8] = {5};
    fw_reset();
    fw_mpf(MPF_AT, MPC_AT, 0);
    fw_mpc_begin(MPC_AT, 0xFEE00000u);
    fw_mpc_cpu(0, CPU_EN);
    fw_mpc_raw(bad, sizeof bad);
    fw_mpc_end();
    CHECK(mp_cpus() == ACPI_E_MP_ENTRY);
    CHECK(fw_log_has("acpi: MP table entry 1 at offset 64: type 5 is not defined"));
    fw_reset();
    uint32_t len = mp_standard(MPF_AT);
    mpc_poke16(34, 7);                      /* one entry more than the table holds */
    CHECK(mp_cpus() == ACPI_E_MP_ENTRY);
    CHECK(fw_log_has("acpi: MP table claims 7 entries"));
    fw_reset();
    len = mp_standard(MPF_AT);
    mpc_poke16(4, (uint16_t)(len - 4));     /* the last entry now runs past the end */
    CHECK(mp_cpus() == ACPI_E_MP_ENTRY);
    CHECK(fw_log_has("runs past the table's"));
}

TEST(mp_default_configuration)
{
    fw_reset();
    fw_mpf(MPF_AT, 0, 5);
    REQUIRE(mp_cpus() == ACPI_OK);
    CHECK_EQ_U64(cpus.count, 2);
    CHECK_EQ_U64(cpus.apic_ids[0], 0);
    CHECK_EQ_U64(cpus.apic_ids[1], 1);
    CHECK_EQ_U64(cpus.lapic_addr, 0xFEE00000u);
    CHECK_EQ_U64(cpus.ioapic_count, 1);
    fw_mpf(MPF_AT, 0, 8);
    CHECK(mp_cpus() == ACPI_E_FIELD);
    CHECK(fw_log_has("default configuration 8, want 1 to 7"));
}

TEST(mp_config_address_in_page_0_never_read)
{
    fw_reset();
    fw_mpf(MPF_AT, 0, 0);
    CHECK(mp_cpus() == ACPI_E_UNMAPPED);
    CHECK(fw.page0_reads == 0);
}

TEST(mp_without_enabled_cpus)
{
    fw_reset();
    fw_mpf(MPF_AT, MPC_AT, 0);
    fw_mpc_begin(MPC_AT, 0xFEE00000u);
    fw_mpc_cpu(0, 0);
    fw_mpc_end();
    CHECK(mp_cpus() == ACPI_E_NO_CPUS);
}

/* ---- the fallback order -------------------------------------------------------------- */

TEST(find_cpus_prefers_the_madt)
{
    fw_reset();
    fw_standard(4);
    mp_standard(MPF_AT);
    CHECK(find_cpus(fw_lowmem(), 0) == ACPI_OK);
    CHECK_EQ_U64(cpus.source, ACPI_CPUS_MADT);
    CHECK_EQ_U64(cpus.count, 4);
}

TEST(find_cpus_bad_madt_falls_back_to_mp)
{
    fw_reset();
    uint64_t madt = fw_standard(4);
    fw_ptr(madt + 36)[0] ^= 0x10;           /* local APIC address, checksum not fixed */
    mp_standard(MPF_AT);
    CHECK(find_cpus(fw_lowmem(), 0) == ACPI_OK);
    CHECK_EQ_U64(cpus.source, ACPI_CPUS_MP);
    CHECK_EQ_U64(cpus.count, 2);
    CHECK(fw_log_has("acpi: MADT checksum 0x10, want 0"));
    CHECK(fw_log_has("acpi: no usable MADT (bad checksum); trying the MP table"));
}

TEST(find_cpus_without_tables_is_the_boot_cpu)
{
    fw_reset();
    CHECK(find_cpus(fw_lowmem(), 5) == ACPI_E_NO_MP);
    CHECK_EQ_U64(cpus.source, ACPI_CPUS_NONE);
    CHECK_EQ_U64(cpus.count, 1);
    CHECK_EQ_U64(cpus.apic_ids[0], 5);
    CHECK_EQ_U64(cpus.disabled, 0);
    CHECK(fw_log_has("acpi: no usable MADT or MP table (no MP floating pointer): only the "
                     "boot CPU"));
    CHECK(fw.page0_reads == 0);
}

TEST(find_cpus_names_an_implausible_ebda_segment)
{
    fw_reset();
    fw_standard(1);
    CHECK(find_cpus((struct acpi_lowmem){0xB800, FW_BASE_MEM_KIB}, 0) == ACPI_OK);
    CHECK(fw_log_has("acpi: EBDA segment 0xb800 is outside conventional memory"));
}

/* ---- log lines ----------------------------------------------------------------------- */

static void set_cpus(enum acpi_cpus_source src, uint32_t n, uint32_t disabled)
{
    acpi_cpus_reset(&cpus, src);
    for (uint32_t i = 0; i < n; i++)
        acpi_cpus_add(&cpus, i, "MADT");
    cpus.disabled = disabled;
}

TEST(log_summary_and_json_lines)
{
    fw_reset();
    set_cpus(ACPI_CPUS_MADT, 4, 1);
    cpus.lapic_addr = 0xFEE00000u;
    acpi_cpus_log(&cpus);
    CHECK(fw_log_has("acpi: MADT: 4 CPUs (APIC IDs 0 1 2 3), 1 disabled, local APIC at "
                     "0xfee00000\n"), "%s", fw_log());
    CHECK(fw_log_has("\n{\"cpus\": {\"source\": \"madt\", \"count\": 4, \"apic_ids\": "
                     "[0,1,2,3], \"disabled\": 1, \"online_capable\": 0}}\n"), "%s", fw_log());
}

/* n MADT CPUs (APIC IDs 0..n-1) after kernel/smp tried them, CPU i left in state[i]. */
static void set_start_outcome(uint32_t n, const enum acpi_cpu_state *state)
{
    fw_reset();
    set_cpus(ACPI_CPUS_MADT, n, 0);
    cpus.start_tried = true;
    for (uint32_t i = 0; i < n; i++)
        cpus.state[i] = state[i];
}

/* Once kernel/smp has tried the APs, the JSON line names who started, who did not answer
 * and who was left out; the listed-but-untried count as left out. */
TEST(log_json_start_outcome)
{
    static const enum acpi_cpu_state state[] = {ACPI_CPU_BOOT, ACPI_CPU_STARTED,
                                                ACPI_CPU_NO_ANSWER, ACPI_CPU_STARTED,
                                                ACPI_CPU_LEFT_OUT};
    set_start_outcome(5, state);
    acpi_cpus_log(&cpus);
    CHECK(fw_log_has("\n{\"cpus\": {\"source\": \"madt\", \"count\": 5, \"apic_ids\": "
                     "[0,1,2,3,4], \"disabled\": 0, \"online_capable\": 0, \"started\": 3, "
                     "\"started_ids\": [0,1,3], \"no_answer_ids\": [2], \"left_out_ids\": [4]}}\n"),
          "%s", fw_log());
}

/* No entry known to be the boot CPU (no local APIC to read its ID from): it still runs and is
 * counted, its ID in no list of started ones. */
TEST(log_json_boot_cpu_not_identified)
{
    static const enum acpi_cpu_state state[] = {ACPI_CPU_LEFT_OUT, ACPI_CPU_LEFT_OUT};
    set_start_outcome(2, state);
    acpi_cpus_log(&cpus);
    CHECK(fw_log_has("\"started\": 1, \"started_ids\": [], \"no_answer_ids\": [], "
                     "\"left_out_ids\": [0,1]}}\n"), "%s", fw_log());
}

/* With the APIC set up, the line also names its mode and how many started CPUs run in it. */
TEST(log_json_apic_mode)
{
    static const enum acpi_cpu_state state[] = {ACPI_CPU_BOOT, ACPI_CPU_STARTED};
    set_start_outcome(2, state);
    cpus.apic_mode = "x2APIC";
    cpus.cpus_in_mode = 2;
    acpi_cpus_log(&cpus);
    CHECK(fw_log_has("\"left_out_ids\": [], \"apic_mode\": \"x2APIC\", \"cpus_in_mode\": 2}}\n"),
          "%s", fw_log());
}

TEST(log_boot_cpu_alone)
{
    fw_reset();
    acpi_cpus_reset(&cpus, ACPI_CPUS_NONE);
    acpi_cpus_add(&cpus, 5, "boot");
    acpi_cpus_log(&cpus);
    CHECK_STREQ(fw_log(), "acpi: no table: 1 CPU (APIC ID 5), 0 disabled\n"
                "{\"cpus\": {\"source\": \"none\", \"count\": 1, \"apic_ids\": [5], "
                "\"disabled\": 0, \"online_capable\": 0}}\n");
}

TEST(log_online_capable_dropped_and_interrupts)
{
    fw_reset();
    set_cpus(ACPI_CPUS_MP, 2, 1);
    cpus.online_capable = 1;
    cpus.dropped = 2;
    acpi_cpus_add_ioapic(&cpus, 2, 0xFEC00000u, 0, "MP table");
    cpus.overrides[cpus.override_count++] = (struct acpi_irq_override){0, 0, 0, 2};
    cpus.overrides[cpus.override_count++] = (struct acpi_irq_override){0, 9, 0xD, 9};
    acpi_cpus_log(&cpus);
    CHECK(fw_log_has("acpi: MP table: 2 CPUs (APIC IDs 0 1), 1 disabled (1 online-capable), "
                     "2 dropped\n"), "%s", fw_log());
    CHECK(fw_log_has("acpi: MP table: IO APIC 2 at 0xfec00000, GSI base 0\n"));
    CHECK(fw_log_has("acpi: MP table: IRQ overrides (IRQ->GSI/flags): 0->2/0x0 9->9/0xd\n"));
    CHECK(fw_log_has("\"source\": \"mp\", \"count\": 2, \"apic_ids\": [0,1], \"disabled\": 1, "
                     "\"online_capable\": 1}}"));
}

TEST(error_and_source_names)
{
    for (int e = ACPI_OK; e <= ACPI_E_FIELD; e++) {
        const char *s = acpi_strerror((enum acpi_err)e);
        CHECK(strcmp(s, "unknown acpi error") != 0, "value %d has no name", e);
        for (int f = ACPI_OK; f < e; f++)
            CHECK(strcmp(s, acpi_strerror((enum acpi_err)f)) != 0, "%d and %d share a name", e,
                  f);
    }
    CHECK_STREQ(acpi_strerror((enum acpi_err)(ACPI_E_FIELD + 1)), "unknown acpi error");
    CHECK_STREQ(acpi_strerror((enum acpi_err)-1), "unknown acpi error");
    CHECK_STREQ(acpi_cpus_source_name(ACPI_CPUS_MADT), "madt");
    CHECK_STREQ(acpi_cpus_source_name(ACPI_CPUS_MP), "mp");
    CHECK_STREQ(acpi_cpus_source_name(ACPI_CPUS_NONE), "none");
}

TEST(page_0_never_read_by_any_test)
{
    CHECK(fw_page0_reads_total == 0);
}

int main(void)
{
    check_suite = "test_mptable";
    RUN(mp_table_in_bios_rom);
    RUN(mp_floating_pointer_search_areas);
    RUN(mp_last_kib_of_base_memory_only_without_an_ebda);
    RUN(mp_floating_pointer_checksum_and_length);
    RUN(mp_config_table_checks);
    RUN(mp_entry_checks);
    RUN(mp_default_configuration);
    RUN(mp_config_address_in_page_0_never_read);
    RUN(mp_without_enabled_cpus);
    RUN(find_cpus_prefers_the_madt);
    RUN(find_cpus_bad_madt_falls_back_to_mp);
    RUN(find_cpus_without_tables_is_the_boot_cpu);
    RUN(find_cpus_names_an_implausible_ebda_segment);
    RUN(log_summary_and_json_lines);
    RUN(log_boot_cpu_alone);
    RUN(log_online_capable_dropped_and_interrupts);
    RUN(log_json_start_outcome);
    RUN(log_json_boot_cpu_not_identified);
    RUN(log_json_apic_mode);
    RUN(error_and_source_names);
    RUN(page_0_never_read_by_any_test);
    return check_summary();
}
