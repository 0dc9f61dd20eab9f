/* kprintf's formatting engine (kernel/core/format.c) against the C library's snprintf, for every
 * conversion, flag, width and length modifier it claims, at the edges of each integer type;
 * plus snprintf truncation, %p and unknown conversions, where it differs from libc on purpose.
 * %f against snprintf wherever C's correctly rounded result is not a tie, and the documented
 * differences (ties round away from zero, -0.0, beyond 1.8e19, precision above 9). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/lib/check.h"
#include "kernel/core/format.h"

#define BUF 128
#define FMT_TEST_PREC_MAX 9     /* the most decimals %f prints (format.h) */

/* Formats with both and compares; a macro so each call's arguments are type-checked. */
#define SAME(...)                                                           \
    do {                                                                    \
        char got_[BUF], want_[BUF];                                         \
        size_t n_ = fmt_snprintf(got_, sizeof got_, __VA_ARGS__);           \
        int m_ = snprintf(want_, sizeof want_, __VA_ARGS__);                \
        CHECK_STREQ(got_, want_);                                           \
        CHECK_EQ_U64(n_, m_);                                               \
    } while (0)

TEST(integers_match_libc)
{
    static const int ints[] = {0, 1, -1, 7, -42, 1000, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int v = ints[i];
        SAME("%d|%i|%u|%x|%X", v, v, (unsigned)v, (unsigned)v, (unsigned)v);
        SAME("[%5d][%-5d][%05d][%012d][%-12i]", v, v, v, v, v);
        SAME("[%8x][%08X][%-8x][%1u]", (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v);
    }
}

TEST(long_and_size_modifiers_match_libc)
{
    static const long long lls[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL};
    for (size_t i = 0; i < sizeof lls / sizeof lls[0]; i++) {
        long long v = lls[i];
        SAME("%lld %llu %llx %016llX %-20lld|", v, (unsigned long long)v,
             (unsigned long long)v, (unsigned long long)v, v);
        SAME("%ld %lu %lx", (long)v, (unsigned long)v, (unsigned long)v);
        SAME("%zu %zx %8zu", (size_t)v, (size_t)v, (size_t)v);
    }
    SAME("%llu", ULLONG_MAX);
}

TEST(strings_and_chars_match_libc)
{
    SAME("%s|%10s|%-10s|%c|%3c|%-3c|%%", "abc", "abc", "abc", 'x', 'y', 'z');
    SAME("%s%s", "", "tail");
    SAME("%*d|%-*d|%*s", 6, 42, 6, 42, -6, "ab");
    SAME("no conversions at all");
}

TEST(null_string_prints_placeholder)
{
    char buf[BUF];
    fmt_snprintf(buf, sizeof buf, "[%s]", (const char *)NULL);
    CHECK_STREQ(buf, "[(null)]");
}

TEST(pointer_is_zero_padded_to_pointer_width)
{
    char buf[BUF], want[BUF];
    fmt_snprintf(buf, sizeof buf, "%p", (void *)0x1234);
    snprintf(want, sizeof want, "0x%0*llx", (int)(2 * sizeof(void *)), 0x1234ULL);
    CHECK_STREQ(buf, want);
    fmt_snprintf(buf, sizeof buf, "%p", (void *)0);
    CHECK_STREQ(buf, sizeof(void *) == 8 ? "0x0000000000000000" : "0x00000000");
}

TEST(unknown_conversion_is_printed_verbatim)
{
    char buf[BUF];
    const char *unknown = "a%qb%d", *trailing = "trailing %";   /* not literals: no -Wformat */
    fmt_snprintf(buf, sizeof buf, unknown, 5);
    CHECK_STREQ(buf, "a%qb5");
    fmt_snprintf(buf, sizeof buf, trailing, 0);
    CHECK_STREQ(buf, "trailing %");
}

TEST(truncation_matches_snprintf)
{
    for (size_t size = 0; size <= 12; size++) {
        char got[16], want[16];
        memset(got, '#', sizeof got);
        memset(want, '#', sizeof want);
        size_t n = fmt_snprintf(got, size, "hello %d!", 12345);
        int m = snprintf(want, size, "hello %d!", 12345);
        CHECK_EQ_U64(n, m);
        CHECK(memcmp(got, want, sizeof got) == 0);
    }
}

/* Formats with fmt_snprintf and checks the result and the returned length. */
#define GIVES(want, ...)                                                    \
    do {                                                                    \
        char got_[BUF];                                                     \
        size_t n_ = fmt_snprintf(got_, sizeof got_, __VA_ARGS__);           \
        CHECK_STREQ(got_, want);                                            \
        CHECK_EQ_U64(n_, strlen(want));                                     \
    } while (0)

TEST(float_matches_libc)
{
    static const double vals[] = {0.0, 1.0, -1.0, 0.1, 3.14159265358979, -2.718281828,
                                  1234.5678, 0.000123456, 1e-7, 123456789.987654321,
                                  4294967296.7, 123456789012.34567, 9.2e18, 1.8e19, -0.004, 0.996};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double v = vals[i];
        if (v == -0.004) {      /* a tie at no precision below; the sign of a zero result */
            SAME("%.2f|%.0f|%.3f", v, v, v);
            continue;
        }
        SAME("%f|%.1f|%.2f|%.3f|%.6f|%.9f", v, v, v, v, v, v);
        SAME("%lf|%.*f|%.*f", v, 4, v, -1, v);              /* %lf is %f; '*'; negative: 6 */
    }
    SAME("%.0f|%.0f|%.0f|%.0f", 0.4, 0.6, 2.4, -2.6);      /* precision 0: no point */
}

