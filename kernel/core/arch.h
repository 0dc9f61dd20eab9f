/* What portable kernel code (the mains, kernel/core/, the fault guard's users) needs from the
 * architecture. kernel/arch/i686/ and kernel/arch/x86_64/ each provide these calls, the timer
 * ones through the shared PIT driver (kernel/arch/x86/pit.c). */
#ifndef FLUID_KERNEL_ARCH_H
#define FLUID_KERNEL_ARCH_H

#include <fluid/types.h>

#define TIMER_HZ    1000    /* PIT interrupt rate: one tick per millisecond */

/* GDT with its TSSs, paging (identity map with a guard page below the kernel stack and an
 * unmapped page 0) and the IDT with all 32 exception handlers. Then calls cont() on the
 * guarded kernel stack; never returns. */
__attribute__((noreturn)) void arch_init_and_continue(void (*cont)(void));

/* Remaps the PIC to vectors 0x20-0x2F, starts the PIT at TIMER_HZ and enables interrupts. */
void arch_timer_init(void);

/* Restarts the timer's period at this instant. Under QEMU -icount the instruction count is
 * the guest's clock, and device I/O before this point (ATA polls that wait for the host) moves
 * where later ticks fall among the instructions; restarting the period right before measured
 * work makes the ticks, and so the measurements, repeat exactly from boot to boot. */
void arch_timer_restart(void);

/* The timer's true tick period in picoseconds (the PIT cannot hit TIMER_HZ exactly). */
uint64_t timer_tick_ps(void);

/* Timer ticks since arch_timer_init (wraps after 49 days at TIMER_HZ). */
uint32_t timer_ticks(void);

/* Halts until the next interrupt (interrupts must be enabled). */
void arch_wait_for_interrupt(void);

/* Reads fw_cfg file `name` (QEMU docs/specs/fw_cfg.txt) into buf, at most cap-1 bytes, and
 * NUL-terminates it. Returns false, with buf = "", if fw_cfg or the file is absent. */
bool fwcfg_read_file(const char *name, char *buf, size_t cap);

/* Deliberate faults for the `test=` options: a divide by zero and unbounded recursion. */
void arch_test_divide_error(void);
void arch_test_stack_overflow(void);

#endif
