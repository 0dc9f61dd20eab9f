/* __llvmlibc_kernel_cos: cos(x + y) for |x| <= ~pi/4, y a tail below half an ulp of x.
 * Origin: fdlibm k_cos.c (Sun, 1993) as in musl's __cos.c: cos(x) = 1 - x^2/2 + C1*x^4 + ...
 * + C6*x^14, Remez minimax with |error| <= 2^-58 on [0, pi/4]. 1 - x^2/2 is formed as w plus
 * its rounding error ((1 - w) - x^2/2) so the result stays within one rounding; the tail
 * enters as -x*y. Coefficients are fdlibm's, bit for bit. */
#include "internal.h"

static const double C1 = 0x1.555555555554cp-5;
static const double C2 = -0x1.6c16c16c15177p-10;
static const double C3 = 0x1.a01a019cb1590p-16;
static const double C4 = -0x1.27e4f809c52adp-22;
static const double C5 = 0x1.1ee9ebdb4b1c4p-29;
static const double C6 = -0x1.8fae9be8838d4p-37;

double __llvmlibc_kernel_cos(double x, double y)
{
    double z = x * x;
    double w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;

    w = force_double(1.0 - hz);
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}
