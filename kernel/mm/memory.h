/* Which RAM the kernel heap gets: the usable E820 ranges (boot_info), minus every range any
 * other entry type also claims, minus the first MiB, the kernel image with its bss and stack,
 * and stage2's RAM copy of partition 1, clipped to what the kernel can address.
 * memory_heap_ranges() is pure and host-tested; memory_stage() hands the result to the heap
 * (kernel/mm/heap.h), applies the `heap=guard` option and runs the `test=heap` self-test. */
#ifndef FLUID_KERNEL_MEMORY_H
#define FLUID_KERNEL_MEMORY_H

#include <fluid/bootinfo.h>

#define MEMORY_LOW_END          0x100000u   /* below 1 MiB: BIOS data, stage2, VGA, ROMs */
#define MEMORY_MAX_RANGES       (2 * E820_MAX_ENTRIES + 8)  /* each cut splits at most one range */

struct mem_range {
    uint64_t base;
    uint64_t end;           /* exclusive */
};

/* Every result of memory_heap_ranges. */
enum memory_err {
    MEMORY_OK = 0,
    MEMORY_E_TOO_MANY_RANGES,   /* the free RAM splits into more ranges than the caller holds */
};

/* Fills out[] (at most cap ranges, sorted, disjoint, non-empty) with the RAM free for the
 * heap: usable E820 ranges in [MEMORY_LOW_END, addr_limit), minus other entry types'
 * ranges, [kernel_start, kernel_end) and the ramdisk, and *count with their number. Returns
 * MEMORY_OK, or MEMORY_E_TOO_MANY_RANGES (*count 0) if more than cap would be needed (a map
 * that fragmented is refused, not cut silently). */
enum memory_err memory_heap_ranges(const struct boot_info *bi, uint64_t kernel_start,
                                   uint64_t kernel_end, uint64_t addr_limit,
                                   struct mem_range *out, int cap, int *count);

/* A short description of an enum memory_err value; "unknown memory error" outside the enum. */
const char *memory_strerror(enum memory_err err);

/* The "heap" boot stage: heap_init, heap_add_region for each range, log the total. */
bool memory_stage(void);

#endif
