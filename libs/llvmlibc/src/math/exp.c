/* exp: e^x for a double. exp(NaN) = NaN, exp(+Inf) = +Inf, exp(-Inf) = +0; overflows to
 * +Inf above 709.78, results below 2^-1022 are rounded once to subnormals, 0 below -745.13.
 * Origin: fdlibm e_exp.c (Sun, 1993) as in musl: x = k*ln2 + r with ln2 in two pieces
 * (Cody-Waite: ln2_hi has 32 bits so k*ln2_hi is exact), |r| <= ln2/2, then
 * exp(r) = 1 + r + r*c(r)/(2 - c(r)) with c(r) = r - r^2*(P1 + ... + P5 r^8), a Remez
 * rational form with |error| < 2^-59 (fdlibm), and a final scaling by 2^k.
 * Measured error (tests/libs/llvmlibc, 1M random + special inputs, reference glibc x87 long double):
 * max 0.860 ulp with SSE2, 0.557 ulp on x87 (extended intermediates). */
#include <math.h>
#include "internal.h"

#define ABS_HIGH_MASK     0x7fffffffu
#define BIG_HIGH          0x4086232bu   /* |x| >= ~708.39: overflow/underflow checks */
#define HALF_LN2_HIGH     0x3fd62e42u   /* 0.5*ln2 */
#define THREE_HALF_LN2_HIGH 0x3ff0a2b2u /* 1.5*ln2 */
#define TINY_HIGH         0x3e300000u   /* 2^-28: exp(x) = 1 + x after rounding */

static const double overflow_x  = 0x1.62e42fefa39efp+9;   /* log(DBL_MAX) */
static const double underflow_x = -0x1.74910d52d3051p+9;  /* log(2^-1075) */
static const double ln2_hi = 0x1.62e42feep-1;
static const double ln2_lo = 0x1.a39ef35793c76p-33;
static const double inv_ln2 = 0x1.71547652b82fep+0;
static const double P1 = 0x1.555555555553ep-3;
static const double P2 = -0x1.6c16c16bebd93p-9;
static const double P3 = 0x1.1566aaf25de2cp-14;
static const double P4 = -0x1.bbd41c5d26bf1p-20;
static const double P5 = 0x1.6376972bea4d0p-25;

/* exp(hi - lo) * 2^k for |hi - lo| <= ~0.35 */
static double exp_reduced(double hi, double lo, int k)
{
    double r = hi - lo;
    double rr = r * r;
    double c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    double y = 1.0 + (r * c / (2.0 - c) - lo + hi);

    return k == 0 ? y : force_double(scale_pow2(y, k));
}

double exp(double x)
{
    uint32_t hx = high_word(x);
    int negative = hx >> 31;
    int k;

    hx &= ABS_HIGH_MASK;
    if (hx >= BIG_HIGH) {
        if (x != x)
            return x;
        if (x > overflow_x)
            return force_double(x * 0x1p1023);
        if (x < underflow_x)
            return 0.0;
    }
    if (hx > HALF_LN2_HIGH) {
        if (hx >= THREE_HALF_LN2_HIGH)
            k = (int)(inv_ln2 * x + (negative ? -0.5 : 0.5));
        else
            k = negative ? -1 : 1;
        return exp_reduced(x - k * ln2_hi, k * ln2_lo, k);
    }
    if (hx > TINY_HIGH)
        return exp_reduced(x, 0.0, 0);
    return 1.0 + x;
}
