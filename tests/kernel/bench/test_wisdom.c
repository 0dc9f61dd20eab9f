/* Host tests of the wisdom file format (kernel/bench/wisdom.c): a round trip, the empty
 * (preallocated) file, each header rule, the CRC, bad lines named by number (vendors that are
 * not printable ASCII among them), the CPU match and the key match, a body that does not fit. */
#include <stdint.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/wisdom.h"
#include "kernel/lib/crc32.h"

static uint8_t file[WISDOM_FILE_BYTES];

static struct wisdom sample(void)
{
    struct wisdom w;
    memset(&w, 0, sizeof w);
    w.cpu = (struct wisdom_cpu){"GenuineIntel", 6, 6, 3, 0x1f};
    w.count = 2;
    w.e[0] = (struct wisdom_entry){"sum", 2, 3, {{0xa4077c49, 0xf3fff6e8}, {1, 2}, {3, 4}}};
    w.e[1] = (struct wisdom_entry){"fft_1d", 1, 2, {{5, 6}, {7, 8}}};
    return w;
}

/* Rewrites the body as n bytes and reseals the header (for the line tests). */
static void with_body_bytes(const char *body, size_t n)
{
    struct wisdom w = sample();
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    char *b = (char *)file + WISDOM_HEADER_BYTES;
    memset(b, '\n', WISDOM_FILE_BYTES - WISDOM_HEADER_BYTES);
    memcpy(b, body, n);
    char head[WISDOM_HEADER_BYTES + 1];
    snprintf(head, sizeof head, "%s 1 bytes=%010zu crc32=%08x", WISDOM_MAGIC, n,
             crc32_iso_hdlc(b, n));
    memcpy(file, head, strlen(head));
}

static void with_body(const char *body)
{
    with_body_bytes(body, strlen(body));
}

TEST(round_trip)
{
    struct wisdom w = sample(), back;
    char why[WISDOM_REASON_LEN];
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    CHECK(memcmp(file, "FLUID-WISDOM 1 bytes=", 21) == 0);
    CHECK_EQ_U64(file[WISDOM_HEADER_BYTES - 1], '\n');
    CHECK_EQ_U64(file[WISDOM_FILE_BYTES - 1], '\n');
    REQUIRE(wisdom_parse(file, sizeof file, &back, why) == WISDOM_OK, "%s", why);
    CHECK(wisdom_same_cpu(&w.cpu, &back.cpu));
    REQUIRE(back.count == 2);
    const struct wisdom_entry *e = wisdom_find(&back, "sum");
    REQUIRE(e);
    CHECK_EQ_U64(e->chosen, 2);
    CHECK(wisdom_keys_match(e, w.e[0].keys, 3));
    CHECK(!wisdom_keys_match(e, w.e[0].keys, 2));
    struct wisdom_key other[3] = {{0xa4077c49, 0xf3fff6e8}, {1, 2}, {3, 5}};
    CHECK(!wisdom_keys_match(e, other, 3));
    CHECK(wisdom_find(&back, "primes") == NULL);
}

TEST(cpu_match_is_exact)
{
    struct wisdom_cpu a = {"GenuineIntel", 6, 6, 3, 0x1f}, b = a;
    CHECK(wisdom_same_cpu(&a, &b));
    b.stepping = 4;
    CHECK(!wisdom_same_cpu(&a, &b));
    b = a;
    b.features = 0x0f;
    CHECK(!wisdom_same_cpu(&a, &b));
    b = a;
    memcpy(b.vendor, "AuthenticAMD", 13);
    CHECK(!wisdom_same_cpu(&a, &b));
}

TEST(empty_file_is_no_wisdom)
{
    struct wisdom w;
    char why[WISDOM_REASON_LEN];
    memset(file, '\n', sizeof file);
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_EMPTY);
    memset(file, 0, sizeof file);
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_EMPTY);
}

