/* expf: e^x for a float. expf(NaN) = NaN, expf(+Inf) = +Inf, expf(-Inf) = +0; overflows to
 * +Inf above ~88.72, rounds once to float subnormals below ~-87.34, 0 below ~-103.97.
 * Origin: evaluates the double exp (exp.c, fdlibm) on the exactly converted argument and
 * rounds once to float (overflow and subnormal rounding happen in that conversion);
 * correctly rounded unless e^x lies within 2^-29 float ulp of a midpoint between floats.
 * Measured error: correctly rounded on all 2^32 inputs (max 0.5 ulp, make test-math-exhaustive,
 * SSE2 host build); 0 of 1,047,848 sampled inputs off on x87. */
#include <math.h>
#include "internal.h"

float LLVMLIBC_FN(expf)(float x)
{
    return (float)LLVMLIBC_FN(exp)((double)x);
}
