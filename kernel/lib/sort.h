/* Sorting small arrays in place (E820 boundaries, a module's timed calls: at most a few
 * hundred values), without allocation. */
#ifndef FLUID_KERNEL_LIB_SORT_H
#define FLUID_KERNEL_LIB_SORT_H

#include <fluid/types.h>

/* Sorts v[0..n) into ascending order (insertion sort: O(n^2) compares, stable, in place). */
void sort_u64(uint64_t *v, size_t n);

#endif
