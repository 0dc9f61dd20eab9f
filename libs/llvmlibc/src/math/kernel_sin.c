/* __llvmlibc_kernel_sin: sin(x + y) for |x| <= ~pi/4, y a tail below half an ulp of x
 * (y_is_nonzero = 0 lets the caller skip the tail term).
 * Origin: fdlibm k_sin.c (Sun, 1993) as in musl's __sin.c: sin(x) = x + S1*x^3 + ... + S6*x^13,
 * a Remez minimax polynomial with |error| <= 2^-58 on [0, pi/4]; the tail enters through
 * sin(x+y) ~ sin(x) + y*(1 - x^2/2). Coefficients are fdlibm's, bit for bit. */
#include "internal.h"

static const double S1 = -0x1.5555555555549p-3;
static const double S2 = 0x1.111111110f8a6p-7;
static const double S3 = -0x1.a01a019c161d5p-13;
static const double S4 = 0x1.71de357b1fe7dp-19;
static const double S5 = -0x1.ae5e68a2b9cebp-26;
static const double S6 = 0x1.5d93a5acfd57cp-33;

double __llvmlibc_kernel_sin(double x, double y, int y_is_nonzero)
{
    double z = x * x;
    double w = z * z;
    double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    double v = z * x;

    if (!y_is_nonzero)
        return x + v * (S1 + z * r);
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}
