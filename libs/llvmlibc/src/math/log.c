/* log: natural logarithm of a double. log(+-0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf,
 * log(1) = +0, subnormals handled by prescaling with 2^54.
 * Origin: fdlibm e_log.c (Sun, 1993) as in musl: x = 2^k * (1 + f) with 1 + f in
 * [sqrt(2)/2, sqrt(2)); log(1 + f) = f - f^2/2 + s*(f^2/2 + R(s^2)), s = f/(2 + f), R a Remez
 * minimax polynomial (Lg1..Lg7) with |error| < 2^-58.45; k*ln2 in two pieces (ln2_hi has
 * 32 bits so k*ln2_hi is exact).
 * Measured error (tests/libs/llvmlibc, 1M random + special inputs, reference glibc x87 long double):
 * max 0.835 ulp with SSE2, 0.511 ulp on x87 (extended intermediates). */
#include <math.h>
#include "internal.h"

#define MIN_NORMAL_HIGH  0x00100000u   /* high word of DBL_MIN */
#define INF_NAN_HIGH     0x7ff00000u
#define ONE_HIGH         0x3ff00000u
#define SQRT_HALF_HIGH   0x3fe6a09eu   /* high word of sqrt(2)/2 */
#define HIGH_MANT_MASK   0x000fffffu
#define SUBNORMAL_SCALE_BITS 54

static const double ln2_hi = 0x1.62e42feep-1;
static const double ln2_lo = 0x1.a39ef35793c76p-33;
static const double Lg1 = 0x1.5555555555593p-1;
static const double Lg2 = 0x1.999999997fa04p-2;
static const double Lg3 = 0x1.2492494229359p-2;
static const double Lg4 = 0x1.c71c51d8e78afp-3;
static const double Lg5 = 0x1.7466496cb03dep-3;
static const double Lg6 = 0x1.39a09d078c69fp-3;
static const double Lg7 = 0x1.2f112df3e5244p-3;

/* log(2^k * m) for m = 1 + f in [sqrt(2)/2, sqrt(2)) */
static double log_reduced(double m, int k)
{
    double f = m - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double dk = k;

    return s * (hfsq + t1 + t2) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

double log(double x)
{
    uint64_t u = asuint64(x);
    uint32_t hx = (uint32_t)(u >> 32);
    int k = 0;

    if (hx < MIN_NORMAL_HIGH || hx >> 31) {
        if ((u << 1) == 0)
            return -1.0 / (x * x);           /* -Inf, divide-by-zero */
        if (hx >> 31)
            return (x - x) / (x - x);        /* NaN, invalid */
        k -= SUBNORMAL_SCALE_BITS;
        x *= 0x1p54;
        u = asuint64(x);
        hx = (uint32_t)(u >> 32);
    } else if (hx >= INF_NAN_HIGH) {
        return x;
    } else if (hx == ONE_HIGH && (uint32_t)u == 0) {
        return 0.0;
    }
    /* move the exponent so the mantissa lands in [sqrt(2)/2, sqrt(2)) */
    hx += ONE_HIGH - SQRT_HALF_HIGH;
    k += (int)(hx >> 20) - F64_EXP_BIAS;
    hx = (hx & HIGH_MANT_MASK) + SQRT_HALF_HIGH;
    return log_reduced(asdouble((uint64_t)hx << 32 | (uint32_t)u), k);
}