TEST(float_width_and_flags_match_libc)
{
    SAME("[%10.3f][%-10.3f][%010.3f][%3.3f][%08.2f]", 3.14159, 3.14159, 3.14159, 3.14159,
         -1.5);
    SAME("[%*.*f][%-*.2f]", 9, 2, 2.71828, -9, 2.71828);
    SAME("[%.0f][%5.0f][%-5.0f|]", 7.0, 7.0, 7.0);
}

TEST(float_rounding_carries_into_integer_part)
{
    SAME("%.2f|%.3f|%.0f|%.6f", 9.996, 99.9996, 0.9, 0.9999999);
    GIVES("10.00", "%.2f", 9.996);
    GIVES("1000.0", "%.1f", 999.96);
    GIVES("-10.00", "%.2f", -9.9951);
    /* 9.995 is stored as 9.99499999999999922...: below the tie, so "9.99", as in C */
    SAME("%.2f", 9.995);
    GIVES("9.99", "%.2f", 9.995);
}

TEST(float_specials)
{
    SAME("[%f][%f][%f][%.2f]", (double)INFINITY, -(double)INFINITY, (double)NAN, (double)NAN);
    SAME("[%6f][%-6f|][%06f][%07.1f]", (double)INFINITY, (double)INFINITY, (double)INFINITY,
         -(double)INFINITY);
    GIVES("nan", "%f", -(double)NAN);                      /* glibc: "-nan" */
}

TEST(float_documented_differences_from_libc)
{
    GIVES("3|1|-3|0.13", "%.0f|%.0f|%.0f|%.2f", 2.5, 0.5, -2.5, 0.125);   /* ties: away from 0 */
    GIVES("0.000000|0.00", "%f|%.2f", -0.0, -0.0);          /* C: "-0.000000" */
    GIVES("inf|-inf", "%f|%.0f", 1e20, -1e300);             /* beyond 1.8e19 */
    GIVES("0.333333333", "%.12f", 1.0 / 3);                  /* precision above 9 */
    GIVES("0.333333333", "%.*f", 40, 1.0 / 3);
    GIVES("2.000000000", "%.99999999999999f", 2.0);         /* no overflow on long digit runs */
}

