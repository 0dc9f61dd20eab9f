/* machine_exit / machine_halt (kernel/core/machine.h): the kernel's only ways to stop. Every exit
 * path prints "fluid: done, status ok|failed" first, so tests see one final line. A failed
 * exit stops the other CPUs first (kernel/smp); a successful one leaves them parked, since
 * the exit ends the machine anyway. */
#include "kernel/arch/x86/io.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/smp/smp.h"

void machine_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void machine_exit(bool success)
{
    if (!success)
        smp_stop_others();      /* the failure report and this line come out whole */
    kprintf("fluid: done, status %s\n", success ? "ok" : "failed");
    outl(DEBUG_EXIT_PORT, success ? DEBUG_EXIT_SUCCESS : DEBUG_EXIT_FAILURE);
    /* Still running: no isa-debug-exit device (real hardware, or QEMU without it). */
    kprintf("fluid: no debug-exit device at port 0x%x, halting\n", DEBUG_EXIT_PORT);
    machine_halt();
}
