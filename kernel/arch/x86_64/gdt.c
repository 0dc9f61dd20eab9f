/* The x86-64 kernel's GDTs and TSSs, one set per CPU (struct cpu_tables): a 64-bit code
 * segment, a data segment and a 64-bit TSS whose interrupt stack table gives the double fault,
 * NMI and machine check handlers stacks of their own, so a kernel stack overflow is still
 * reported (SDM vol. 3A §6.14.5, §7.7); and the 32-bit and 16-bit segments the BIOS thunk
 * passes through on its way to real mode and back. Replaces stage2's GDT, which lives in
 * memory the kernel does not own. Each CPU loads its own set once, interrupts off (a TSS is
 * marked busy by LTR, so two CPUs cannot share one). */
#include "kernel/arch/x86/bios.h"
#include "kernel/arch/x86_64/x86_64.h"

_Static_assert(SEL_CODE32 == THUNK_SEL_CODE32 && SEL_REAL_CODE16 == THUNK_SEL_CODE16 &&
               SEL_REAL_DATA16 == THUNK_SEL_DATA16, "the BIOS thunk's selectors");

#define DESC_CODE64         0x00AF9A000000FFFFull  /* P, DPL 0, code exec/read, L=1, G=1 */
#define DESC_DATA           0x00CF92000000FFFFull  /* P, DPL 0, data read/write, G=1 */
#define DESC_CODE32         0x00CF9A000000FFFFull  /* P, DPL 0, code exec/read, D=1, G=1 */
#define DESC_CODE16         0x00009A000000FFFFull  /* P, DPL 0, code, 16-bit, 64 KiB */
#define DESC_DATA16         0x000092000000FFFFull  /* P, DPL 0, data, 16-bit, 64 KiB */
#define TSS_TYPE_AVAILABLE  0x89ull                /* P, DPL 0, 64-bit TSS (available) */

struct gdt_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static struct cpu_tables boot_tables;

/* A 16-byte TSS descriptor (SDM vol. 3A figure 7-4) in gdt[slot] and gdt[slot + 1]. */
static void set_tss_descriptor(uint64_t *gdt, unsigned slot, uint64_t base, uint32_t limit)
{
    gdt[slot] = (limit & 0xFFFFull) | ((base & 0xFFFFFFull) << 16) | (TSS_TYPE_AVAILABLE << 40) |
                ((uint64_t)(limit >> 16 & 0xF) << 48) | ((base >> 24 & 0xFF) << 56);
    gdt[slot + 1] = base >> 32;
}

static void load_segments(const uint64_t *gdt)
{
    struct gdt_ptr p = {GDT_ENTRIES * sizeof *gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(p));
    /* Reload CS with a far return, then the data segments (SDM vol. 3A §3.4.4). */
    __asm__ volatile("pushq %0\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w1, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs"
                     : : "i"((uint64_t)SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_TSS));
}

void gdt_load_cpu(struct cpu_tables *t)
{
    uint64_t *gdt = t->gdt;
    gdt[0] = 0;
    gdt[SEL_KERNEL_CODE / 8] = DESC_CODE64;
    gdt[SEL_KERNEL_DATA / 8] = DESC_DATA;
    gdt[SEL_CODE32 / 8] = DESC_CODE32;
    gdt[SEL_REAL_CODE16 / 8] = DESC_CODE16;
    gdt[SEL_REAL_DATA16 / 8] = DESC_DATA16;
    t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)(t->df_stack + IST_STACK_BYTES);
    t->tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)(t->nmi_stack + IST_STACK_BYTES);
    t->tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)(uintptr_t)(t->mc_stack + IST_STACK_BYTES);
    t->tss.iomap_base = sizeof t->tss;      /* no I/O permission bitmap */
    set_tss_descriptor(gdt, SEL_TSS / 8, (uint64_t)(uintptr_t)&t->tss, sizeof t->tss - 1);
    load_segments(gdt);
}

void gdt_init(void)
{
    gdt_load_cpu(&boot_tables);
}
