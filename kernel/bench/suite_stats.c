/* Suite statistics (kernel/bench/suite_stats.h): min, max, mean and median of a module's timed
 * calls, and the pass/fail rule. The median of an even count is the lower middle value, so
 * it is always a measured sample. */
#include "kernel/bench/suite_stats.h"

#include "kernel/lib/sort.h"

bool suite_expects_value(const struct suite_entry *e)
{
    return e->expect == SUITE_EXPECT_VALUE || e->expect == SUITE_EXPECT_TEST_OK;
}

bool suite_result_ok(const struct suite_entry *e, uint32_t result)
{
    int64_t diff = (int64_t)(int32_t)result - (int64_t)(int32_t)e->expected;
    if (diff < 0)
        diff = -diff;
    return (uint64_t)diff <= e->tolerance;
}

void suite_stats_finish(struct suite_result *r)
{
    uint64_t sorted[SUITE_MAX_CALLS];
    uint32_t n = r->calls < SUITE_MAX_CALLS ? r->calls : SUITE_MAX_CALLS;
    r->total = r->min = r->max = r->mean = r->median = 0;
    if (n == 0)
        return;
    for (uint32_t i = 0; i < n; i++) {
        sorted[i] = r->cycles[i];
        r->total += r->cycles[i];
    }
    sort_u64(sorted, n);
    r->min = sorted[0];
    r->max = sorted[n - 1];
    r->median = sorted[(n - 1) / 2];
    r->mean = r->total / n;
}

void suite_judge(struct suite_result *r)
{
    static const enum suite_status wanted[] = {
        [SUITE_EXPECT_VALUE] = SUITE_OK, [SUITE_EXPECT_FAULT] = SUITE_FAULT,
        [SUITE_EXPECT_TIMEOUT] = SUITE_TIMEOUT, [SUITE_EXPECT_REJECTED] = SUITE_REJECTED,
        [SUITE_EXPECT_TEST_OK] = SUITE_OK,
    };
    _Static_assert(sizeof wanted / sizeof wanted[0] == SUITE_EXPECT_COUNT, "one per expect");
    r->passed = (unsigned)r->entry->expect < SUITE_EXPECT_COUNT &&
                r->status == wanted[r->entry->expect];
}

const char *suite_status_name(enum suite_status s)
{
    static const char *const names[SUITE_STATUS_COUNT] = {
        [SUITE_OK] = "ok", [SUITE_WRONG_RESULT] = "wrong_result", [SUITE_FAULT] = "fault",
        [SUITE_TIMEOUT] = "timeout", [SUITE_REJECTED] = "rejected",
        [SUITE_NO_MEMORY] = "no_memory",
    };
    return (unsigned)s < SUITE_STATUS_COUNT ? names[s] : "?";
}

uint64_t suite_timer_overhead(uint64_t (*clock)(void), uint32_t n)
{
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t0 = clock();
        uint64_t dt = clock() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}
