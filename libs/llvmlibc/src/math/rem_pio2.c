/* __llvmlibc_rem_pio2: reduce x modulo pi/2 for sin/cos (and sinf/cosf through them).
 * Returns n (the caller uses n mod 4) and y[0] + y[1] = x - n*pi/2 with |y| <~ pi/4, y[1] a
 * tail below half an ulp of y[0]. NaN and Inf give n = 0 and y = NaN.
 * Origin: the Cody-Waite three-step reduction of fdlibm's e_rem_pio2.c (Sun, 1993), as
 * musl's __rem_pio2.c: pi/2 split in 33-bit pieces so n*piece is exact for |n| < 2^20; each
 * further step runs only when the previous one cancelled more than 16 (49) bits, giving 85,
 * 118 or 151 bits of pi/2. |x| >= 2^20*pi/2 goes to the Payne-Hanek path in
 * rem_pio2_large.c. Constants: pi/2 computed to 2200 bits, split as fdlibm does.
 * Measured: part of sin/cos, see sin.c. */
#include "internal.h"

#define ABS_HIGH_MASK     0x7fffffffu
#define INF_NAN_HIGH      0x7ff00000u   /* high word of +Inf */
#define MEDIUM_LIMIT_HIGH 0x413921fbu   /* high word of 2^20 * pi/2 */
#define HIGH_EXP_SHIFT    20
#define STEP2_CANCEL_BITS 16            /* fdlibm's thresholds for a 2nd and 3rd step */
#define STEP3_CANCEL_BITS 49

static const double invpio2 = 0x1.45f306dc9c883p-1;   /* 2/pi rounded */
static const double pio2_1  = 0x1.921fb544p+0;        /* first 33 bits of pi/2 */
static const double pio2_1t = 0x1.0b4611a626331p-34;  /* pi/2 - pio2_1 */
static const double pio2_2  = 0x1.0b4611a6p-34;       /* next 33 bits */
static const double pio2_2t = 0x1.3198a2e037073p-69;  /* pi/2 - pio2_1 - pio2_2 */
static const double pio2_3  = 0x1.3198a2ep-69;        /* next 33 bits */
static const double pio2_3t = 0x1.b839a252049c1p-104; /* pi/2 - pio2_1 - pio2_2 - pio2_3 */

static int biased_exponent(double d)
{
    return (int)((high_word(d) >> HIGH_EXP_SHIFT) & 0x7ff);
}

/* One Cody-Waite step: subtract fn*(piece + tail) from r; *w receives the part of the
 * product not yet taken off r (fdlibm's w), the return value is the new r. */
static double cw_step(double r, double fn, double piece, double tail, double *w)
{
    double t = r;
    double p = fn * piece;                  /* exact: fn < 2^20, piece has 33 bits */
    r = force_double(t - p);
    *w = fn * tail - ((t - r) - p);
    return r;
}

static int reduce_medium(double x, uint32_t ix, double y[2])
{
    double t = x * invpio2;
    int32_t n = (int32_t)(t < 0 ? t - 0.5 : t + 0.5);   /* nearest integer, |n| < 2^20 */
    double fn = (double)n;
    double r = x - fn * pio2_1;            /* exact (fdlibm) */
    double w = fn * pio2_1t;
    double y0 = force_double(r - w);
    int ex = (int)(ix >> HIGH_EXP_SHIFT);

    if (ex - biased_exponent(y0) > STEP2_CANCEL_BITS) {
        r = cw_step(r, fn, pio2_2, pio2_2t, &w);
        y0 = force_double(r - w);
        if (ex - biased_exponent(y0) > STEP3_CANCEL_BITS) {
            r = cw_step(r, fn, pio2_3, pio2_3t, &w);
            y0 = force_double(r - w);
        }
    }
    y[0] = y0;
    y[1] = (r - y0) - w;
    return n;
}

int __llvmlibc_rem_pio2(double x, double y[2])
{
    uint32_t ix = high_word(x) & ABS_HIGH_MASK;

    if (ix >= INF_NAN_HIGH) {
        y[0] = y[1] = x - x;
        return 0;
    }
    if (ix >= MEDIUM_LIMIT_HIGH)
        return __llvmlibc_rem_pio2_large(x, y);
    return reduce_medium(x, ix, y);
}
