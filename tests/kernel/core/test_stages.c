/* The stage runner (kernel/core/stages.c): order, failures, and the two skip rules. */
#include "tests/lib/check.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/stages.h"
#include "kernel/lib/array.h"

/* What the runner needs from the console and the architecture, for `interactive`. */
static int keys_polled, waits;
int console_poll_key(void) { return keys_polled++ ? 'x' : -1; }
void arch_wait_for_interrupt(void) { waits++; }

static char ran[16];
static size_t ran_count;
static bool record(char name, bool ok)
{
    if (ran_count < sizeof ran - 1)
        ran[ran_count++] = name;
    ran[ran_count] = '\0';
    return ok;
}
static bool stage_a_ok(void) { return record('a', true); }
static bool stage_b_fails(void) { return record('b', false); }
static bool stage_c_ok(void) { return record('c', true); }

static void reset(const char *cmdline)
{
    ran_count = 0;
    ran[0] = '\0';
    keys_polled = waits = 0;
    cmdline_set(cmdline);
}

TEST(every_stage_runs_in_order)
{
    static const struct stage table[] = {
        {"a", stage_a_ok, 0}, {"c", stage_c_ok, 0}, {"a2", stage_a_ok, 0}};
    reset(NULL);
    CHECK(run_stages(table, ARRAY_SIZE(table)));
    CHECK_STREQ(ran, "aca");
    CHECK(keys_polled == 0, "no pause without `interactive`");
}

TEST(a_failure_fails_the_run_and_the_rest_still_runs)
{
    static const struct stage table[] = {
        {"b", stage_b_fails, 0}, {"c", stage_c_ok, 0}};
    reset(NULL);
    CHECK(!run_stages(table, ARRAY_SIZE(table)));
    CHECK_STREQ(ran, "bc");
}

TEST(a_stage_that_needs_the_earlier_ones_is_skipped_after_a_failure)
{
    static const struct stage table[] = {
        {"a", stage_a_ok, 0}, {"b", stage_b_fails, 0}, {"c", stage_c_ok, STAGE_NEEDS_EARLIER}};
    reset(NULL);
    CHECK(!run_stages(table, ARRAY_SIZE(table)), "the failure is still reported");
    CHECK_STREQ(ran, "ab");
}

TEST(a_stage_that_needs_the_earlier_ones_runs_when_they_succeeded)
{
    static const struct stage table[] = {
        {"a", stage_a_ok, 0}, {"c", stage_c_ok, STAGE_NEEDS_EARLIER}};
    reset(NULL);
    CHECK(run_stages(table, ARRAY_SIZE(table)));
    CHECK_STREQ(ran, "ac");
}

TEST(a_stage_not_run_in_tests_is_skipped_under_a_test_option)
{
    static const struct stage table[] = {
        {"a", stage_a_ok, 0}, {"c", stage_c_ok, STAGE_NOT_IN_TESTS}};
    reset("test=heap");
    CHECK(run_stages(table, ARRAY_SIZE(table)), "a skipped stage is not a failure");
    CHECK_STREQ(ran, "a");
    reset("interactive");
    CHECK(run_stages(table, ARRAY_SIZE(table)));
    CHECK_STREQ(ran, "ac");
}

TEST(interactive_waits_for_a_key_before_each_stage)
{
    static const struct stage table[] = {{"a", stage_a_ok, 0}};
    reset("interactive");
    CHECK(run_stages(table, ARRAY_SIZE(table)));
    CHECK_STREQ(ran, "a");
    CHECK(keys_polled == 2 && waits == 1, "polled %d, waited %d", keys_polled, waits);
}

int main(void)
{
    check_suite = "test_stages";
    RUN(every_stage_runs_in_order);
    RUN(a_failure_fails_the_run_and_the_rest_still_runs);
    RUN(a_stage_that_needs_the_earlier_ones_is_skipped_after_a_failure);
    RUN(a_stage_that_needs_the_earlier_ones_runs_when_they_succeeded);
    RUN(a_stage_not_run_in_tests_is_skipped_under_a_test_option);
    RUN(interactive_waits_for_a_key_before_each_stage);
    return check_summary();
}
