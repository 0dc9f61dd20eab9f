/* The x86-64 side of SMP (kernel/smp/smp_arch.h): each AP's guarded 64 KiB kernel stack, its
 * own GDT, TSS and IST stacks (struct cpu_tables), the shared IDT, the boot CPU's CR0/CR4
 * (through the trampoline) and XCR0, and the per-CPU block in IA32_GS_BASE, read with a
 * GS-relative load (cpu_local; SDM vol. 3A §3.4.4: in 64-bit mode only FS and GS keep a base).
 * Loading a selector into GS clears that base, so gdt_load_cpu and the BIOS thunk's way back
 * are followed by smp_arch_restore_cpu_pointer. */
#include "kernel/arch/x86/cpuid.h"
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86_64/x86_64.h"
#include "kernel/core/log.h"
#include "kernel/smp/smp_arch.h"
#include "kernel/smp/smp_impl.h"

#define PAGE_BYTES          4096u
#define AP_STACK_BYTES      (64u * 1024u)
#define MSR_IA32_GS_BASE    0xC0000101
#define MSR_EFER            0xC0000080
#define EFER_SCE            (1ull << 0)
#define EFER_LME            (1ull << 8)
#define EFER_NXE            (1ull << 11)
#define CR4_OSXSAVE         (1ull << 18)
/* test.smp_ap_fault=pf touches this: canonical, and in a PML4 slot (255) that stage2's
 * identity map (at most 64 GiB, slot 0) never fills, so it is never mapped. */
#define FAULT_ADDR          0x7FFFFFFFF000ull

/* The first page of each is the guard; AP i uses ap_stacks[i - 1]. */
static uint8_t ap_stacks[SMP_MAX_CPUS - 1][PAGE_BYTES + AP_STACK_BYTES]
    __attribute__((aligned(PAGE_BYTES)));
static struct cpu_tables ap_tables[SMP_MAX_CPUS - 1];
static bool ap_guarded[SMP_MAX_CPUS - 1];
static bool gs_ready;

extern uintptr_t arch_stack_guard_page, arch_stack_top;    /* arch_init.c, the boot CPU's */

static inline uint64_t rdmsr64(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr64(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

struct cpu_local *cpu_local(void)
{
    struct cpu_local *c;
    if (!gs_ready)
        return &smp_cpus[0];
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

uint32_t cpu_index(void)
{
    return cpu_local()->index;
}

static uint64_t xcr0_now(void)
{
    return (read_cr4() & CR4_OSXSAVE) ? read_xcr0() : 0;
}

static void record_state(struct cpu_local *c)
{
    c->cr0 = read_cr0();
    c->cr4 = read_cr4();
    c->xcr0 = xcr0_now();
}

void smp_arch_restore_cpu_pointer(void)
{
    if (gs_ready)
        wrmsr64(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)smp_cpus[0].self);
}

void smp_arch_early_boot_cpu(void)
{
    smp_cpus[0].self = &smp_cpus[0];
    wrmsr64(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)&smp_cpus[0]);
    gs_ready = true;
}

void smp_arch_init_boot_cpu(struct cpu_local *c)
{
    c->stack_guard = arch_stack_guard_page;
    c->stack_top = arch_stack_top;
    record_state(c);
    /* Every AP's guard page now, before any AP runs and could cache a large page. */
    for (uint32_t i = 0; i < SMP_MAX_CPUS - 1; i++)
        ap_guarded[i] = paging_guard_page((uintptr_t)ap_stacks[i]);
}

/* The AP's C entry (called by the trampoline on its own stack): its tables, GS, the FPU/SSE
 * state as the boot CPU has it, its local APIC, then the idle loop. */
__attribute__((noreturn)) static void ap_entry(struct cpu_local *c)
{
    gdt_load_cpu(c->arch);
    wrmsr64(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)c);
    idt_load();
    __asm__ volatile("fninit");
    if (read_cr4() & CR4_OSXSAVE) {
        uint64_t x = smp_cpus[0].xcr0;
        __asm__ volatile("xsetbv" : : "a"((uint32_t)x), "d"((uint32_t)(x >> 32)), "c"(0));
    }
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
    if (!ap_guarded[slot])
        kprintf("smp: CPU %u's stack has no guard page (no spare page table)\n", c->index);
    p->cr0 = read_cr0();
    p->cr3 = read_cr3();
    p->cr4 = read_cr4();
    p->efer = rdmsr64(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_NXE);
    p->entry = (uint64_t)(uintptr_t)ap_entry;
    p->stack_top = c->stack_top;
    p->arg = (uint64_t)(uintptr_t)c;
    if (p->cr3 >> 32) {
        kprintf("smp: CR3 0x%llx lies above 4 GiB, out of the trampoline's reach\n",
                (unsigned long long)p->cr3);
        return false;
    }
    return true;
}

void smp_arch_fault_pf(void)
{
    *(volatile uint32_t *)(uintptr_t)FAULT_ADDR = 0;
}