TEST(precision_on_other_conversions_printed_verbatim)
{
    const char *fmts[] = {"[%.3s]", "[%.2d]"};              /* not literals: no -Wformat */
    char buf[BUF];
    fmt_snprintf(buf, sizeof buf, fmts[0], "abcdef");
    CHECK_STREQ(buf, "[%.3s]");
    fmt_snprintf(buf, sizeof buf, fmts[1], 5);
    CHECK_STREQ(buf, "[%.2d]");
}

static double power_of_ten(int e)
{
    double p = 1;
    for (; e > 0; e--)
        p *= 10;
    for (; e < 0; e++)
        p /= 10;
    return p;
}

/* Pseudo-random values and precisions against snprintf. Where the two differ (about 1 in 150:
 * large values have few fraction bits, so exact ties are common), C's value at six more
 * decimals must show a tie at the rounding digit ("5000..." or "4999..."). */
TEST(float_random_against_libc)
{
    uint64_t state = 0x2545f4914f6cdd1dull;
    for (int round = 0; round < 20000; round++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        int prec = (int)(state % (FMT_TEST_PREC_MAX + 1));
        int exp10 = (int)((state >> 8) % 22) - 6;           /* 1e-6 .. 1e15 */
        double v = (double)(state >> 11) / (double)(1ull << 53) * power_of_ten(exp10);
        if (state & (1ull << 63))
            v = -v;
        char got[BUF], want[BUF];
        size_t n = fmt_snprintf(got, sizeof got, "%.*f", prec, v);
        snprintf(want, sizeof want, "%.*f", prec, v);
        CHECK_EQ_U64(n, strlen(got));
        if (strcmp(got, want) == 0)
            continue;
        char more[BUF];
        snprintf(more, sizeof more, "%.*f", prec + 6, v);
        const char *tail = more + strlen(more) - 6;
        bool near_tie = strncmp(tail, "5000", 4) == 0 || strncmp(tail, "4999", 4) == 0;
        CHECK(near_tie, "%%.%df of %.17g: got %s, libc %s (%s)", prec, v, got, want, more);
    }
}

TEST(float_truncation_matches_snprintf)
{
    for (size_t size = 0; size <= 12; size++) {
        char got[16], want[16];
        memset(got, '#', sizeof got);
        memset(want, '#', sizeof want);
        size_t n = fmt_snprintf(got, size, "pi=%.4f!", 3.14159265);
        int m = snprintf(want, size, "pi=%.4f!", 3.14159265);
        CHECK_EQ_U64(n, m);
        CHECK(memcmp(got, want, sizeof got) == 0);
    }
}

static void count_emit(char c, void *ctx)
{
    (void)c;
    (*(size_t *)ctx)++;
}

static size_t count_chars(const char *fmt, ...)
{
    size_t emitted = 0;
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vformat(count_emit, &emitted, fmt, ap);
    va_end(ap);
    return n == emitted ? n : (size_t)-1;
}

TEST(vformat_returns_characters_emitted)
{
    CHECK_EQ_U64(count_chars("%d-%s-%08x", -5, "abc", 0xbeefu), strlen("-5-abc-0000beef"));
    CHECK_EQ_U64(count_chars("%.3f|%8.1f", -1.0 / 3, 2.0), strlen("-0.333|     2.0"));
}

int main(void)
{
    check_suite = "test_format";
    RUN(integers_match_libc);
    RUN(long_and_size_modifiers_match_libc);
    RUN(strings_and_chars_match_libc);
    RUN(null_string_prints_placeholder);
    RUN(pointer_is_zero_padded_to_pointer_width);
    RUN(unknown_conversion_is_printed_verbatim);
    RUN(truncation_matches_snprintf);
    RUN(float_matches_libc);
    RUN(float_width_and_flags_match_libc);
    RUN(float_rounding_carries_into_integer_part);
    RUN(float_specials);
    RUN(float_documented_differences_from_libc);
    RUN(precision_on_other_conversions_printed_verbatim);
    RUN(float_random_against_libc);
    RUN(float_truncation_matches_snprintf);
    RUN(vformat_returns_characters_emitted);
    return check_summary();
}
