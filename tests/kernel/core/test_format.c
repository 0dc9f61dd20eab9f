/* kprintf's formatting engine (kernel/core/format.c) against the C library's snprintf, for every
 * conversion, flag, width and length modifier it claims, at the edges of each integer type;
 * plus snprintf truncation, %p and unknown conversions, where it differs from libc on purpose. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/lib/check.h"
#include "kernel/core/format.h"

#define BUF 128

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
    RUN(vformat_returns_characters_emitted);
    return check_summary();
}
