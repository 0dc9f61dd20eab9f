/* Paging for protection, not translation: an identity map of all 4 GiB (4 MiB PSE pages,
 * Intel SDM vol. 3A §4.3) in which two 4 KiB pages are left unmapped: page 0, so a NULL
 * dereference faults, and the guard page below the kernel stack, so a stack overflow raises
 * #PF, whose delivery on the same exhausted stack raises a second #PF, which the CPU turns
 * into #DF (SDM vol. 3A table 6-5), handled on its own task. QEMU's TCG does not check
 * segment limits, so an expand-down stack segment would not catch the overflow there; a
 * page does, in QEMU and on hardware. Needs CPUID PSE (Pentium and later). */
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/arch/i686/x86.h"

#define PAGE_SIZE           4096u
#define PAGE_ENTRIES        1024u
#define LARGE_PAGE_SHIFT    22          /* 4 MiB */
#define PAGE_SHIFT          12
#define PTE_PRESENT         0x001u
#define PTE_WRITABLE        0x002u
#define PDE_LARGE           0x080u      /* PS: this PDE maps a 4 MiB page */
#define PAGE_TABLES         2           /* the 4 MiB region of page 0 and of the guard page */
#define CPUID1_EDX_PSE      (1u << 3)

static uint32_t page_dir[PAGE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t page_tables[PAGE_TABLES][PAGE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

/* Replaces the 4 MiB mapping of the region holding `addr` with a table of 4 KiB pages. */
static uint32_t *split_region(unsigned *used, uintptr_t addr)
{
    unsigned pde = (unsigned)(addr >> LARGE_PAGE_SHIFT);
    if (!(page_dir[pde] & PDE_LARGE))
        return (uint32_t *)(page_dir[pde] & ~(PAGE_SIZE - 1));
    uint32_t *pt = page_tables[(*used)++];
    for (unsigned i = 0; i < PAGE_ENTRIES; i++)
        pt[i] = ((uint32_t)pde << LARGE_PAGE_SHIFT) + i * PAGE_SIZE + PTE_PRESENT + PTE_WRITABLE;
    page_dir[pde] = (uint32_t)pt | PTE_PRESENT | PTE_WRITABLE;
    return pt;
}

static void unmap_page(unsigned *used, uintptr_t addr)
{
    uint32_t *pt = split_region(used, addr);
    pt[(addr >> PAGE_SHIFT) & (PAGE_ENTRIES - 1)] = 0;
}

static bool cpu_has_pse(void)
{
    uint32_t a = 1, b, c = 0, d;
    if (!cpu_info()->has_cpuid)
        return false;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d & CPUID1_EDX_PSE;
}

bool paging_init(uintptr_t guard_page)
{
    if (!cpu_has_pse()) {
        kprintf("paging: no PSE: paging off, no stack guard page, no NULL page\n");
        return false;
    }
    for (unsigned i = 0; i < PAGE_ENTRIES; i++)
        page_dir[i] = ((uint32_t)i << LARGE_PAGE_SHIFT) | PDE_LARGE | PTE_PRESENT | PTE_WRITABLE;
    unsigned used = 0;
    unmap_page(&used, 0);
    unmap_page(&used, guard_page);
    gdt_set_cr3((uint32_t)page_dir);
    write_cr3((uint32_t)page_dir);
    write_cr4(read_cr4() | CR4_PSE);
    write_cr0(read_cr0() | CR0_PG);
    kprintf("paging: identity map, 4 MiB pages; page 0 and stack guard page 0x%08x unmapped\n",
            (unsigned)guard_page);
    return true;
}
