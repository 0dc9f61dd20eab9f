/* Fault guard: runs a function (a benchmark module's entry) so that a CPU exception or an
 * overrun of its time budget stops that function instead of the kernel. The exception
 * handlers and the PIT tick handler (kernel/arch/i686/) check guard_active(); when a guarded
 * call faults or exceeds its budget they restore the context saved on entry (setjmp-like, in
 * asm) and guard_call returns GUARD_FAULT or GUARD_TIMEOUT, with a `guard:` log line. A
 * kernel stack overflow inside the call (a #DF on the double-fault task) is recovered too.
 * Afterwards the FPU is re-initialised (fninit, and MXCSR reset when SSE is on), the kernel
 * data segments are reloaded and the interrupt flag is what it was before the call.
 * Not reentrant: a guarded function must not call guard_call (it gets GUARD_FAULT with
 * vector GUARD_VECTOR_NESTED). guard_call's function runs in ring 0 with interrupts enabled:
 * one that disables them cannot be timed out. guard_call_user runs code in ring 3, where it
 * cannot disable them, touch I/O ports or reach supervisor pages (kernel/bench/usermode.h
 * sets up those pages). */
#ifndef FLUID_KERNEL_GUARD_H
#define FLUID_KERNEL_GUARD_H

#include <fluid/types.h>

enum guard_outcome {
    GUARD_OK,           /* fn returned; *result holds its value */
    GUARD_FAULT,        /* a CPU exception inside fn; report says which */
    GUARD_TIMEOUT,      /* fn ran past budget_ms and was stopped at a timer tick */
};

/* report->vector when no CPU exception applies. */
#define GUARD_VECTOR_NONE    0xFFFFFFFFu   /* GUARD_OK and GUARD_TIMEOUT */
#define GUARD_VECTOR_NESTED  0xFFFFFFFEu   /* guard_call called from inside a guarded call */

struct guard_report {
    enum guard_outcome outcome;
    uint32_t vector;        /* exception vector (0..31) or GUARD_VECTOR_* */
    uint32_t error_code;    /* CPU error code, 0 when the exception has none */
    uint32_t eip;           /* where fn was stopped (faulting or interrupted instruction) */
    uint32_t cr2;           /* CR2 at the fault (page faults only meaningful) */
    bool from_user;         /* the interrupted code ran in ring 3 */
};

/* Runs fn(arg) under the guard with a budget of budget_ms milliseconds of PIT time
 * (0 = no time limit). *result gets fn's return value on GUARD_OK, 0 otherwise; report (may
 * be NULL) is always filled. Needs the IDT and the PIT running (after arch init). */
enum guard_outcome guard_call(uint32_t (*fn)(const void *arg), const void *arg,
                              uint32_t budget_ms, uint32_t *result,
                              struct guard_report *report);

/* Runs the code at `entry` in ring 3 (IOPL 0, interrupts on) with ESP = user_esp, a stack the
 * caller filled: a return address into the user exit stub, then the arguments. The code comes
 * back through that stub's INT with its result in EAX; an exception or budget_ms passing ends
 * it as above. The kernel's registers, segments, EFLAGS, stack and FPU state are restored from
 * what this call saved, never taken from the module. Same result and report rules as
 * guard_call. */
enum guard_outcome guard_call_user(uint32_t entry, uint32_t user_esp, uint32_t budget_ms,
                                   uint32_t *result, struct guard_report *report);

/* Outcome name for logs and the profile: "ok", "fault", "timeout". */
const char *guard_outcome_name(enum guard_outcome outcome);

#endif