TEST(header_crc_and_size_rules)
{
    struct wisdom w = sample(), back;
    char why[WISDOM_REASON_LEN];
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    file[WISDOM_HEADER_BYTES + 5] ^= 1;
    CHECK(wisdom_parse(file, sizeof file, &back, why) == WISDOM_E_CRC);
    CHECK(strstr(why, "the header says") != NULL, "%s", why);
    CHECK_EQ_U64(back.count, 0);
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    file[3] = 'X';
    CHECK(wisdom_parse(file, sizeof file, &back, why) == WISDOM_E_HEADER);
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    memcpy(file + 21, "0000009999", 10);
    CHECK(wisdom_parse(file, sizeof file, &back, why) == WISDOM_E_SIZE);
    CHECK(strstr(why, "room for") != NULL, "%s", why);
    CHECK(wisdom_parse(file, WISDOM_HEADER_BYTES - 1, &back, why) == WISDOM_E_HEADER);
}

TEST(bad_lines_named_by_number)
{
    struct wisdom w;
    char why[WISDOM_REASON_LEN];
    with_body("cpu GenuineIntel 6 6 3 0000001f\nmodule sum 2 3 00000001:00000002\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    CHECK_STREQ(why, "line 3: not a cpu or module line by the rules");
    with_body("cpu GenuineIntel 6 6 3 0000001f\nmodule sum 2 2 00000001:00000002,"
              "00000003:00000004\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);     /* chosen >= count */
    with_body("cpu GenuineIntel 6 6 3 0000001f\nmodule Sum 1 2 00000001:00000002,"
              "00000003:00000004\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    with_body("module sum 1 2 00000001:00000002,00000003:00000004\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_NO_CPU);
    with_body("cpu GenuineIntel 6 6 3 1f\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    /* vendors with a control byte, a byte past ASCII, a NUL */
    with_body("cpu Genu\x01neIntel 6 6 3 0000001f\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    CHECK_STREQ(why, "line 2: not a cpu or module line by the rules");
    with_body("cpu Genu\xe9neIntel 6 6 3 0000001f\n");
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    static char long_line[WISDOM_MAX_LINE + 64];
    memset(long_line, 'x', sizeof long_line - 1);
    static const char lines[] = "cpu GenuineIntel 6 6 3 0000001f\nmodule ";
    memcpy(long_line, lines, sizeof lines - 1);
    with_body(long_line);
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    CHECK_STREQ(why, "line 3: too long");
    static const char nul_vendor[] = "cpu Genu\0neIntel 6 6 3 0000001f\n";
    with_body_bytes(nul_vendor, sizeof nul_vendor - 1);
    CHECK(wisdom_parse(file, sizeof file, &w, why) == WISDOM_E_LINE);
    with_body("cpu GenuineIntel 6 6 3 0000001f\n\nmodule sum 1 2 00000001:00000002,"
              "00000003:00000004\n");
    REQUIRE(wisdom_parse(file, sizeof file, &w, why) == WISDOM_OK, "%s", why);
    CHECK_EQ_U64(w.e[0].keys[1].flags_hash, 4);
}

/* WISDOM_FILE_BYTES holds the largest wisdom there can be: every module with the longest
 * name and every candidate. */
TEST(largest_fits_and_strerror)
{
    struct wisdom w = sample(), back;
    char why[WISDOM_REASON_LEN];
    w.count = WISDOM_MAX_MODULES;
    for (uint32_t i = 0; i < w.count; i++) {
        w.e[i] = w.e[0];
        snprintf(w.e[i].module, sizeof w.e[i].module, "module_with_long_nam%03u", i);
        w.e[i].count = PLANNER_MAX_CANDIDATES;
    }
    REQUIRE(wisdom_format(&w, file) == WISDOM_OK);
    REQUIRE(wisdom_parse(file, sizeof file, &back, why) == WISDOM_OK, "%s", why);
    CHECK_EQ_U64(back.count, WISDOM_MAX_MODULES);
    CHECK_EQ_U64(strlen(back.e[31].module), FLUID_MOD_NAME_LEN - 1);
    for (int e = WISDOM_OK; e <= WISDOM_E_INVAL; e++)
        CHECK(strcmp(wisdom_strerror((enum wisdom_err)e), "unknown wisdom error") != 0);
}

int main(void)
{
    check_suite = "test_wisdom";
    RUN(round_trip);
    RUN(cpu_match_is_exact);
    RUN(empty_file_is_no_wisdom);
    RUN(header_crc_and_size_rules);
    RUN(bad_lines_named_by_number);
    RUN(largest_fits_and_strerror);
    return check_summary();
}
