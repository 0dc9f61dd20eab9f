/* sinf: sine of a float, any finite argument; sinf(+-0) = +-0, sinf(+-Inf) = NaN.
 * Origin: evaluates the double sin (sin.c: fdlibm kernels, exact Payne-Hanek reduction) on
 * the exactly converted argument and rounds once to float. The double result is within one
 * double ulp (2^-29 float ulp), so the float is correctly rounded unless sin(x) lies within
 * 2^-29 ulp of a midpoint between floats (the CORE-MATH notion of a hard case).
 * Measured error: 0.5 ulp, 0 of 2^32 inputs not correctly rounded (SSE2 and x87, exhaustive);
 * exhaustive figures in docs/llvmlibc.md. The 2 hard cases of the exhaustive sweep (SSE2 build,
 * `make test-math-exhaustive FUNCS=sinf`) are answered from a table: correctly rounded on all
 * 2^32 inputs there. */
#include <math.h>
#include "internal.h"

static const struct float_hard_case hard_cases[] = {
    {0x46199998, 0xbeb1fa5d},
    {0xc6199998, 0x3eb1fa5d},
};

float sinf(float x)
{
    float r;
    if (float_hard_case(x, hard_cases, sizeof hard_cases / sizeof hard_cases[0], &r))
        return r;
    return (float)sin((double)x);
}
