/* kprintf and panic (contract in log.h): format with format.c, write through console.c.
 * panic exits QEMU with the failure status (machine.h) or halts on real hardware. */
#include "kernel/core/log.h"

#include "kernel/core/console.h"
#include "kernel/core/format.h"
#include "kernel/core/machine.h"

static void emit_console(char c, void *ctx)
{
    (void)ctx;
    console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    fmt_vformat(emit_console, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    void *caller = __builtin_return_address(0);
    va_list ap;
    va_start(ap, fmt);
    kprintf("panic: ");
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf(" (called from %p)\n", caller);
    machine_exit(false);
}
