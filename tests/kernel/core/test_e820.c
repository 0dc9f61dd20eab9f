/* E820 usable totals (kernel/core/e820.c), including overlapping and conflicting entries, and
 * boot_info validation (kernel/core/bootcheck.c). */
#include <stdint.h>

#include "tests/lib/check.h"
#include "kernel/core/bootcheck.h"
#include "kernel/core/e820.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)

static struct e820_entry E(uint64_t base, uint64_t len, uint32_t type)
{
    struct e820_entry e = {base, len, type, 1};
    return e;
}

TEST(qemu_map_total)
{
    /* What QEMU's SeaBIOS reports for -m 32M (see a boot log). */
    struct e820_entry map[] = {
        E(0, 0x9fc00, E820_TYPE_USABLE), E(0x9fc00, 0x400, E820_TYPE_RESERVED),
        E(0xf0000, 0x10000, E820_TYPE_RESERVED), E(0x100000, 0x1ee0000, E820_TYPE_USABLE),
        E(0x1fe0000, 0x20000, E820_TYPE_RESERVED), E(0xfffc0000, 0x40000, E820_TYPE_RESERVED),
    };
    CHECK_EQ_U64(e820_usable_bytes(map, 6), 0x9fc00 + 0x1ee0000);
    CHECK_EQ_U64(e820_usable_entries(map, 6), 2);
}

TEST(overlapping_usable_counted_once)
{
    struct e820_entry map[] = {
        E(0, 4 * MIB, E820_TYPE_USABLE), E(2 * MIB, 4 * MIB, E820_TYPE_USABLE),
        E(1 * MIB, 1 * MIB, E820_TYPE_USABLE),
    };
    CHECK_EQ_U64(e820_usable_bytes(map, 3), 6 * MIB);
}

TEST(reserved_wins_over_usable)
{
    struct e820_entry map[] = {
        E(0, 8 * MIB, E820_TYPE_USABLE), E(3 * MIB, 1 * MIB, E820_TYPE_RESERVED),
        E(7 * MIB, 2 * MIB, E820_TYPE_ACPI),
    };
    CHECK_EQ_U64(e820_usable_bytes(map, 3), 6 * MIB);
    /* Same entries, other order: the answer must not depend on it. */
    struct e820_entry rev[] = {map[2], map[1], map[0]};
    CHECK_EQ_U64(e820_usable_bytes(rev, 3), 6 * MIB);
}

TEST(zero_length_and_wrapping_entries)
{
    struct e820_entry map[] = {
        E(1 * MIB, 0, E820_TYPE_RESERVED),                 /* ignored */
        E(UINT64_MAX - 4095, 8192, E820_TYPE_USABLE),      /* clipped at 2^64 */
        E(0, 4096, E820_TYPE_USABLE),
    };
    CHECK_EQ_U64(e820_usable_bytes(map, 3), 4096 + 4095);
    CHECK_EQ_U64(e820_usable_entries(map, 3), 2);
}

TEST(empty_map)
{
    CHECK_EQ_U64(e820_usable_bytes(NULL, 0), 0);
}

TEST(type_names)
{
    CHECK_STREQ(e820_type_name(E820_TYPE_USABLE), "usable");
    CHECK_STREQ(e820_type_name(E820_TYPE_NVS), "ACPI NVS");
    CHECK_STREQ(e820_type_name(12), "type 12");
}

static struct boot_info good_info(void)
{
    struct boot_info bi;
    memset(&bi, 0, sizeof bi);
    bi.magic = BOOT_INFO_MAGIC;
    bi.version = BOOT_INFO_VERSION;
    bi.size = sizeof bi;
    bi.e820_count = 3;
    return bi;
}

TEST(bootinfo_checks_each_field)
{
    struct boot_info bi = good_info();
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_OK);
    CHECK(bootinfo_check(0x2BADB002u, &bi) == BOOTINFO_E_MAGIC);
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, NULL) == BOOTINFO_E_NULL);
    bi.magic ^= 1;
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_E_STRUCT_MAGIC);
    bi = good_info();
    bi.version = BOOT_INFO_VERSION + 1;
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_E_VERSION);
    bi = good_info();
    bi.size = sizeof bi - 1;
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_E_SIZE);
    bi = good_info();
    bi.e820_count = E820_MAX_ENTRIES + 1;
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_E_E820_COUNT);
    bi.e820_count = E820_MAX_ENTRIES;
    CHECK(bootinfo_check(BOOT_INFO_MAGIC, &bi) == BOOTINFO_OK);
}

TEST(bootinfo_strerror_names)
{
    CHECK_STREQ(bootinfo_strerror(BOOTINFO_E_VERSION), "unsupported boot_info version");
    CHECK_STREQ(bootinfo_strerror((enum bootinfo_err)99), "unknown bootinfo error");
}

int main(void)
{
    check_suite = "test_e820";
    RUN(qemu_map_total);
    RUN(overlapping_usable_counted_once);
    RUN(reserved_wins_over_usable);
    RUN(zero_length_and_wrapping_entries);
    RUN(empty_map);
    RUN(type_names);
    RUN(bootinfo_checks_each_field);
    RUN(bootinfo_strerror_names);
    return check_summary();
}
