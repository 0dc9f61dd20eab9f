/* The kernel's own GDT (Intel SDM vol. 3A §3.4.5): flat code and data with stage2's
 * selectors, flat ring-3 code and data for modules (paging, not segment limits, decides what
 * ring 3 may touch), a byte-granular segment over the CPU's own struct cpu_local that the
 * kernel keeps in GS (DPL 0, so ring 3 cannot load it: SDM vol. 3A §5.6), a TSS for the
 * running kernel (the CPU saves its state there on a task switch, and takes the ring-0 stack
 * for interrupts from ring 3 from its SS0:ESP0, SDM vol. 3A §6.12.1), 16-bit segments for the
 * BIOS thunk's way to real mode (§9.9.2) and a TSS for the double-fault task, which has its
 * own stack so a #DF caused by an exhausted kernel stack can still be reported (SDM vol. 3A
 * §6.15, interrupt 8, and §7.3).
 * Called once from arch_init_and_continue with interrupts off. Each AP loads a copy whose
 * two TSS descriptors name its own TSSs (gdt_load_ap), since LTR marks a TSS busy. */
#include "kernel/arch/i686/x86.h"
#include "kernel/arch/x86/bios.h"

_Static_assert(SEL_REAL_CODE16 == THUNK_SEL_CODE16 && SEL_REAL_DATA16 == THUNK_SEL_DATA16,
               "the BIOS thunk's 16-bit selectors");

#define DF_STACK_BYTES      8192

/* Descriptor access bytes: P=1, DPL=0 (DPL=3 for the USER ones). */
#define ACCESS_CODE_RX      0x9A    /* S=1, type 0xA: execute/read */
#define ACCESS_DATA_RW      0x92    /* S=1, type 0x2: read/write, expand-up */
#define ACCESS_DPL3         0x60    /* DPL bits 5-6 = 3 */
#define ACCESS_USER_CODE_RX (ACCESS_CODE_RX | ACCESS_DPL3)
#define ACCESS_USER_DATA_RW (ACCESS_DATA_RW | ACCESS_DPL3)
#define ACCESS_TSS32        0x89    /* S=0, type 0x9: available 32-bit TSS */
/* Flags nibble: G=1 (4 KiB units) and D/B=1 (32-bit) for code/data; 0 (byte units) for TSS. */
#define FLAGS_FLAT32        0xC
#define FLAGS_BYTE          0x0     /* also 16-bit (D/B=0) for code and data */
#define FLAGS_BYTE32        0x4     /* byte units, D/B=1: the per-CPU block's data segment */
#define LIMIT_4GIB_PAGES    0xFFFFF
#define LIMIT_64KIB         0xFFFF

struct gdt_desc {
    uint16_t limit_lo;
    uint16_t base_lo;
    uint8_t  base_mid;
    uint8_t  access;
    uint8_t  limit_hi_flags;
    uint8_t  base_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct gdt_desc) == 8, "GDT descriptors are 8 bytes");

struct gdt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static struct gdt_desc gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static struct tss32 main_tss __attribute__((aligned(128)));
static struct tss32 df_tss __attribute__((aligned(128)));
static uint8_t df_stack[DF_STACK_BYTES] __attribute__((aligned(16)));

extern void df_task_entry(void);    /* isr.asm */

/* isr.asm resets the double-fault task's stack from here on every entry. */
uint32_t df_stack_top_addr;

/* Descriptor sel of table (the boot CPU's gdt or an AP's copy). */
static void gdt_set_in(struct gdt_desc *table, unsigned sel, uint32_t base, uint32_t limit,
                       uint8_t access, uint8_t flags)
{
    struct gdt_desc *d = &table[sel / sizeof(struct gdt_desc)];
    d->limit_lo = limit & 0xFFFF;
    d->base_lo = base & 0xFFFF;
    d->base_mid = (base >> 16) & 0xFF;
    d->access = access;
    d->limit_hi_flags = (uint8_t)(((limit >> 16) & 0xF) | (flags << 4));
    d->base_hi = (uint8_t)(base >> 24);
}

static void gdt_set(unsigned sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    gdt_set_in(gdt, sel, base, limit, access, flags);
}

/* The double-fault task starts at df_task_entry on df_stack, interrupts off, with the
 * kernel's page directory (CR3 is loaded from the TSS when paging is on). */
static void df_tss_init(void)
{
    df_tss.eip = (uint32_t)df_task_entry;
    df_stack_top_addr = (uint32_t)(df_stack + DF_STACK_BYTES);
    df_tss.esp = df_stack_top_addr;
    df_tss.eflags = EFLAGS_RESERVED1;
    df_tss.cs = SEL_KERNEL_CODE;
    df_tss.ss = df_tss.ds = df_tss.es = df_tss.fs = SEL_KERNEL_DATA;
    df_tss.gs = SEL_CPU_LOCAL;          /* found in the GDT of the CPU that faulted */
    df_tss.iomap_base = sizeof(struct tss32);   /* no I/O bitmap */
}

