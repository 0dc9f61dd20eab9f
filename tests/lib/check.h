/* Minimal host unit-test support. Each test binary defines TEST(name) functions and runs them
 * from main() with RUN(name); every test prints one line the runner (tests/run.py) counts:
 *     PASS: <binary>/<test>            or      FAIL: <binary>/<test>: <file>:<line>: <what>
 * CHECK records a failure and goes on; REQUIRE returns from the test at once.
 * check_summary() returns the process exit status (0 only if nothing failed). */
#ifndef FLUID_TESTS_CHECK_H
#define FLUID_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static const char *check_suite = "host";
static int check_failed_tests, check_passed_tests;
static int check_current_failures;

#define CHECK_FAIL_(...)                                                    \
    do {                                                                    \
        if (check_current_failures++ < 5) {                                 \
            fprintf(stdout, "  %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stdout, __VA_ARGS__);                                   \
            fputc('\n', stdout);                                            \
        }                                                                   \
    } while (0)

/* CHECK(cond) or CHECK(cond, "fmt", args...): the "" in front turns an absent message into
 * an empty format and pastes onto a present one. */
#define CHECK(cond, ...) CHECK_IMPL_(cond, #cond, "" __VA_ARGS__)
#define CHECK_IMPL_(cond, text, fmt, ...)                                   \
    do {                                                                    \
        if (!(cond)) CHECK_FAIL_("check failed: %s " fmt, text, ##__VA_ARGS__); \
    } while (0)

#define REQUIRE(cond, ...) REQUIRE_IMPL_(cond, #cond, "" __VA_ARGS__)
#define REQUIRE_IMPL_(cond, text, fmt, ...)                                 \
    do {                                                                    \
        if (!(cond)) {                                                      \
            CHECK_FAIL_("required: %s " fmt, text, ##__VA_ARGS__);          \
            return;                                                         \
        }                                                                   \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                  \
    do {                                                                    \
        unsigned long long a_ = (unsigned long long)(a);                    \
        unsigned long long b_ = (unsigned long long)(b);                    \
        if (a_ != b_)                                                       \
            CHECK_FAIL_("%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_);      \
    } while (0)

#define CHECK_STREQ(a, b)                                                   \
    do {                                                                    \
        const char *a_ = (a), *b_ = (b);                                    \
        if (strcmp(a_, b_) != 0)                                            \
            CHECK_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_, b_);      \
    } while (0)

#define TEST(name) static void name(void)

#define RUN(name)                                                           \
    do {                                                                    \
        check_current_failures = 0;                                         \
        name();                                                             \
        if (check_current_failures) {                                       \
            check_failed_tests++;                                           \
            printf("FAIL: %s/%s: %d check(s) failed\n", check_suite, #name, \
                   check_current_failures);                                 \
        } else {                                                            \
            check_passed_tests++;                                           \
            printf("PASS: %s/%s\n", check_suite, #name);                    \
        }                                                                   \
        fflush(stdout);                                                     \
    } while (0)

static inline int check_summary(void)
{
    return check_failed_tests ? 1 : 0;
}

#endif
