/* Exception and IRQ dispatch (called from isr.asm with a struct trap_frame) and the
 * exception reports: name, vector, error code, EIP/CS/EFLAGS, general registers and control
 * registers, to serial and screen. An exception inside a guarded call goes to the guard, and
 * so does a ring-3 module's return INT (VECTOR_USER_EXIT); any other exception is fatal:
 * report, then exit with the failure status. The double fault arrives on its own task
 * (double_fault_task) and is reported from the saved TSS; an AP's on its own double-fault
 * task (ap_double_fault_task). Before a fatal report the other CPUs are stopped (kernel/smp);
 * the report names the CPU. The local APIC's wake-up IPI only ends its interrupt; an NMI
 * that a failing CPU sent stops this CPU. */
#include "kernel/arch/x86/lapic.h"
#include "kernel/arch/x86/pit.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/arch/i686/x86.h"
#include "kernel/smp/smp.h"

/* Set by arch_init_and_continue: the unmapped page below the kernel stack (0 if none). */
extern uintptr_t arch_stack_guard_page;

static void report_control_registers(void)
{
    kprintf("exception: cr0 0x%08x cr2 0x%08x cr3 0x%08x cr4 0x%08x\n",
            read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void exception_report(const struct trap_frame *f)
{
    /* Same-privilege exceptions push no SS:ESP: the interrupted ESP is just above EFLAGS. */
    uint32_t esp = trap_from_user(f) ? f->user_esp
                                     : (uint32_t)(uintptr_t)&f->eflags + sizeof f->eflags;
    kprintf("exception: on cpu %u (APIC ID %u)\n", cpu_index(), cpu_local()->apic_id);
    kprintf("exception: %s %s (vector %u) error code 0x%08x\n", exception_mnemonic(f->vector),
            exception_name(f->vector), f->vector, f->error_code);
    kprintf("exception: eip 0x%08x cs 0x%04x eflags 0x%08x\n", f->eip, f->cs, f->eflags);
    kprintf("exception: eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n",
            f->eax, f->ebx, f->ecx, f->edx);
    kprintf("exception: esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x\n",
            f->esi, f->edi, f->ebp, esp);
    kprintf("exception: ds 0x%04x es 0x%04x fs 0x%04x gs 0x%04x\n", f->ds, f->es, f->fs, f->gs);
    report_control_registers();
}

static void double_fault_report(const struct tss32 *t)
{
    kprintf("exception: on cpu %u (APIC ID %u)\n", cpu_index(), cpu_local()->apic_id);
    kprintf("exception: #DF double fault (vector 8) error code 0x00000000, caught on the "
            "double-fault task (likely kernel stack overflow)\n");
    kprintf("exception: eip 0x%08x cs 0x%04x eflags 0x%08x (saved in the kernel TSS)\n",
            t->eip, t->cs, t->eflags);
    kprintf("exception: eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n",
            t->eax, t->ebx, t->ecx, t->edx);
    kprintf("exception: esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x\n",
            t->esi, t->edi, t->ebp, t->esp);
    report_control_registers();
    uintptr_t guard = cpu_index() == 0 ? arch_stack_guard_page : cpu_local()->stack_guard;
    if (guard && t->esp >= guard - 64 && t->esp < guard + 4096 + 64)
        kprintf("exception: esp is at the stack guard page 0x%08x: kernel stack overflow\n",
                (unsigned)guard);
}

/* Entered from df_task_entry (isr.asm) on the double-fault task. Returns only when the
 * guard has rewritten the interrupted task to resume its guarded call. */
void double_fault_task(void)
{
    struct tss32 *t = gdt_main_tss();
    if (guard_active() && guard_recover_double_fault(t))
        return;
    smp_stop_others();
    double_fault_report(t);
    machine_exit(false);
}

/* An AP's double-fault task (kernel/arch/i686/smp_arch.c): no guard runs on an AP. */
void ap_double_fault_task(struct tss32 *interrupted)
{
    smp_stop_others();
    double_fault_report(interrupted);
    machine_exit(false);
}

static void irq_dispatch(struct trap_frame *f)
{
    unsigned irq = f->vector - IRQ_BASE_VECTOR;
    if (pic_is_spurious(irq))
        return;
    if (irq == IRQ_TIMER) {
        pit_tick();
        guard_check_budget(f);  /* after the EOI: the guard may not return here */
        return;
    }
    kprintf("irq: unexpected IRQ %u (vector 0x%x), masked lines should not fire\n", irq,
            f->vector);
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
    if (f->vector == VECTOR_USER_EXIT) {
        if (trap_from_user(f) && guard_active())
            guard_user_return(f);   /* does not return */
        kprintf("trap: return INT 0x%x from ring %u outside a module call\n", f->vector,
                (unsigned)(f->cs & 3));
        exception_report(f);
        machine_exit(false);
    }
    if (f->vector >= IRQ_BASE_VECTOR && f->vector < IRQ_BASE_VECTOR + IRQ_LINES) {
        irq_dispatch(f);
        return;
    }
    if (f->vector == VECTOR_NMI)
        smp_nmi_stop_if_asked();
    if (guard_active() && cpu_index() == 0)
        guard_abort_fault(f);       /* does not return */
    smp_stop_others();
    exception_report(f);
    machine_exit(false);
}
