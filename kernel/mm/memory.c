/* The heap's memory, range arithmetic (contract in memory.h): pure, host-tested. The boot
 * stage that hands the ranges to kernel/mm/heap.c is kernel/mm/memory_stage.c. */
#include "kernel/mm/memory.h"

#include "kernel/core/e820.h"

/* Removes [cut_base, cut_end) from the set r[0..n). Returns the new count, or -1 if a split
 * would need more than cap entries. */
static int subtract(struct mem_range *r, int n, int cap, uint64_t cut_base, uint64_t cut_end)
{
    if (cut_base >= cut_end)
        return n;
    for (int i = 0; i < n; i++) {
        if (cut_end <= r[i].base || cut_base >= r[i].end)
            continue;
        if (cut_base > r[i].base && cut_end < r[i].end) {   /* a hole in the middle: split */
            if (n == cap)
                return -1;
            for (int j = n; j > i + 1; j--)
                r[j] = r[j - 1];
            r[i + 1] = (struct mem_range){cut_end, r[i].end};
            r[i].end = cut_base;
            n++;
            i++;
        } else if (cut_base <= r[i].base && cut_end >= r[i].end) {  /* all of it: drop */
            for (int j = i; j < n - 1; j++)
                r[j] = r[j + 1];
            n--;
            i--;
        } else if (cut_base <= r[i].base) {
            r[i].base = cut_end;
        } else {
            r[i].end = cut_base;
        }
    }
    return n;
}

/* Adds [base, end) to the sorted disjoint set, merging with overlapping or touching ranges. */
static int add(struct mem_range *r, int n, int cap, uint64_t base, uint64_t end)
{
    if (base >= end)
        return n;
    int i = 0;
    while (i < n && r[i].end < base)
        i++;
    int j = i;
    while (j < n && r[j].base <= end) {
        base = r[j].base < base ? r[j].base : base;
        end = r[j].end > end ? r[j].end : end;
        j++;
    }
    int removed = j - i;
    if (removed == 0 && n == cap)
        return -1;
    int shift = 1 - removed;
    if (shift > 0)
        for (int k = n; k > i; k--)
            r[k] = r[k - 1];
    else if (shift < 0)
        for (int k = i + 1; k - shift < n; k++)
            r[k] = r[k - shift];
    r[i] = (struct mem_range){base, end};
    return n + shift;
}

/* The entry's end, at most limit (what we address). */
static uint64_t entry_end(const struct e820_entry *e, uint64_t limit)
{
    uint64_t end = e820_entry_end(e);
    return end < limit ? end : limit;
}

enum memory_err memory_heap_ranges(const struct boot_info *bi, uint64_t kernel_start,
                                   uint64_t kernel_end, uint64_t addr_limit,
                                   struct mem_range *out, int cap, int *count)
{
    int n = 0;
    for (uint32_t i = 0; i < bi->e820_count && n >= 0; i++) {
        const struct e820_entry *e = &bi->e820[i];
        if (e->type == E820_TYPE_USABLE && e->length && e->base < addr_limit)
            n = add(out, n, cap, e->base, entry_end(e, addr_limit));
    }
    for (uint32_t i = 0; i < bi->e820_count && n >= 0; i++) {
        const struct e820_entry *e = &bi->e820[i];
        if (e->type != E820_TYPE_USABLE && e->length && e->base < addr_limit)
            n = subtract(out, n, cap, e->base, entry_end(e, addr_limit));   /* reserved wins */
    }
    if (n >= 0)
        n = subtract(out, n, cap, 0, MEMORY_LOW_END);
    if (n >= 0)
        n = subtract(out, n, cap, kernel_start, kernel_end);
    if (n >= 0 && bi->ramdisk_size)
        n = subtract(out, n, cap, bi->ramdisk_addr, (uint64_t)bi->ramdisk_addr + bi->ramdisk_size);
    *count = n >= 0 ? n : 0;
    return n >= 0 ? MEMORY_OK : MEMORY_E_TOO_MANY_RANGES;
}

const char *memory_strerror(enum memory_err err)
{
    switch (err) {
    case MEMORY_OK:                return "ok";
    case MEMORY_E_TOO_MANY_RANGES: return "too many free ranges";
    }
    return "unknown memory error";
}
