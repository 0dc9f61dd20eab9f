/* sqrt (SSE2 builds: i686-sse2, x86-64, host): correctly rounded square root of a double;
 * sqrt(-0) = -0, sqrt(x < 0) = NaN, sqrt(+Inf) = +Inf.
 * Origin: SQRTSD is an IEEE 754 correctly rounded square root (Intel SDM vol. 2B, SQRTSD).
 * Measured: correctly rounded (the same instruction tests/libs/llvmlibc checks x87 sqrt against). */
#include <math.h>
#include "internal.h"

double sqrt(double x)
{
    double r;

    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
    return r;
}
