/* sort_u64 (kernel/lib/sort.c): edge sizes, duplicates, the extreme values, elements past n
 * left alone, and pseudo-random arrays against the C library's qsort. */
#include <stdint.h>
#include <stdlib.h>

#include "tests/lib/check.h"
#include "kernel/lib/array.h"
#include "kernel/lib/sort.h"

#define RANDOM_ROUNDS   200
#define RANDOM_MAX_N    300

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

TEST(empty_and_single)
{
    sort_u64(NULL, 0);
    uint64_t one[] = {42};
    sort_u64(one, 1);
    CHECK_EQ_U64(one[0], 42);
}

TEST(reversed_with_extremes)
{
    uint64_t v[] = {UINT64_MAX, 1ull << 63, 1000, 2, 1, 0};
    const uint64_t want[] = {0, 1, 2, 1000, 1ull << 63, UINT64_MAX};
    sort_u64(v, ARRAY_SIZE(v));
    for (size_t i = 0; i < ARRAY_SIZE(v); i++)
        CHECK_EQ_U64(v[i], want[i]);
}

TEST(sorted_input_and_duplicates)
{
    uint64_t sorted[] = {1, 2, 2, 3, 9};
    sort_u64(sorted, ARRAY_SIZE(sorted));
    const uint64_t same[] = {1, 2, 2, 3, 9};
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++)
        CHECK_EQ_U64(sorted[i], same[i]);

    uint64_t dup[] = {5, 5, 1, 5, 1, 5};
    const uint64_t want[] = {1, 1, 5, 5, 5, 5};
    sort_u64(dup, ARRAY_SIZE(dup));
    for (size_t i = 0; i < ARRAY_SIZE(dup); i++)
        CHECK_EQ_U64(dup[i], want[i]);
}

TEST(only_first_n_sorted)
{
    uint64_t v[] = {3, 1, 2, 0, 7};
    sort_u64(v, 3);
    const uint64_t want[] = {1, 2, 3, 0, 7};
    for (size_t i = 0; i < ARRAY_SIZE(v); i++)
        CHECK_EQ_U64(v[i], want[i]);
}

TEST(random_against_qsort)
{
    static uint64_t v[RANDOM_MAX_N], ref[RANDOM_MAX_N];
    uint64_t state = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        size_t n = (size_t)(next_random(&state) % (RANDOM_MAX_N + 1));
        /* Every fourth round draws from a small range, so equal keys are common. */
        uint64_t range = round % 4 == 0 ? 8 : UINT64_MAX;
        for (size_t i = 0; i < n; i++)
            ref[i] = v[i] = range == UINT64_MAX ? next_random(&state)
                                                : next_random(&state) % range;
        sort_u64(v, n);
        qsort(ref, n, sizeof ref[0], cmp_u64);
        REQUIRE(memcmp(v, ref, n * sizeof v[0]) == 0, "round %d, n %zu", round, n);
    }
}

int main(void)
{
    check_suite = "test_sort";
    RUN(empty_and_single);
    RUN(reversed_with_extremes);
    RUN(sorted_input_and_duplicates);
    RUN(only_first_n_sorted);
    RUN(random_against_qsort);
    return check_summary();
}
