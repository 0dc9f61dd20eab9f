/* Host tests of the suite's numeric boot options (kernel/bench/suite_options.c), the rule of
 * suite.calls=N and suite.seconds=S: decimal 1..max taken; empty, NULL, 0, a sign, hex, a
 * blank, a trailing letter, max + 1 and a number past 2^64 refused with the output
 * untouched. */
#include <stdint.h>

#include "tests/lib/check.h"
#include "kernel/bench/suite_options.h"

static bool parse(const char *v, uint32_t max, uint32_t *out)
{
    *out = 0xdeadbeefu;
    return suite_parse_count(v, max, out);
}

TEST(taken)
{
    uint32_t n;
    CHECK(parse("1", 3600, &n) && n == 1);
    CHECK(parse("3600", 3600, &n) && n == 3600);
    CHECK(parse("0007", 3600, &n) && n == 7, "leading zeros are still decimal");
    CHECK(parse("4294967295", UINT32_MAX, &n) && n == UINT32_MAX);
    CHECK(parse("1000000", 1000000, &n) && n == 1000000);
}

TEST(refused_untouched)
{
    static const char *const bad[] = {"", "0", "-1", "+5", "0x10", " 5", "5 ", "5s", "3601",
                                      "99999999999999999999999", "36000", "1e3"};
    uint32_t n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!parse(bad[i], 3600, &n), "\"%s\" taken as %u", bad[i], n);
        CHECK(n == 0xdeadbeefu, "\"%s\" wrote %u", bad[i], n);
    }
    CHECK(!suite_parse_count(NULL, 3600, &n));
    CHECK(!parse("4294967296", UINT32_MAX, &n), "2^32 does not wrap to 0");
}

int main(void)
{
    check_suite = "test_suite_options";
    RUN(taken);
    RUN(refused_untouched);
    return check_summary();
}
