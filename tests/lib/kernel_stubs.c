/* Host stand-ins for the kernel's logging (kernel/core/log.h), so portable kernel code (heap,
 * fat16, module loader) links into host tests. Log lines go to stderr; panic() aborts, which
 * the test runner reports as a failure of the binary. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/core/log.h"

void kvprintf(const char *fmt, va_list ap)
{
    vfprintf(stderr, fmt, ap);
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
    va_list ap;
    va_start(ap, fmt);
    fputs("panic: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
