/* Kernel logging: every line goes to COM1 and the VGA console (kernel/core/console.c).
 * kprintf understands a printf subset: %s %c %d %i %u %x %X %p %%, the length modifiers
 * l, ll and z, a field width, '0' padding and '-' left alignment. It never allocates, so it
 * is safe in exception handlers. Portable code (heap, fat16, module loader) logs only through
 * this header, so it also links on the host (tests/lib/kernel_stubs.c).
 * With several CPUs running, each kprintf call holds the console lock, so its text comes out
 * whole: the lock is re-entered by the CPU that holds it (an exception inside kprintf still
 * gets its report out), and a CPU that waits on it longer than LOG_LOCK_SPINS polls takes it
 * anyway rather than hang on a CPU that died holding it. */
#ifndef FLUID_KERNEL_LOG_H
#define FLUID_KERNEL_LOG_H

#include <stdarg.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* The failing CPU's way to the console (kernel/smp's smp_stop_others, once the other CPUs are
 * stopped): makes this CPU the lock's holder whoever held it. */
void log_console_take(void);

/* Prints "panic: <message>" with the caller's address, then stops the machine: exits QEMU
 * with the failure status where the debug-exit device exists, else halts. For broken kernel
 * invariants only, never for bad input from a disk or a module. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
