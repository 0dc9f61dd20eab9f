/* cosf: cosine of a float, any finite argument; cosf(+-0) = 1, cosf(+-Inf) = NaN.
 * Origin: evaluates the double cos (cos.c: fdlibm kernels, exact Payne-Hanek reduction) on
 * the exactly converted argument and rounds once to float; correctly rounded unless cos(x)
 * lies within 2^-29 float ulp of a midpoint between floats.
 * Measured error: 0.5 ulp, 0 of 2^32 inputs not correctly rounded (SSE2 and x87, exhaustive);
 * exhaustive figures in docs/llvmlibc.md. The 4 hard cases of the exhaustive sweep (SSE2 build,
 * `make test-math-exhaustive FUNCS=cosf`) are answered from a table: correctly rounded on all
 * 2^32 inputs there. */
#include <math.h>
#include "internal.h"

static const struct float_hard_case hard_cases[] = {
    {0x5f18b878, 0x3f7f14bb},
    {0x6115cb11, 0x3f78142f},
    {0xdf18b878, 0x3f7f14bb},
    {0xe115cb11, 0x3f78142f},
};

float cosf(float x)
{
    float r;
    if (float_hard_case(x, hard_cases, sizeof hard_cases / sizeof hard_cases[0], &r))
        return r;
    return (float)cos((double)x);
}
