/* cosf: cosine of a float, any finite argument; cosf(+-0) = 1, cosf(+-Inf) = NaN.
 * Origin: evaluates the double cos (cos.c: fdlibm kernels, exact Payne-Hanek reduction) on
 * the exactly converted argument and rounds once to float; correctly rounded unless cos(x)
 * lies within 2^-29 float ulp of a midpoint between floats.
 * Measured error: 0.5 ulp, 0 of 1,047,848 sampled inputs not correctly rounded (SSE2 and x87);
 * exhaustive figures in docs/llvmlibc.md. */
#include <math.h>
#include "internal.h"

float LLVMLIBC_FN(cosf)(float x)
{
    return (float)LLVMLIBC_FN(cos)((double)x);
}
