/* The start-up steps both kernels' kernel_main share, up to the point where the architecture
 * sets up its descriptor tables and stacks (arch_init_and_continue). */
#ifndef FLUID_KERNEL_STARTUP_H
#define FLUID_KERNEL_STARTUP_H

#include <fluid/bootinfo.h>

/* Everything kernel_main does before the architecture takes over, in this order: console,
 * banner ("fluid: Fluid <arch_name> kernel, build <rev>"), options from fw_cfg
 * opt/fluid/cmdline (with clock=icount|tcg|hw), boot_info validation (a bad one ends the run
 * with the failure status), the boot layout log, CPU identification, FPU/SSE, the E820 log.
 * Afterwards kernel_boot_info() (bootcheck.h) returns bi. */
void startup_begin(const char *arch_name, uint32_t magic, struct boot_info *bi);

/* On the kernel's own stack: PIC/PIT at TIMER_HZ with interrupts on, then TSC calibration. */
void startup_timers(void);

/* The `test=` option after start-up. Returns true when there is none or a stage runs it
 * (stage_tests: names such as "heap"). divide-error and stack-overflow fault on purpose
 * (the exception report ends the run); if they come back, or the name is unknown, this says
 * so and returns false. */
bool startup_test_option(const char *const *stage_tests, size_t count);

#endif
