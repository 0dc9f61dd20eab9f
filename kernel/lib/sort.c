/* Insertion sort of 64-bit values (contract in sort.h). Pure: builds for the host tests. */
#include "kernel/lib/sort.h"

void sort_u64(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t key = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > key; j--)
            v[j] = v[j - 1];
        v[j] = key;
    }
}
