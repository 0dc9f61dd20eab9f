/* The fault guard (contract in kernel/bench/guard.h) on i686. guard_call saves a context with
 * guard_setjmp (isr.asm) and runs fn with interrupts on. Three ways back besides a normal
 * return, all ending in guard_longjmp to that context:
 *  - an exception in fn: trap_dispatch -> guard_abort_fault, on the faulting stack;
 *  - the budget passing: trap.c: pit_tick, then guard_check_budget (the EOI is already sent);
 *  - a #DF (fn overflowed the kernel stack): the double-fault task rewrites the kernel TSS to
 *    resume at guard_df_resume and IRETs back to it (guard_recover_double_fault). */
#include "kernel/core/arch.h"
#include "kernel/bench/guard.h"
#include "kernel/core/log.h"
#include "kernel/arch/i686/x86.h"

#define GUARD_DF_STACK_SLACK  64    /* bytes below the saved ESP for guard_df_resume's pushes */

/* Layout known to isr.asm: ebx, esi, edi, ebp, esp, eip, eflags. */
struct guard_jmp {
    uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
};

__attribute__((returns_twice)) int guard_setjmp(struct guard_jmp *j);
__attribute__((noreturn)) void guard_longjmp(struct guard_jmp *j);
extern void guard_df_resume(void);

static struct {
    volatile bool active;
    bool has_deadline;
    uint32_t deadline;          /* timer_ticks() value at which the call is stopped */
    struct guard_jmp jmp;
    struct guard_report report;
} guard;

bool guard_active(void)
{
    return guard.active;
}

const char *guard_outcome_name(enum guard_outcome outcome)
{
    switch (outcome) {
    case GUARD_OK:      return "ok";
    case GUARD_FAULT:   return "fault";
    case GUARD_TIMEOUT: return "timeout";
    }
    return "unknown";
}

static void guard_record(enum guard_outcome outcome, uint32_t vector, uint32_t error_code,
                         uint32_t eip)
{
    guard.active = false;
    guard.report = (struct guard_report){outcome, vector, error_code, eip, read_cr2()};
}

void guard_abort_fault(const struct trap_frame *f)
{
    guard_record(GUARD_FAULT, f->vector, f->error_code, f->eip);
    kprintf("guard: %s %s (vector %u) error code 0x%x at eip 0x%08x cr2 0x%08x: call stopped\n",
            exception_mnemonic(f->vector), exception_name(f->vector), f->vector,
            f->error_code, f->eip, guard.report.cr2);
    guard_longjmp(&guard.jmp);
}

void guard_check_budget(const struct trap_frame *f)
{
    if (!guard.active || !guard.has_deadline || (int32_t)(timer_ticks() - guard.deadline) < 0)
        return;
    guard_record(GUARD_TIMEOUT, GUARD_VECTOR_NONE, 0, f->eip);
    kprintf("guard: time budget exceeded at eip 0x%08x: call stopped\n", f->eip);
    guard_longjmp(&guard.jmp);
}

bool guard_recover_double_fault(struct tss32 *t)
{
    guard_record(GUARD_FAULT, VECTOR_DOUBLE_FAULT, 0, t->eip);
    kprintf("guard: #DF double fault at eip 0x%08x esp 0x%08x (stack overflow?): call "
            "stopped\n", t->eip, t->esp);
    t->eip = (uint32_t)guard_df_resume;
    t->esp = guard.jmp.esp - GUARD_DF_STACK_SLACK;
    t->eax = (uint32_t)&guard.jmp;
    t->eflags = EFLAGS_RESERVED1;           /* IF off until guard_longjmp restores EFLAGS */
    t->cs = SEL_KERNEL_CODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KERNEL_DATA;
    return true;
}

static uint32_t ms_to_ticks(uint32_t ms)
{
    uint64_t ticks = ((uint64_t)ms * TIMER_HZ + 999) / 1000;
    return ticks > INT32_MAX ? INT32_MAX : (uint32_t)ticks;
}

enum guard_outcome guard_call(uint32_t (*fn)(const void *arg), const void *arg,
                              uint32_t budget_ms, uint32_t *result,
                              struct guard_report *report)
{
    struct guard_report nested = {GUARD_FAULT, GUARD_VECTOR_NESTED, 0, 0, 0};
    *result = 0;
    if (guard.active) {
        kprintf("guard: guard_call from inside a guarded call refused\n");
        if (report)
            *report = nested;
        return GUARD_FAULT;
    }
    uint32_t eflags = read_eflags();
    guard.report = (struct guard_report){GUARD_OK, GUARD_VECTOR_NONE, 0, 0, 0};
    if (guard_setjmp(&guard.jmp) == 0) {
        guard.has_deadline = budget_ms != 0;
        guard.deadline = timer_ticks() + ms_to_ticks(budget_ms);
        guard.active = true;
        irq_enable();
        uint32_t value = fn(arg);
        irq_disable();          /* no tick may abort a call that has already returned */
        guard.active = false;
        *result = value;
    }
    /* Back here after a normal return or a guard_longjmp (EFLAGS as at guard_setjmp). */
    fpu_reset();
    if (eflags & EFLAGS_IF)
        irq_enable();
    else
        irq_disable();
    if (report)
        *report = guard.report;
    return guard.report.outcome;
}
