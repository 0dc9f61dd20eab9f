/* sqrtf (SSE2 builds: i686-sse2, x86-64, host): correctly rounded square root of a float;
 * sqrtf(-0) = -0, sqrtf(x < 0) = NaN, sqrtf(+Inf) = +Inf.
 * Origin: SQRTSS is an IEEE 754 correctly rounded square root (Intel SDM vol. 2B, SQRTSS).
 * Measured error: 0 ulp (exact), exhaustive over all 2^32 inputs in make test-math-exhaustive. */
#include <math.h>
#include "internal.h"

float LLVMLIBC_FN(sqrtf)(float x)
{
    float r;

    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
}
