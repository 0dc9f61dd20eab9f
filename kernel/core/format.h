/* The kprintf formatting engine, free of I/O so it builds and is tested on the host
 * (tests/kernel/core/test_format.c compares it with the C library's snprintf); also the
 * llm engine's (kernel/llm), on Linux too.
 * Conversions: %s %c %d %i %u %x %X %p %f %%, length modifiers l, ll, z, a field width (digits
 * or '*'), flags '0' (zero padding) and '-' (left alignment). %p prints "0x" and the address
 * zero-padded to the pointer's width. An unknown conversion is printed as written, so a bad
 * format string shows up in the log instead of eating arguments; so is a precision on any
 * conversion but f.
 * %f takes a precision (digits or '*', default 6, at most 9: %.12f prints 9 decimals) and
 * prints as C does except: the fraction is rounded half up after scaling in double
 * arithmetic, so an exact tie rounds away from zero (%.0f of 2.5 is "3", C gives "2") and a
 * value within a rounding error of a tie may round either way; -0.0 prints without a sign;
 * magnitudes beyond 1.8e19 print as "inf"/"-inf", NaN as "nan". Freestanding i686 code
 * evaluates it on the x87 FPU (no SSE). */
#ifndef FLUID_KERNEL_FORMAT_H
#define FLUID_KERNEL_FORMAT_H

#include <stdarg.h>
#include <fluid/types.h>

/* Receives one output character. */
typedef void (*fmt_emit_fn)(char c, void *ctx);

/* Formats fmt with ap, calling emit for every character; returns the character count. */
size_t fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: writes at most size-1 characters and a NUL (if size > 0); returns the
 * length the full output would have had. */
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
