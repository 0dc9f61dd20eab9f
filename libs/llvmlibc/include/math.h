/* libs/llvmlibc math functions, usable from freestanding code (-nostdinc -ffreestanding).
 * Special values follow ISO C11 Annex F (IEC 60559); errno is never set. Measured accuracy
 * (round to nearest) is recorded at the top of each source file and in docs/llvmlibc.md:
 * every function is within 1 ULP, sqrt/sqrtf/fabs/fabsf are exact.
 * The host test builds rename the functions (llvmlibc_sinf, ...;
 * tests/lib/llvmlibc_host_names.h). */
#ifndef FLUID_LLVMLIBC_MATH_H
#define FLUID_LLVMLIBC_MATH_H

/* The constants and classification macros, unless the C library's <math.h> has defined them
 * already (host tests include it first, see tests/lib/llvmlibc_host.h). */
#ifndef INFINITY
#define INFINITY  __builtin_inff()
#define NAN       __builtin_nanf("")
#define HUGE_VAL  __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()
#define isnan(x)    __builtin_isnan(x)
#define isinf(x)    __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x)  __builtin_signbit(x)
#endif

float sinf(float x);
float cosf(float x);
float expf(float x);
float logf(float x);
float sqrtf(float x);
float fabsf(float x);
float powf(float x, float y);

double sin(double x);
double cos(double x);
double exp(double x);
double log(double x);
double sqrt(double x);
double fabs(double x);

#endif
