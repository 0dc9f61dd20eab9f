/* Host tests of the variant manifest parser (kernel/bench/manifest.c): good lines, each field's
 * rule on its own, line numbers and quoted values in the reports, the header and size guards,
 * a full table, text without a final line feed or with CR line ends. */
#include <stdint.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/manifest.h"

#define MAX_REPORTS 16
#define TABLE 8

static struct {
    uint32_t line;
    enum manifest_err err;
    char value[MANIFEST_VALUE_LEN];
} reports[MAX_REPORTS];
static uint32_t n_reports;

static void record(void *ctx, uint32_t line, enum manifest_err err, const char *value)
{
    (void)ctx;
    if (n_reports < MAX_REPORTS) {
        reports[n_reports].line = line;
        reports[n_reports].err = err;
        snprintf(reports[n_reports].value, sizeof reports[n_reports].value, "%s", value);
    }
    n_reports++;
}

static enum manifest_err parse(const char *text, struct manifest_entry *out, uint32_t max,
                               uint32_t *count)
{
    n_reports = 0;
    return manifest_parse(text, (uint32_t)strlen(text), out, max, count, record, NULL);
}

static enum manifest_err line(const char *text, struct manifest_entry *e, char *bad)
{
    return manifest_parse_line(text, strlen(text), e, bad);
}

TEST(good_line)
{
    struct manifest_entry e;
    char bad[MANIFEST_VALUE_LEN];
    REQUIRE(line("sha256 SHA256/V01.MOD 1a2B3c4D -O3 -msse2  -funroll-loops \r", &e, bad)
            == MANIFEST_OK);
    CHECK_STREQ(e.module, "sha256");
    CHECK_STREQ(e.path, "SHA256/V01.MOD");
    CHECK_EQ_U64(e.crc, 0x1a2b3c4d);
    CHECK_STREQ(e.flags, "-O3 -msse2  -funroll-loops");
}

