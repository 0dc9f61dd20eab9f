/* Host stand-ins for the kernel's logging (kernel/core/log.h, contract in kernel_stubs.h), so
 * portable kernel code (heap, fat16, module loader) links into host tests. Log lines go to
 * stderr and into a buffer tests read back; panic() aborts, which the test runner reports as
 * a failure of the binary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "kernel/core/log.h"
#include "tests/lib/kernel_stubs.h"

static char log_text[STUB_LOG_BYTES];
static size_t log_len;

void stub_log_reset(void)
{
    log_len = 0;
    log_text[0] = '\0';
}

const char *stub_log(void)
{
    return log_text;
}

void kvprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    vfprintf(stderr, fmt, copy);
    va_end(copy);
    size_t room = sizeof log_text - log_len;
    int n = vsnprintf(log_text + log_len, room, fmt, ap);
    if (n > 0)
        log_len += (size_t)n < room ? (size_t)n : room - 1;
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