static void gdt_load_table(const struct gdt_desc *table)
{
    struct gdt_ptr p = {sizeof gdt - 1, (uint32_t)table};
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%fs\n\t"
        "mov %%ax, %%ss\n\t"
        "mov %3, %%ax\n\t"
        "mov %%ax, %%gs\n\t"
        : : "m"(p), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "i"(SEL_CPU_LOCAL)
        : "eax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(SEL_MAIN_TSS));
}

static void gdt_load(void)
{
    gdt_load_table(gdt);
}

static void set_cpu_block_in(struct gdt_desc *table, const void *cpu_block, uint32_t bytes)
{
    gdt_set_in(table, SEL_CPU_LOCAL, (uint32_t)cpu_block, bytes - 1, ACCESS_DATA_RW, FLAGS_BYTE32);
}

static void set_tss_in(struct gdt_desc *table, unsigned sel, const struct tss32 *tss)
{
    gdt_set_in(table, sel, (uint32_t)tss, sizeof *tss - 1, ACCESS_TSS32, FLAGS_BYTE);
}

void gdt_load_ap(uint64_t *ap_gdt, struct tss32 *tss, struct tss32 *ap_df_tss,
                 void (*df_entry)(void), uint32_t df_stack_top, const void *cpu_block,
                 uint32_t bytes)
{
    struct gdt_desc *table = (struct gdt_desc *)ap_gdt;
    for (unsigned i = 0; i < GDT_ENTRIES; i++)
        table[i] = gdt[i];
    tss->iomap_base = sizeof(struct tss32);
    tss->ss0 = SEL_KERNEL_DATA;
    *ap_df_tss = df_tss;
    ap_df_tss->eip = (uint32_t)df_entry;
    ap_df_tss->esp = df_stack_top;
    set_tss_in(table, SEL_MAIN_TSS, tss);
    set_tss_in(table, SEL_DF_TSS, ap_df_tss);
    set_cpu_block_in(table, cpu_block, bytes);
    gdt_load_table(table);
}

void gdt_init(const void *cpu_block, uint32_t bytes)
{
    gdt_set(SEL_KERNEL_CODE, 0, LIMIT_4GIB_PAGES, ACCESS_CODE_RX, FLAGS_FLAT32);
    gdt_set(SEL_KERNEL_DATA, 0, LIMIT_4GIB_PAGES, ACCESS_DATA_RW, FLAGS_FLAT32);
    gdt_set(SEL_USER_CODE, 0, LIMIT_4GIB_PAGES, ACCESS_USER_CODE_RX, FLAGS_FLAT32);
    gdt_set(SEL_USER_DATA, 0, LIMIT_4GIB_PAGES, ACCESS_USER_DATA_RW, FLAGS_FLAT32);
    gdt_set(SEL_REAL_CODE16, 0, LIMIT_64KIB, ACCESS_CODE_RX, FLAGS_BYTE);
    gdt_set(SEL_REAL_DATA16, 0, LIMIT_64KIB, ACCESS_DATA_RW, FLAGS_BYTE);
    gdt_set(SEL_MAIN_TSS, (uint32_t)&main_tss, sizeof main_tss - 1, ACCESS_TSS32, FLAGS_BYTE);
    gdt_set(SEL_DF_TSS, (uint32_t)&df_tss, sizeof df_tss - 1, ACCESS_TSS32, FLAGS_BYTE);
    set_cpu_block_in(gdt, cpu_block, bytes);
    /* No I/O bitmap (its base is past the TSS limit) and IOPL 0: every IN/OUT from ring 3
     * raises #GP (SDM vol. 1 §19.5.2). */
    main_tss.iomap_base = sizeof(struct tss32);
    main_tss.ss0 = SEL_KERNEL_DATA;
    df_tss_init();
    gdt_load();
}

/* Called after paging_init: both tasks must carry the page directory, since a task switch
 * loads CR3 from the incoming TSS and never stores it into the outgoing one. */
void gdt_set_cr3(uint32_t cr3)
{
    main_tss.cr3 = cr3;
    df_tss.cr3 = cr3;
}

void gdt_set_kernel_stack(uint32_t esp0)
{
    main_tss.esp0 = esp0;
}

struct tss32 *gdt_main_tss(void)
{
    return &main_tss;
}

struct tss32 *gdt_df_tss(void)
{
    return &df_tss;
}
