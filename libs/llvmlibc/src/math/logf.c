/* logf: natural logarithm of a float. logf(+-0) = -Inf, logf(x < 0) = NaN,
 * logf(+Inf) = +Inf, logf(1) = +0.
 * Origin: evaluates the double log (log.c, fdlibm) on the exactly converted argument and
 * rounds once to float; correctly rounded unless log(x) lies within 2^-29 float ulp of a
 * midpoint between floats. Float subnormals are normal doubles, so no prescaling happens.
 * Measured error: 0.5 ulp, 0 of 1,047,848 sampled inputs not correctly rounded (SSE2 and x87);
 * exhaustive figures in docs/llvmlibc.md. */
#include <math.h>
#include "internal.h"

float LLVMLIBC_FN(logf)(float x)
{
    return (float)LLVMLIBC_FN(log)((double)x);
}
