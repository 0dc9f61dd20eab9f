/* Paging for protection, not translation: an identity map of all 4 GiB (4 MiB PSE pages,
 * Intel SDM vol. 3A §4.3) in which two 4 KiB pages are left unmapped: page 0, so a NULL
 * dereference faults, and the guard page below the kernel stack, so a stack overflow raises
 * #PF, whose delivery on the same exhausted stack raises a second #PF, which the CPU turns
 * into #DF (SDM vol. 3A table 6-5), handled on its own task. QEMU's TCG does not check
 * segment limits, so an expand-down stack segment would not catch the overflow there; a
 * page does, in QEMU and on hardware. Needs CPUID PSE (Pentium and later).
 * Every page is supervisor-only, so ring 3 reaches nothing until paging_set_access hands it
 * pages (the running module's image, the user stack, the return stub): the U/S bit of both
 * the directory and the table entry must allow it (SDM vol. 3A §4.6.1). Split regions carry
 * U/S=1 in their directory entry and leave the decision to each table entry. CR0.WP stays
 * clear, so the kernel itself may still write a user read-only page (the loader places the
 * image before ring 3 runs it). */
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/arch/i686/x86.h"

#define PAGE_SIZE           4096u
#define PAGE_ENTRIES        1024u
#define LARGE_PAGE_SHIFT    22          /* 4 MiB */
#define PAGE_SHIFT          12
#define PTE_PRESENT         0x001u
#define PTE_WRITABLE        0x002u
#define PTE_USER            0x004u      /* U/S: ring 3 may access */
#define PDE_LARGE           0x080u      /* PS: this PDE maps a 4 MiB page */
/* 4 MiB regions that can hold 4 KiB pages: page 0's, the stack guard page's and those of
 * the user pages (all of them inside the kernel image today, so one region is used). */
#define PAGING_SPLIT_REGIONS 4
#define CPUID1_EDX_PSE      (1u << 3)

static uint32_t page_dir[PAGE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t page_tables[PAGING_SPLIT_REGIONS][PAGE_ENTRIES]
    __attribute__((aligned(PAGE_SIZE)));
static unsigned split_used;
static bool paging_on;

/* The table of 4 KiB pages of the region holding `addr`, made on first use from its 4 MiB
 * mapping (same frames, same rights); NULL when every spare table is taken. */
static uint32_t *split_region(uintptr_t addr)
{
    unsigned pde = (unsigned)(addr >> LARGE_PAGE_SHIFT);
    if (!(page_dir[pde] & PDE_LARGE))
        return (uint32_t *)(page_dir[pde] & ~(PAGE_SIZE - 1));
    if (split_used == PAGING_SPLIT_REGIONS)
        return NULL;
    uint32_t *pt = page_tables[split_used++];
    for (unsigned i = 0; i < PAGE_ENTRIES; i++)
        pt[i] = ((uint32_t)pde << LARGE_PAGE_SHIFT) + i * PAGE_SIZE + PTE_PRESENT + PTE_WRITABLE;
    page_dir[pde] = (uint32_t)pt | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
    return pt;
}

static bool unmap_page(uintptr_t addr)
{
    uint32_t *pt = split_region(addr);
    if (pt)
        pt[(addr >> PAGE_SHIFT) & (PAGE_ENTRIES - 1)] = 0;
    return pt != NULL;
}

static void invlpg(uintptr_t addr)
{
    __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

bool paging_guard_page(uintptr_t guard)
{
    if (!paging_on || !unmap_page(guard)) {
        kprintf("paging: no guard page at 0x%08x (paging off or no spare page table)\n",
                (unsigned)guard);
        return false;
    }
    invlpg(guard);
    return true;
}

bool paging_enabled(void)
{
    return paging_on;
}

bool paging_set_access(uintptr_t start, size_t len, enum page_access access)
{
    static const uint32_t rights[] = {
        [PAGE_KERNEL] = PTE_PRESENT | PTE_WRITABLE,
        [PAGE_USER_RO] = PTE_PRESENT | PTE_USER,
        [PAGE_USER_RW] = PTE_PRESENT | PTE_WRITABLE | PTE_USER,
    };
    uint64_t end = (uint64_t)start + len;           /* wide: start + len may pass 4 GiB */
    if (!paging_on || len == 0 || end > ((uint64_t)1 << 32) || start < PAGE_SIZE) {
        kprintf("paging: cannot set access of 0x%08x + %u (paging %s)\n", (unsigned)start,
                (unsigned)len, paging_on ? "on" : "off");
        return false;
    }
    for (uint64_t page = start & ~(uintptr_t)(PAGE_SIZE - 1); page < end; page += PAGE_SIZE) {
        uint32_t *pt = split_region((uintptr_t)page);
        if (!pt) {
            kprintf("paging: no spare page table for 0x%08x (%u regions split)\n",
                    (unsigned)page, PAGING_SPLIT_REGIONS);
            return false;
        }
        pt[(page >> PAGE_SHIFT) & (PAGE_ENTRIES - 1)] = (uint32_t)page | rights[access];
        invlpg((uintptr_t)page);
    }
    return true;
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
    if (!unmap_page(0) || !unmap_page(guard_page))
        return false;               /* cannot happen: two regions at most, tables to spare */
    gdt_set_cr3((uint32_t)page_dir);
    write_cr3((uint32_t)page_dir);
    write_cr4(read_cr4() | CR4_PSE);
    write_cr0(read_cr0() | CR0_PG);
    paging_on = true;
    kprintf("paging: identity map, 4 MiB pages; page 0 and stack guard page 0x%08x unmapped\n",
            (unsigned)guard_page);
    return true;
}
