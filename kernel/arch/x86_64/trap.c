/* Exception and IRQ dispatch (called from isr.asm with a struct trap_frame) and the
 * exception reports: name, vector, error code, RIP/CS/RFLAGS, general registers and control
 * registers, to serial and screen, in the format of the i686 kernel's reports
 * (kernel/arch/i686/trap.c) widened to 64 bits. Every exception is fatal: report, then exit
 * with the failure status, after the other CPUs are stopped (kernel/smp: an NMI to each), so
 * the report comes out whole; it names the CPU. An NMI that a failing CPU sent stops this
 * CPU. A #DF arrives on its own IST stack; when CR2 lies in a stack guard page (the boot
 * CPU's or this CPU's) the report names the kernel stack overflow. The local APIC's wake-up
 * IPI only ends its interrupt; its spurious vector needs not even that. */
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/pit.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/arch/x86_64/x86_64.h"
#include "kernel/smp/smp.h"

#define PAGE_BYTES          4096u

/* Set by arch_init_and_continue: the unmapped page below the kernel stack (0 if none). */
extern uintptr_t arch_stack_guard_page;

static bool in_page(uint64_t addr, uintptr_t page)
{
    return page && addr >= page && addr < page + PAGE_BYTES;
}

/* The guard page addr hit, the boot CPU's or this CPU's; 0 if none. */
static uintptr_t guard_hit(uint64_t addr)
{
    if (in_page(addr, arch_stack_guard_page))
        return arch_stack_guard_page;
    uintptr_t own = cpu_local()->stack_guard;
    return in_page(addr, own) ? own : 0;
}

void exception_report(const struct trap_frame *f)
{
    uint64_t cr2 = read_cr2();
    kprintf("exception: on cpu %u (APIC ID %u)\n", cpu_index(), cpu_local()->apic_id);
    kprintf("exception: %s %s (vector %llu) error code 0x%016llx\n",
            exception_mnemonic(f->vector), exception_name(f->vector),
            (unsigned long long)f->vector, (unsigned long long)f->error_code);
    kprintf("exception: rip 0x%016llx cs 0x%04llx rflags 0x%08llx\n",
            (unsigned long long)f->rip, (unsigned long long)f->cs,
            (unsigned long long)f->rflags);
    kprintf("exception: rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx,
            (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf("exception: rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx rsp 0x%016llx\n",
            (unsigned long long)f->rsi, (unsigned long long)f->rdi,
            (unsigned long long)f->rbp, (unsigned long long)f->rsp);
    kprintf("exception: r8 0x%016llx r9 0x%016llx r10 0x%016llx r11 0x%016llx\n",
            (unsigned long long)f->r8, (unsigned long long)f->r9,
            (unsigned long long)f->r10, (unsigned long long)f->r11);
    kprintf("exception: r12 0x%016llx r13 0x%016llx r14 0x%016llx r15 0x%016llx\n",
            (unsigned long long)f->r12, (unsigned long long)f->r13,
            (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("exception: cr0 0x%08llx cr2 0x%016llx cr3 0x%08llx cr4 0x%08llx\n",
            (unsigned long long)read_cr0(), (unsigned long long)cr2,
            (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
    uintptr_t guard = guard_hit(cr2) ? guard_hit(cr2) : guard_hit(f->rsp);
    if ((f->vector == VECTOR_DOUBLE_FAULT || f->vector == VECTOR_PAGE_FAULT) && guard)
        kprintf("exception: the fault hit the stack guard page 0x%016llx: kernel stack "
                "overflow\n", (unsigned long long)guard);
}

static void irq_dispatch(struct trap_frame *f)
{
    unsigned irq = (unsigned)(f->vector - IRQ_BASE_VECTOR);
    if (pic_is_spurious(irq))
        return;
    if (irq == IRQ_TIMER) {
        pit_tick();
        return;
    }
    kprintf("irq: unexpected IRQ %u (vector 0x%llx), masked lines should not fire\n", irq,
            (unsigned long long)f->vector);
    pic_eoi(irq);
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == SMP_WAKE_VECTOR) {
        lapic_eoi();
        return;
    }
    if (f->vector == SMP_SPURIOUS_VECTOR)
        return;                 /* no EOI for the spurious vector (SDM vol. 3A §10.9) */
    if (f->vector >= IRQ_BASE_VECTOR && f->vector < IRQ_BASE_VECTOR + IRQ_LINES) {
        irq_dispatch(f);
        return;
    }
    if (f->vector == VECTOR_NMI)
        smp_nmi_stop_if_asked();
    smp_stop_others();
    exception_report(f);
    machine_exit(false);
}
