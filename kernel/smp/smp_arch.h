/* What kernel/smp needs from each architecture (kernel/arch/i686/smp_arch.c,
 * kernel/arch/x86_64/smp_arch.c) to start an AP, and what the AP's arch entry calls back. */
#ifndef FLUID_KERNEL_SMP_ARCH_H
#define FLUID_KERNEL_SMP_ARCH_H

#include <fluid/types.h>

#include "kernel/smp/ap_boot.h"
#include "kernel/smp/smp.h"

/* The trampoline (kernel/arch/<arch>/ap_trampoline.nasm, a flat binary for
 * AP_TRAMPOLINE_ADDR) as bytes of the kernel image (ap_blob.asm). */
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];

/* The boot CPU's block is cpus[0], which cpu_local() finds from arch init on (x86-64:
 * smp_arch_early_boot_cpu; i686: gdt_init): records its stack and control registers and
 * prepares the APs' guard pages. Called by smp_start before the first AP. */
void smp_arch_init_boot_cpu(struct cpu_local *c);

/* Prepares the AP of block c (index and APIC ID set): its guarded stack and descriptor tables,
 * c->stack_top and c->stack_guard, and p's entry, stack_top, arg and control registers (the
 * boot CPU's). False, logged, if it cannot. */
bool smp_arch_prepare_ap(struct cpu_local *c, struct ap_boot_params *p);

/* The AP's side, called by its arch entry on its own stack once its GDT, TSS, IDT, per-CPU
 * pointer and FPU/SSE state are loaded, with interrupts off: records it started and parks. */
__attribute__((noreturn)) void smp_ap_main(struct cpu_local *c);

/* After the BIOS thunk (kernel/arch/x86/bios.c), which reloads the segment registers: puts
 * the boot CPU's per-CPU pointer back (x86-64: IA32_GS_BASE; i686: nothing to do). */
void smp_arch_restore_cpu_pointer(void);

/* Called by the AP idle loop: lets the wake-up IPI in while halted (STI; HLT), then off. */
void smp_arch_halt_until_ipi(void);

/* The deliberate faults of test.smp_ap_fault (invalid opcode; touch of an unmapped page). */
void smp_arch_fault_ud(void);
void smp_arch_fault_pf(void);

#endif
