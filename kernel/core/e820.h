/* The BIOS E820 memory map from boot_info: type names, the usable total and the boot log.
 * e820_usable_bytes() is pure and host-tested: overlapping entries are counted once, and
 * where a usable range overlaps a reserved one the reserved one wins (the BIOS may list
 * both; using such memory would be the worse mistake). */
#ifndef FLUID_KERNEL_E820_H
#define FLUID_KERNEL_E820_H

#include <fluid/bootinfo.h>

/* The end (exclusive) of an entry, clipped to UINT64_MAX where base + length wraps. */
static inline uint64_t e820_entry_end(const struct e820_entry *e)
{
    uint64_t end = e->base + e->length;
    return end < e->base ? UINT64_MAX : end;
}

/* "usable", "reserved", "ACPI", "ACPI NVS", "bad", or "type <n>" (into a static buffer). */
const char *e820_type_name(uint32_t type);

/* Bytes of memory that are usable and not covered by any other entry type. Entries with
 * length 0 are ignored; ranges running past 2^64 are clipped. n must be <= E820_MAX_ENTRIES. */
uint64_t e820_usable_bytes(const struct e820_entry *map, size_t n);

/* Number of entries of type usable. */
size_t e820_usable_entries(const struct e820_entry *map, size_t n);

/* Logs "e820: <base>-<last byte> <type>" per entry (hex, end inclusive as Linux prints it) and "e820: usable <KiB> KiB in <n> entries"
 * (or the E801 fallback sizes when stage2 flagged E820 as failed). */
void e820_log(const struct boot_info *bi);

#endif
