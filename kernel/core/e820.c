/* E820 map handling (contract in e820.h). The usable total is computed by a sweep over the
 * sorted boundaries of all entries: each elementary interval counts if some usable entry
 * covers it and no entry of another type does. n <= 64 entries, so O(n^2) is fine. */
#include "kernel/core/e820.h"

#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/lib/sort.h"

#define E820_BOUNDS_MAX     (2 * E820_MAX_ENTRIES)
#define KIB                 1024u

const char *e820_type_name(uint32_t type)
{
    static char other[24];
    switch (type) {
    case E820_TYPE_USABLE:   return "usable";
    case E820_TYPE_RESERVED: return "reserved";
    case E820_TYPE_ACPI:     return "ACPI";
    case E820_TYPE_NVS:      return "ACPI NVS";
    case E820_TYPE_BAD:      return "bad";
    default:
        fmt_snprintf(other, sizeof other, "type %u", type);
        return other;
    }
}

/* Does the interval [lo, hi) lie in a usable entry and in no entry of another type? */
static bool interval_usable(const struct e820_entry *map, size_t n, uint64_t lo, uint64_t hi)
{
    bool usable = false;
    for (size_t i = 0; i < n; i++) {
        if (map[i].length == 0 || map[i].base > lo || e820_entry_end(&map[i]) < hi)
            continue;
        if (map[i].type != E820_TYPE_USABLE)
            return false;
        usable = true;
    }
    return usable;
}

uint64_t e820_usable_bytes(const struct e820_entry *map, size_t n)
{
    uint64_t bounds[E820_BOUNDS_MAX];
    size_t nb = 0;
    if (n > E820_MAX_ENTRIES)
        n = E820_MAX_ENTRIES;
    for (size_t i = 0; i < n; i++) {
        if (map[i].length == 0)
            continue;
        bounds[nb++] = map[i].base;
        bounds[nb++] = e820_entry_end(&map[i]);
    }
    sort_u64(bounds, nb);
    uint64_t total = 0;
    for (size_t i = 0; i + 1 < nb; i++) {
        if (bounds[i] != bounds[i + 1] && interval_usable(map, n, bounds[i], bounds[i + 1]))
            total += bounds[i + 1] - bounds[i];
    }
    return total;
}

size_t e820_usable_entries(const struct e820_entry *map, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n && i < E820_MAX_ENTRIES; i++)
        if (map[i].type == E820_TYPE_USABLE && map[i].length)
            count++;
    return count;
}

void e820_log(const struct boot_info *bi)
{
    if (bi->flags & BOOT_FLAG_E820_FAILED) {
        kprintf("e820: no E820 map from the BIOS; E801: %u KiB low, %u KiB above 1 MiB\n",
                bi->mem_lower_kb, bi->mem_upper_kb);
        return;
    }
    for (uint32_t i = 0; i < bi->e820_count; i++) {
        const struct e820_entry *e = &bi->e820[i];
        uint64_t last = e->length ? e820_entry_end(e) - 1 : e->base;
        kprintf("e820: %016llx-%016llx %s\n", (unsigned long long)e->base,
                (unsigned long long)last, e820_type_name(e->type));
    }
    if (bi->flags & BOOT_FLAG_E820_TRUNC)
        kprintf("e820: the BIOS map has more than %u entries; the rest is ignored\n",
                E820_MAX_ENTRIES);
    uint64_t usable = e820_usable_bytes(bi->e820, bi->e820_count);
    kprintf("e820: usable %llu KiB in %zu entries\n", (unsigned long long)(usable / KIB),
            e820_usable_entries(bi->e820, bi->e820_count));
}
