/* Shared between the files of kernel/smp and the architecture's smp_arch.c: the CPU table and
 * the count of started CPUs. Not for other subsystems (they use smp.h). */
#ifndef FLUID_KERNEL_SMP_IMPL_H
#define FLUID_KERNEL_SMP_IMPL_H

#include "kernel/smp/smp.h"

/* Block i is CPU index i; [0, smp_started) run the kernel. */
extern struct cpu_local smp_cpus[SMP_MAX_CPUS];
extern volatile uint32_t smp_started;

/* Busy-waits us microseconds by the calibrated TSC. */
void smp_delay_us(uint64_t us);

/* INIT, 10 ms, STARTUP, 200 us, STARTUP to apic_id with the trampoline's STARTUP vector
 * (kernel/smp/ap_ipi.c); without_sipi sends the INIT alone (test.smp_withhold: an AP that
 * never answers). SMP_E_IPI if an IPI could not be sent. */
enum smp_err ap_send_start_ipis(uint32_t apic_id, uint8_t vector, bool without_sipi);

/* test.smp_ap_fault=ud2|pf: makes the last started AP fault (smp_run.c); nothing without it. */
void smp_test_ap_fault(void);

#endif
