/* sin: sine of a double, any finite argument; sin(+-0) = +-0, sin(+-Inf) = NaN.
 * Origin: fdlibm s_sin.c structure (Sun, 1993): |x| <= pi/4 straight to the minimax kernel,
 * otherwise reduce mod pi/2 (rem_pio2.c: Cody-Waite below 2^20*pi/2, Payne-Hanek above) and
 * pick sin/cos kernel and sign by the quadrant.
 * Measured error (tests/libs/llvmlibc, 1M random + special inputs, reference glibc x87 long double):
 * max 0.783 ulp with SSE2, 0.543 ulp on x87; 0.500 ulp next to multiples of pi/2. */
#include <math.h>
#include "internal.h"

#define ABS_HIGH_MASK   0x7fffffffu
#define PIO4_HIGH       0x3fe921fbu   /* high word of pi/4 */
#define TINY_HIGH       0x3e500000u   /* 2^-26: sin(x) rounds to x below it */
#define INF_NAN_HIGH    0x7ff00000u

double sin(double x)
{
    uint32_t ix = high_word(x) & ABS_HIGH_MASK;
    double y[2];

    if (ix <= PIO4_HIGH) {
        if (ix < TINY_HIGH)
            return x;
        return __llvmlibc_kernel_sin(x, 0.0, 0);
    }
    if (ix >= INF_NAN_HIGH)
        return x - x;
    switch (__llvmlibc_rem_pio2(x, y) & 3) {
    case 0:  return __llvmlibc_kernel_sin(y[0], y[1], 1);
    case 1:  return __llvmlibc_kernel_cos(y[0], y[1]);
    case 2:  return -__llvmlibc_kernel_sin(y[0], y[1], 1);
    default: return -__llvmlibc_kernel_cos(y[0], y[1]);
    }
}
