/* Bounded physical-memory access for the ACPI and MP parsers (contract in acpi_impl.h): every
 * read is checked against page 0 and the mapped limit before the callback sees it, in 64-bit
 * arithmetic so no address + length can wrap; checksums are summed a chunk at a time, so a
 * table of up to ACPI_TABLE_MAX_BYTES needs no buffer of its size. */
#include "kernel/acpi/acpi_impl.h"

#include "kernel/core/log.h"

#define SUM_CHUNK_BYTES     256     /* stack buffer for checksums */

bool acpi_range_mapped(const struct acpi_mem *mem, uint64_t addr, uint64_t len)
{
    /* addr <= limit first, so limit - addr cannot wrap; len is compared, never added. */
    return addr >= ACPI_PAGE0_END && addr <= mem->limit && len <= mem->limit - addr;
}

enum acpi_err acpi_read(const struct acpi_mem *mem, uint64_t addr, void *dst, size_t len)
{
    if (!acpi_range_mapped(mem, addr, len))
        return ACPI_E_UNMAPPED;
    return mem->read(mem->ctx, addr, dst, len) ? ACPI_OK : ACPI_E_READ;
}

enum acpi_err acpi_read_logged(const struct acpi_mem *mem, uint64_t addr, void *dst,
                               size_t len, const char *what)
{
    enum acpi_err err = acpi_read(mem, addr, dst, len);
    if (err == ACPI_E_UNMAPPED)
        kprintf("acpi: %s at 0x%llx (%zu bytes) is outside the memory the kernel maps "
                "(0x%x to 0x%llx); not read\n", what, (unsigned long long)addr, len,
                ACPI_PAGE0_END, (unsigned long long)mem->limit);
    else if (err != ACPI_OK)
        kprintf("acpi: %s at 0x%llx: the memory read failed\n", what,
                (unsigned long long)addr);
    return err;
}

enum acpi_err acpi_sum(const struct acpi_mem *mem, uint64_t addr, uint64_t len, uint8_t *sum)
{
    uint8_t buf[SUM_CHUNK_BYTES];
    uint8_t s = 0;
    if (!acpi_range_mapped(mem, addr, len))
        return ACPI_E_UNMAPPED;
    for (uint64_t done = 0; done < len; ) {
        size_t n = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
        if (!mem->read(mem->ctx, addr + done, buf, n))
            return ACPI_E_READ;
        for (size_t i = 0; i < n; i++)
            s = (uint8_t)(s + buf[i]);
        done += n;
    }
    *sum = s;
    return ACPI_OK;
}

/* The EBDA's first KiB, when the BDA's segment puts it inside conventional memory (past page
 * 0, ending by 640 KiB); 0 otherwise. */
uint64_t acpi_ebda_base(const struct acpi_lowmem *low)
{
    uint64_t base = (uint64_t)low->ebda_segment * ACPI_PARAGRAPH;
    if (base < ACPI_PAGE0_END || base + ACPI_EBDA_SCAN_BYTES > ACPI_BASE_MEM_END)
        return 0;
    return base;
}

/* The last KiB of base memory (MP spec 1.4 §4, for a BIOS without an EBDA); 0 if INT 12h's
 * size is not plausible. */
static uint64_t base_mem_last_kib(const struct acpi_lowmem *low)
{
    uint64_t end = (uint64_t)low->base_mem_kib * ACPI_KIB;
    if (end > ACPI_BASE_MEM_END || end < ACPI_PAGE0_END + ACPI_KIB)
        return 0;
    return end - ACPI_KIB;
}

size_t acpi_search_areas(const struct acpi_lowmem *low, bool mp, uint32_t rom_start,
                         struct acpi_area *out)
{
    size_t n = 0;
    uint64_t ebda = acpi_ebda_base(low);
    uint64_t last_kib = mp && !ebda ? base_mem_last_kib(low) : 0;
    if (ebda)
        out[n++] = (struct acpi_area){ebda, ACPI_EBDA_SCAN_BYTES, "EBDA"};
    else if (last_kib)
        out[n++] = (struct acpi_area){last_kib, ACPI_KIB, "last KiB of base memory"};
    out[n++] = (struct acpi_area){rom_start, ACPI_ROM_END - rom_start, "BIOS ROM"};
    return n;
}

void acpi_log_not_found(const char *what, const struct acpi_area *areas, size_t n)
{
    kprintf("acpi: no valid %s in", what);
    for (size_t i = 0; i < n; i++)
        kprintf("%s the %s (0x%llx-0x%llx)", i ? " or" : "", areas[i].name,
                (unsigned long long)areas[i].base,
                (unsigned long long)(areas[i].base + areas[i].len - 1));
    kprintf("\n");
}
