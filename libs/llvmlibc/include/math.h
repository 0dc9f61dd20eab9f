/* libs/llvmlibc math functions, usable from freestanding code (-nostdinc -ffreestanding).
 * Special values follow ISO C11 Annex F (IEC 60559); errno is never set. Measured accuracy
 * (round to nearest) is recorded at the top of each source file and in docs/llvmlibc.md:
 * every function is within 1 ULP, sqrt/sqrtf/fabs/fabsf are exact.
 * Under LLVMLIBC_HOST_TEST the names carry an llvmlibc_ prefix (see llvmlibc_defs.h) and
 * the classification macros are left to the host's <math.h>. */
#ifndef FLUID_LLVMLIBC_MATH_H
#define FLUID_LLVMLIBC_MATH_H

#include "llvmlibc_defs.h"

#ifndef LLVMLIBC_HOST_TEST
#define INFINITY  __builtin_inff()
#define NAN       __builtin_nanf("")
#define HUGE_VAL  __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()
#define isnan(x)    __builtin_isnan(x)
#define isinf(x)    __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x)  __builtin_signbit(x)
#endif

float LLVMLIBC_FN(sinf)(float x);
float LLVMLIBC_FN(cosf)(float x);
float LLVMLIBC_FN(expf)(float x);
float LLVMLIBC_FN(logf)(float x);
float LLVMLIBC_FN(sqrtf)(float x);
float LLVMLIBC_FN(fabsf)(float x);
float LLVMLIBC_FN(powf)(float x, float y);

double LLVMLIBC_FN(sin)(double x);
double LLVMLIBC_FN(cos)(double x);
double LLVMLIBC_FN(exp)(double x);
double LLVMLIBC_FN(log)(double x);
double LLVMLIBC_FN(sqrt)(double x);
double LLVMLIBC_FN(fabs)(double x);

#endif
