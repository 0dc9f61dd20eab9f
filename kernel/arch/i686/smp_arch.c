/* The i686 side of SMP (kernel/smp/smp_arch.h): each AP's guarded 64 KiB kernel stack, its own
 * GDT with its own kernel TSS and double-fault task (gdt_load_ap), the shared IDT, and the
 * boot CPU's CR0/CR4 and page directory through the trampoline. The per-CPU block is GS's
 * segment: each CPU's GDT gives SEL_CPU_LOCAL the base of that CPU's struct cpu_local, and
 * every way into the kernel (the interrupt stubs, the guard's longjmp, the BIOS thunk's
 * return, the double-fault task) loads GS with it, since ring-3 module calls and the BIOS
 * thunk leave other selectors there. */
#include "kernel/arch/i686/x86.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/smp/smp_arch.h"
#include "kernel/smp/smp_impl.h"

#define PAGE_BYTES          4096u
#define AP_STACK_BYTES      (64u * 1024u)
#define AP_DF_STACK_BYTES   8192u
/* test.smp_ap_fault=pf touches this: page 0 is left unmapped (paging.c). */
#define FAULT_ADDR          0x10u

struct ap_tables {
    uint64_t gdt[GDT_ENTRIES];
    struct tss32 tss __attribute__((aligned(128)));
    struct tss32 df_tss __attribute__((aligned(128)));
    uint8_t df_stack[AP_DF_STACK_BYTES] __attribute__((aligned(16)));
};

/* The first page of each is the guard; AP i uses ap_stacks[i - 1]. */
static uint8_t ap_stacks[SMP_MAX_CPUS - 1][PAGE_BYTES + AP_STACK_BYTES]
    __attribute__((aligned(PAGE_BYTES)));
static struct ap_tables ap_tables[SMP_MAX_CPUS - 1];
static bool ap_guarded[SMP_MAX_CPUS - 1];

extern uintptr_t arch_stack_guard_page, arch_stack_top;    /* arch_init.c, the boot CPU's */
extern void ap_df_task_entry(void);                          /* isr.asm */

/* Before prepare_boot_cpu (smp.c) fills the boot CPU's block its self pointer is still zero (the block is in
 * .bss and GS already covers it): block 0 is the boot CPU's all the same. */
struct cpu_local *cpu_local(void)
{
    struct cpu_local *c;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(c) : "i"(offsetof(struct cpu_local, self)));
    return c ? c : &smp_cpus[0];
}

uint32_t cpu_index(void)
{
    uint32_t i;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(i) : "i"(offsetof(struct cpu_local, index)));
    return i;
}

static void record_state(struct cpu_local *c)
{
    c->cr0 = read_cr0();
    c->cr4 = read_cr4();
    c->xcr0 = 0;                /* the i686 kernel does not enable XSAVE */
}

void smp_arch_restore_cpu_pointer(void)
{
}

void smp_arch_init_boot_cpu(struct cpu_local *c)
{
    c->stack_guard = arch_stack_guard_page;
    c->stack_top = arch_stack_top;
    record_state(c);
    for (uint32_t i = 0; i < SMP_MAX_CPUS - 1; i++)
        ap_guarded[i] = paging_guard_page((uintptr_t)ap_stacks[i]);
}

/* The double-fault task's question: the kernel TSS of the AP it interrupted. */
struct tss32 *ap_df_current_tss(void);
struct tss32 *ap_df_current_tss(void)
{
    return &((struct ap_tables *)cpu_local()->arch)->tss;
}

__attribute__((noreturn)) static void ap_entry(struct cpu_local *c)
{
    struct ap_tables *t = c->arch;
    gdt_load_ap(t->gdt, &t->tss, &t->df_tss, ap_df_task_entry,
                (uint32_t)(uintptr_t)(t->df_stack + AP_DF_STACK_BYTES), c, sizeof *c);
    idt_load();
    fpu_reset();
    lapic_enable(SMP_SPURIOUS_VECTOR);
    record_state(c);
    c->apic_mode = lapic_cpu_mode();
    smp_ap_main(c);
}

bool smp_arch_prepare_ap(struct cpu_local *c, struct ap_boot_params *p)
{
    uint32_t slot = c->index - 1;
    uint8_t *stack = ap_stacks[slot];
    c->arch = &ap_tables[slot];
    c->stack_top = (uintptr_t)(stack + sizeof ap_stacks[slot]);
    c->stack_guard = ap_guarded[slot] ? (uintptr_t)stack : 0;
    ap_tables[slot].df_tss.cr3 = read_cr3();
    p->cr0 = read_cr0();
    p->cr3 = read_cr3();
    p->cr4 = read_cr4();
    p->efer = 0;
    p->entry = (uint32_t)(uintptr_t)ap_entry;
    p->stack_top = c->stack_top;
    p->arg = (uint32_t)(uintptr_t)c;
    return true;
}

void smp_arch_fault_pf(void)
{
    *(volatile uint32_t *)(uintptr_t)FAULT_ADDR = 0;
}
