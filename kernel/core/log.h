/* Kernel logging: every line goes to COM1 and the VGA console (kernel/core/console.c).
 * kprintf understands a printf subset: %s %c %d %i %u %x %X %p %%, the length modifiers
 * l, ll and z, a field width, '0' padding and '-' left alignment. It never allocates, so it
 * is safe in exception handlers. Portable code (heap, fat16, module loader) logs only through
 * this header, so it also links on the host (tests/lib/kernel_stubs.c). */
#ifndef FLUID_KERNEL_LOG_H
#define FLUID_KERNEL_LOG_H

#include <stdarg.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Prints "panic: <message>" with the caller's address, then stops the machine: exits QEMU
 * with the failure status where the debug-exit device exists, else halts. For broken kernel
 * invariants only, never for bad input from a disk or a module. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
