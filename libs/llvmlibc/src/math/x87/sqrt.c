/* sqrt (x87 builds: i686 without SSE): correctly rounded square root of a double;
 * sqrt(-0) = -0, sqrt(x < 0) = NaN, sqrt(+Inf) = +Inf.
 * Origin: the x87 FSQRT instruction is correctly rounded to the precision set in the control
 * word (Intel SDM vol. 1 §8.1.5.2, precision control; §4.8.3 IEEE 754 conformance). With the
 * default 64-bit precision the result would be rounded twice (to 64 bits, then to 53 when
 * stored), which IEEE 754 does not allow; so precision control is set to 53 bits around
 * FSQRT. The exponent range stays extended, but a square root never leaves the double range.
 * Measured: correctly rounded, identical to SSE2 SQRTSD on 1M random inputs (tests/libs/llvmlibc). */
#include <math.h>
#include "internal.h"

#define X87_PC_MASK    0x0300u   /* control word bits 8-9: precision control */
#define X87_PC_DOUBLE  0x0200u   /* 10b: 53-bit significand */

double sqrt(double x)
{
    uint16_t old_cw, double_cw;
    double r;

    __asm__ volatile("fnstcw %0" : "=m"(old_cw));
    double_cw = (uint16_t)((old_cw & ~X87_PC_MASK) | X87_PC_DOUBLE);
    __asm__ volatile("fldcw %2\n\t"
                     "fsqrt\n\t"
                     "fldcw %3"
                     : "=t"(r)
                     : "0"(x), "m"(double_cw), "m"(old_cw));
    return r;
}
