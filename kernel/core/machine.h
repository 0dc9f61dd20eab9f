/* Stopping the machine. In QEMU the isa-debug-exit device (-device
 * isa-debug-exit,iobase=0xf4,iosize=4) turns a write of v into exit status (v << 1) | 1, so
 * the test harness sees 33 for success and 35 for failure. On real hardware the port is
 * absent: the write does nothing and the kernel prints a final line and halts. */
#ifndef FLUID_KERNEL_MACHINE_H
#define FLUID_KERNEL_MACHINE_H

#include <fluid/types.h>

#define DEBUG_EXIT_PORT         0xF4
#define DEBUG_EXIT_SUCCESS      0x10    /* QEMU exit status 33 */
#define DEBUG_EXIT_FAILURE      0x11    /* QEMU exit status 35 */

/* Exits QEMU with the success or failure status; halts where the device is absent. */
__attribute__((noreturn)) void machine_exit(bool success);

/* Disables interrupts and halts forever (cli; hlt loop). */
__attribute__((noreturn)) void machine_halt(void);

#endif