TEST(each_field_rule)
{
    struct manifest_entry e;
    char bad[MANIFEST_VALUE_LEN];
    CHECK(line("sha256 SHA256/V01.MOD 1a2b3c4d", &e, bad) == MANIFEST_E_FIELDS);
    CHECK(line("", &e, bad) == MANIFEST_E_FIELDS);
    CHECK(line("Sha256 SHA256/V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_NAME);
    CHECK_STREQ(bad, "Sha256");
    CHECK(line("a23456789012345678901234 A/B.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_NAME);
    CHECK(line("sha256 ../V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK_STREQ(bad, "../V01.MOD");
    CHECK(line("sha256 /SHA256/V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 sha256/V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 SHA256/V01 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 SHA256/V01.MODX 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 SHA256XYZ/V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 SHA256/A/V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 V01.MOD 1a2b3c4d -O2", &e, bad) == MANIFEST_E_PATH);
    CHECK(line("sha256 SHA256/V01.MOD 1a2b3c4 -O2", &e, bad) == MANIFEST_E_CRC);
    CHECK(line("sha256 SHA256/V01.MOD 1a2b3c4g -O2", &e, bad) == MANIFEST_E_CRC);
    CHECK_STREQ(bad, "1a2b3c4g");
    CHECK(line("sha256 SHA256/V01.MOD 0x1a2b3c4d -O2", &e, bad) == MANIFEST_E_CRC);
    CHECK(line("sha256 SHA256/V01.MOD 1a2b3c4d -O2 \x01", &e, bad) == MANIFEST_E_FLAGS);
    CHECK(line("sha256 SHA256/V01.MOD 1a2b3c4d "
               "-O3 -msse2 -mfpmath=sse -funroll-loops -DTILE=16 -DX", &e, bad)
          == MANIFEST_E_FLAGS);
}

TEST(long_line)
{
    char text[MANIFEST_MAX_LINE + 8];
    struct manifest_entry e;
    char bad[MANIFEST_VALUE_LEN];
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = 0;
    CHECK(line(text, &e, bad) == MANIFEST_E_LONG_LINE);
    CHECK_EQ_U64(strlen(bad), MANIFEST_VALUE_LEN - 1);
}

TEST(whole_file_reports_bad_lines_by_number)
{
    struct manifest_entry out[TABLE];
    uint32_t count;
    const char *text = "# variants\n"
                       "\n"
                       "fluid-variants 1\n"
                       "sha256 SHA256/V00.MOD 00000001 -O2 -march=pentium2\n"
                       "sha256 SHA256/V01.MOD zzzzzzzz -O3\n"
                       "   # a comment\n"
                       "fft_1d FFT_1D/V00.MOD ffffffff -O3 -msse2";    /* no final LF */
    REQUIRE(parse(text, out, TABLE, &count) == MANIFEST_OK);
    REQUIRE(count == 2);
    CHECK_STREQ(out[0].module, "sha256");
    CHECK_EQ_U64(out[0].line, 4);
    CHECK_STREQ(out[1].module, "fft_1d");
    CHECK_EQ_U64(out[1].crc, 0xffffffff);
    CHECK_EQ_U64(out[1].line, 7);
    REQUIRE(n_reports == 1);
    CHECK_EQ_U64(reports[0].line, 5);
    CHECK(reports[0].err == MANIFEST_E_CRC);
    CHECK_STREQ(reports[0].value, "zzzzzzzz");
}

TEST(crlf_lines)
{
    struct manifest_entry out[TABLE];
    uint32_t count;
    REQUIRE(parse("fluid-variants 1\r\nsha256 SHA256/V00.MOD 00000001 -O2\r\n", out, TABLE,
                  &count) == MANIFEST_OK);
    CHECK_EQ_U64(count, 1);
    CHECK_STREQ(out[0].flags, "-O2");
    CHECK_EQ_U64(n_reports, 0);
}

TEST(header_guard)
{
    struct manifest_entry out[TABLE];
    uint32_t count = 99;
    CHECK(parse("fluid-variants 2\nsha256 SHA256/V00.MOD 00000001 -O2\n", out, TABLE, &count)
          == MANIFEST_E_HEADER);
    CHECK_EQ_U64(count, 0);
    REQUIRE(n_reports == 1);
    CHECK_EQ_U64(reports[0].line, 1);
    CHECK_STREQ(reports[0].value, "fluid-variants 2");
    CHECK(parse("", out, TABLE, &count) == MANIFEST_E_HEADER);
    CHECK(parse("# only a comment\n", out, TABLE, &count) == MANIFEST_E_HEADER);
    CHECK(parse("fluid-variants 1\n", out, TABLE, &count) == MANIFEST_OK);
    CHECK_EQ_U64(count, 0);
}

TEST(size_guard)
{
    static char big[MANIFEST_MAX_BYTES + 1];
    struct manifest_entry out[TABLE];
    uint32_t count;
    memset(big, '#', sizeof big);
    n_reports = 0;
    CHECK(manifest_parse(big, sizeof big, out, TABLE, &count, record, NULL)
          == MANIFEST_E_TOO_BIG);
    REQUIRE(n_reports == 1);
    CHECK_STREQ(reports[0].value, "65537 bytes");
    CHECK(manifest_parse(big, sizeof big - 1, out, TABLE, &count, record, NULL)
          == MANIFEST_E_HEADER);
}

TEST(full_table)
{
    struct manifest_entry out[2];
    uint32_t count;
    const char *text = "fluid-variants 1\n"
                       "a A/V00.MOD 00000000 -O1\n"
                       "a A/V01.MOD 00000000 -O2\n"
                       "a A/V02.MOD 00000000 -O3\n";
    REQUIRE(parse(text, out, 2, &count) == MANIFEST_OK);
    CHECK_EQ_U64(count, 2);
    REQUIRE(n_reports == 1);
    CHECK(reports[0].err == MANIFEST_E_FULL);
    CHECK_EQ_U64(reports[0].line, 4);
}

TEST(strerror_covers_enum)
{
    for (int e = MANIFEST_OK; e <= MANIFEST_E_INVAL; e++)
        CHECK(strcmp(manifest_strerror((enum manifest_err)e), "unknown manifest error") != 0);
    CHECK_STREQ(manifest_strerror((enum manifest_err)99), "unknown manifest error");
}

int main(void)
{
    check_suite = "test_manifest";
    RUN(good_line);
    RUN(each_field_rule);
    RUN(long_line);
    RUN(whole_file_reports_bad_lines_by_number);
    RUN(crlf_lines);
    RUN(header_guard);
    RUN(size_guard);
    RUN(full_table);
    RUN(strerror_covers_enum);
    return check_summary();
}
