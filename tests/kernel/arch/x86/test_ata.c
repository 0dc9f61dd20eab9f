/* Host tests of the pure part of kernel/arch/x86/ata.c: decoding IDENTIFY DEVICE data (ATA/ATAPI-6
 * §8.15) into capacity, LBA48 support and model string. The port-I/O paths need a machine
 * and are exercised by booting (see docs/fat16.md). */
#include <stdint.h>

#include "tests/lib/check.h"

#include "kernel/arch/x86/ata.h"
#include "kernel/core/tsc.h"

/* ata.c bounds its waits with the TSC; the parser tests never wait. */
bool tsc_have_lfence;
uint64_t tsc_hz(void)
{
    return 0;
}

/* IDENTIFY words of a QEMU-like disk: LBA, "QEMU HARDDISK", sectors28 / sectors48. */
static void make_identify(uint16_t w[ATA_IDENTIFY_WORDS], uint32_t s28, uint64_t s48,
                          bool lba48)
{
    static const char model[] = "QEMU HARDDISK";
    memset(w, 0, ATA_IDENTIFY_WORDS * sizeof w[0]);
    for (int i = 0; i < ATA_MODEL_LEN / 2; i++) {
        char hi = (size_t)(2 * i) < sizeof model - 1 ? model[2 * i] : ' ';
        char lo = (size_t)(2 * i + 1) < sizeof model - 1 ? model[2 * i + 1] : ' ';
        w[27 + i] = (uint16_t)((uint8_t)hi << 8 | (uint8_t)lo);
    }
    w[49] = 1u << 9;
    w[60] = (uint16_t)s28, w[61] = (uint16_t)(s28 >> 16);
    w[83] = lba48 ? 1u << 10 : 0;
    for (int i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(s48 >> (16 * i));
}

TEST(identify_lba28_disk)
{
    uint16_t w[ATA_IDENTIFY_WORDS];
    struct ata_identity id;
    make_identify(w, 32768, 0, false);
    REQUIRE(ata_parse_identify(w, &id) == ATA_OK);
    CHECK_EQ_U64(id.sectors, 32768);
    CHECK(!id.lba48);
    CHECK_STREQ(id.model, "QEMU HARDDISK");
}

TEST(identify_lba48_disk_beyond_28_bits)
{
    uint16_t w[ATA_IDENTIFY_WORDS];
    struct ata_identity id;
    make_identify(w, 0x0FFFFFFF, 0x123456789ull, true);
    REQUIRE(ata_parse_identify(w, &id) == ATA_OK);
    CHECK_EQ_U64(id.sectors, 0x123456789ull);
    CHECK(id.lba48);
}

TEST(identify_rejects_no_lba_and_zero_capacity)
{
    uint16_t w[ATA_IDENTIFY_WORDS];
    struct ata_identity id;
    make_identify(w, 1000, 0, false);
    w[49] = 0;
    CHECK(ata_parse_identify(w, &id) == ATA_E_IDENTIFY);
    make_identify(w, 0, 0, true);
    CHECK(ata_parse_identify(w, &id) == ATA_E_IDENTIFY);
    make_identify(w, 1000, 0, false);
    w[27] = 0x0102;                                 /* control bytes in the model */
    REQUIRE(ata_parse_identify(w, &id) == ATA_OK);
    CHECK(id.model[0] == '?' && id.model[1] == '?');
}

TEST(error_names)
{
    CHECK_STREQ(ata_strerror(ATA_E_IDENTIFY), "unusable IDENTIFY data");
    CHECK_STREQ(ata_strerror((enum ata_err)99), "unknown ata error");
}

int main(void)
{
    check_suite = "test_fat16_ata";
    RUN(identify_lba28_disk);
    RUN(identify_lba48_disk_beyond_28_bits);
    RUN(identify_rejects_no_lba_and_zero_capacity);
    RUN(error_names);
    return check_summary();
}
