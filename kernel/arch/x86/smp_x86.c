/* The parts of the SMP architecture layer (kernel/smp/smp_arch.h) that are the same
 * instructions in both kernels: the parked AP's halt and the deliberate invalid opcode of
 * test.smp_ap_fault=ud2. The rest (descriptor tables, the trampoline's parameters, the
 * unmapped address of =pf) is per architecture, in kernel/arch/<arch>/smp_arch.c. */
#include "kernel/smp/smp_arch.h"

void smp_arch_halt_until_ipi(void)
{
    /* STI's one-instruction shadow: the IPI cannot slip in between STI and HLT. */
    __asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
}

void smp_arch_fault_ud(void)
{
    __asm__ volatile("ud2");
}
