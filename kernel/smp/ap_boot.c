/* The pure rules of AP start-up (contract in ap_boot.h): the STARTUP IPI vector of the
 * trampoline page, the E820 check of that page, and the numbers of the smp boot options. */
#include "kernel/smp/ap_boot.h"

int ap_sipi_vector(uint64_t addr)
{
    if (addr == 0 || addr >= AP_SIPI_REACH || addr % AP_SIPI_PAGE_BYTES != 0)
        return -1;
    uint64_t vector = addr / AP_SIPI_PAGE_BYTES;
    if (vector >= AP_SIPI_RESERVED_FIRST && vector <= AP_SIPI_RESERVED_LAST)
        return -1;
    return (int)vector;
}

static bool overlaps(const struct e820_entry *e, uint64_t addr, uint64_t end)
{
    return e->length != 0 && e->base < end && e820_entry_end(e) > addr;
}

bool ap_page_usable(const struct e820_entry *map, uint32_t count, uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;
    if (len == 0 || end < addr)
        return false;
    bool inside = false;
    for (uint32_t i = 0; i < count; i++) {
        const struct e820_entry *e = &map[i];
        if (!overlaps(e, addr, end))
            continue;
        if (e->type != E820_TYPE_USABLE)
            return false;                   /* reserved memory wins over usable */
        if (e->base <= addr && e820_entry_end(e) >= end)
            inside = true;
    }
    return inside;
}

bool ap_parse_u32(const char *text, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!text || !*text)
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}
