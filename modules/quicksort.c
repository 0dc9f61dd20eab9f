/* quicksort: sorts 2048 LCG words (seed 12345) with a median-of-three quicksort and an
 * insertion sort below CUTOFF elements (16 by default), then checks the order. Returns a position-weighted
 * checksum of the sorted array, or 0xBAD50000 + the first out-of-order index.
 * Expected value from tests/modules/reference.py (Python's sorted()). */
#include <fluid_module.h>

#define QS_N            2048
#define QS_SEED         12345u
#define QS_UNSORTED     0xBAD50000u

/* CUTOFF: partitions of at most this many keys go to the insertion sort; any value sorts. */
#ifndef CUTOFF
#define CUTOFF 16
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x68d33e73, 0);
FLUID_PARAM(CUTOFF, 16, 4, 8, 16, 24, 32, 48);
_Static_assert(CUTOFF >= 3, "median-of-three needs three keys");

static uint32_t keys[QS_N];     /* (QS_N) */

static void swap(uint32_t *x, uint32_t *y)
{
    uint32_t t = *x;
    *x = *y;
    *y = t;
}

static void insertion_sort(uint32_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t key = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > key) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = key;
    }
}

/* Hoare partition around the median of first, middle and last; recursion on the smaller
 * side keeps the stack at O(log n). */
static void quicksort(uint32_t *v, int n)
{
    while (n > CUTOFF) {
        int mid = n / 2;
        if (v[mid] < v[0]) swap(&v[mid], &v[0]);
        if (v[n - 1] < v[0]) swap(&v[n - 1], &v[0]);
        if (v[n - 1] < v[mid]) swap(&v[n - 1], &v[mid]);
        uint32_t pivot = v[mid];
        int i = -1, j = n;
        for (;;) {
            do i++; while (v[i] < pivot);
            do j--; while (v[j] > pivot);
            if (i >= j)
                break;
            swap(&v[i], &v[j]);
        }
        int left = j + 1;
        if (left < n - left) {
            quicksort(v, left);
            v += left, n -= left;
        } else {
            quicksort(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t state = QS_SEED, sum = 0;
    for (int i = 0; i < QS_N; i++)
        keys[i] = fluid_lcg(&state);
    quicksort(keys, QS_N);
    for (int i = 1; i < QS_N; i++)
        if (keys[i - 1] > keys[i])
            return QS_UNSORTED + (uint32_t)i;
    for (int i = 0; i < QS_N; i++)
        sum += keys[i] * (uint32_t)(i + 1);
    return sum;
}
