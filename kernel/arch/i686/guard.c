/* The fault guard (contract in kernel/bench/guard.h) on i686. guard_call saves a context with
 * guard_setjmp (isr.asm) and runs fn with interrupts on; guard_call_user saves the same
 * context and IRETs to ring 3 (user_enter), whose only way back is an interrupt: the return
 * INT (guard_user_return, from trap.c) or one of the exits below. Besides a normal return,
 * all end in guard_longjmp to the saved context:
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
__attribute__((noreturn)) void user_enter(uint32_t entry, uint32_t user_esp, uint32_t *esp0);

static struct {
    volatile bool active;
    bool has_deadline;
    uint32_t deadline;          /* timer_ticks() value at which the call is stopped */
    struct guard_jmp jmp;
    struct guard_report report;
    uint32_t user_result;       /* EAX at the ring-3 return INT */
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
                         uint32_t eip, bool from_user)
{
    guard.active = false;
    guard.report = (struct guard_report){outcome, vector, error_code, eip, read_cr2(),
                                         from_user};
}

void guard_abort_fault(const struct trap_frame *f)
{
    guard_record(GUARD_FAULT, f->vector, f->error_code, f->eip, trap_from_user(f));
    kprintf("guard: %s %s (vector %u) error code 0x%x at eip 0x%08x cr2 0x%08x in ring %u: "
            "call stopped\n", exception_mnemonic(f->vector), exception_name(f->vector),
            f->vector, f->error_code, f->eip, guard.report.cr2, (unsigned)(f->cs & 3));
    guard_longjmp(&guard.jmp);
}

void guard_check_budget(const struct trap_frame *f)
{
    if (!guard.active || !guard.has_deadline || (int32_t)(timer_ticks() - guard.deadline) < 0)
        return;
    guard_record(GUARD_TIMEOUT, GUARD_VECTOR_NONE, 0, f->eip, trap_from_user(f));
    kprintf("guard: time budget exceeded at eip 0x%08x: call stopped\n", f->eip);
    guard_longjmp(&guard.jmp);
}

void guard_user_return(const struct trap_frame *f)
{
    guard_record(GUARD_OK, GUARD_VECTOR_NONE, 0, f->eip, true);
    guard.user_result = f->eax;
    guard_longjmp(&guard.jmp);
}

bool guard_recover_double_fault(struct tss32 *t)
{
    guard_record(GUARD_FAULT, VECTOR_DOUBLE_FAULT, 0, t->eip, (t->cs & 3) == RPL_USER);
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

/* A guarded call may not start inside another: false, with the report filled. */
static bool guard_may_start(uint32_t *result, struct guard_report *report)
{
    static const struct guard_report nested = {GUARD_FAULT, GUARD_VECTOR_NESTED, 0, 0, 0,
                                               false};
    *result = 0;
    if (!guard.active) {
        guard.report = (struct guard_report){GUARD_OK, GUARD_VECTOR_NONE, 0, 0, 0, false};
        return true;
    }
    kprintf("guard: guard_call from inside a guarded call refused\n");
    if (report)
        *report = nested;
    return false;
}

static void guard_arm(uint32_t budget_ms)
{
    guard.has_deadline = budget_ms != 0;
    guard.deadline = timer_ticks() + ms_to_ticks(budget_ms);
    guard.active = true;
}

/* Back after a normal return or a guard_longjmp (EFLAGS as at guard_setjmp). */
static enum guard_outcome guard_finish(uint32_t eflags, struct guard_report *report)
{
    fpu_reset();
    if (eflags & EFLAGS_IF)
        irq_enable();
    else
        irq_disable();
    if (report)
        *report = guard.report;
    return guard.report.outcome;
}

enum guard_outcome guard_call(uint32_t (*fn)(const void *arg), const void *arg,
                              uint32_t budget_ms, uint32_t *result,
                              struct guard_report *report)
{
    if (!guard_may_start(result, report))
        return GUARD_FAULT;
    uint32_t eflags = read_eflags();
    if (guard_setjmp(&guard.jmp) == 0) {
        guard_arm(budget_ms);
        irq_enable();
        uint32_t value = fn(arg);
        irq_disable();          /* no tick may abort a call that has already returned */
        guard.active = false;
        *result = value;
    }
    return guard_finish(eflags, report);
}

enum guard_outcome guard_call_user(uint32_t entry, uint32_t user_esp, uint32_t budget_ms,
                                   uint32_t *result, struct guard_report *report)
{
    if (!guard_may_start(result, report))
        return GUARD_FAULT;
    uint32_t eflags = read_eflags();
    irq_disable();              /* until the IRET: ring 3 starts with IF set */
    if (guard_setjmp(&guard.jmp) == 0) {
        guard_arm(budget_ms);
        user_enter(entry, user_esp, &gdt_main_tss()->esp0);
    }
    if (guard.report.outcome == GUARD_OK)
        *result = guard.user_result;
    return guard_finish(eflags, report);
}
