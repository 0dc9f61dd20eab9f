/* The stack guard pages of the x86-64 kernel (the boot CPU's and each AP's): stage2
 * identity-maps all RAM with 2 MiB or 1 GiB pages (boot/longmode.inc); this splits the large
 * page that holds a guard into 4 KiB pages (through a new page directory first if it is a
 * 1 GiB page), once per large page, and marks the guard's entry not present, so a kernel
 * stack overflow faults instead of running into .bss. 4-level paging, SDM vol. 3A §4.5
 * (tables 4-14 to 4-19). The boot CPU only, before the APs start, interrupts off. */
#include "kernel/arch/x86_64/x86_64.h"

#define PT_ENTRIES          512
#define PTE_PRESENT         0x001ull
#define PTE_LARGE           0x080ull    /* PS: 1 GiB page in a PDPTE, 2 MiB page in a PDE */
#define PTE_INHERIT         0x01Full    /* P, R/W, U/S, PWT, PCD: copied to the split pages */
#define PTE_ADDR_MASK       0x000FFFFFFFFFF000ull
#define PAGE_SHIFT          12
#define LEVEL_BITS          9
#define SIZE_4K             (1ull << PAGE_SHIFT)
#define SIZE_2M             (1ull << (PAGE_SHIFT + LEVEL_BITS))
#define SIZE_1G             (1ull << (PAGE_SHIFT + 2 * LEVEL_BITS))

/* The kernel's stacks (boot CPU and APs, about 1.3 MiB in .bss) span at most three 2 MiB
 * pages, all inside one 1 GiB page. */
#define PAGING_SPLIT_TABLES 4
#define PAGING_SPLIT_DIRS   1

static uint64_t split_pd[PAGING_SPLIT_DIRS][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t split_pt[PAGING_SPLIT_TABLES][PT_ENTRIES] __attribute__((aligned(4096)));
static unsigned pd_used, pt_used;

static unsigned index_at(uint64_t addr, unsigned level)   /* level 0 = PT .. 3 = PML4 */
{
    return (unsigned)(addr >> (PAGE_SHIFT + LEVEL_BITS * level)) & (PT_ENTRIES - 1);
}

static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);     /* identity-mapped */
}

/* Replaces the large-page *entry covering `span` bytes by a table of PT_ENTRIES pages of
 * span / PT_ENTRIES bytes each (large pages again unless they are 4 KiB). */
static void split(uint64_t *entry, uint64_t *table, uint64_t span)
{
    uint64_t base = *entry & PTE_ADDR_MASK & ~(span - 1);
    uint64_t flags = *entry & PTE_INHERIT;
    uint64_t child = span / PT_ENTRIES;
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        table[i] = (base + i * child) | flags | (child > SIZE_4K ? PTE_LARGE : 0);
    *entry = (uint64_t)(uintptr_t)table | flags;
}

bool paging_guard_page(uintptr_t guard)
{
    uint64_t *pml4 = table_of(read_cr3());
    uint64_t *pml4e = &pml4[index_at(guard, 3)];
    if (!(*pml4e & PTE_PRESENT))
        return false;
    uint64_t *pdpte = &table_of(*pml4e)[index_at(guard, 2)];
    if (!(*pdpte & PTE_PRESENT))
        return false;
    if (*pdpte & PTE_LARGE) {
        if (pd_used == PAGING_SPLIT_DIRS)
            return false;
        split(pdpte, split_pd[pd_used++], SIZE_1G);
    }
    uint64_t *pde = &table_of(*pdpte)[index_at(guard, 1)];
    if (!(*pde & PTE_PRESENT))
        return false;
    if (*pde & PTE_LARGE) {
        if (pt_used == PAGING_SPLIT_TABLES)
            return false;
        split(pde, split_pt[pt_used++], SIZE_2M);
    }
    table_of(*pde)[index_at(guard, 0)] &= ~PTE_PRESENT;   /* a table we split (stage2 maps
                                                           * only large pages) */
    write_cr3(read_cr3());          /* flush the old large-page translations */
    return true;
}
