/* The 8254 PIT (kernel/arch/x86/pit.c), the timer of both kernels: it implements
 * arch_timer_init, arch_timer_restart, timer_tick_ps, timer_ticks and arch_wait_for_interrupt
 * of kernel/core/arch.h. Each kernel's IRQ dispatch calls pit_tick on IRQ_TIMER. */
#ifndef FLUID_ARCH_X86_PIT_H
#define FLUID_ARCH_X86_PIT_H

#include <fluid/types.h>

#define IRQ_TIMER           0       /* PIT channel 0 is wired to IRQ 0 */

/* Counts one tick and acknowledges it at the PIC, so the caller may leave the handler for
 * good afterwards (the i686 fault guard does). */
void pit_tick(void);

/* The BIOS's rate (mode 3, divisor 65536: 18.2 Hz), for a BIOS call whose timeouts count
 * its ticks (kernel/arch/x86/bios.h); arch_timer_restart returns to TIMER_HZ. The kernel's
 * tick count does not advance meanwhile. */
void pit_enter_bios(void);

#endif
