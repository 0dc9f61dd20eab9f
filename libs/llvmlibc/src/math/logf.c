/* logf: natural logarithm of a float. logf(+-0) = -Inf, logf(x < 0) = NaN,
 * logf(+Inf) = +Inf, logf(1) = +0.
 * Origin: evaluates the double log (log.c, fdlibm) on the exactly converted argument and
 * rounds once to float; correctly rounded unless log(x) lies within 2^-29 float ulp of a
 * midpoint between floats. Float subnormals are normal doubles, so no prescaling happens.
 * Measured error: 0.5 ulp, 0 of 2^32 inputs not correctly rounded (SSE2 and x87, exhaustive);
 * exhaustive figures in docs/llvmlibc.md. The 5 hard cases of the exhaustive sweep (SSE2 build,
 * `make test-math-exhaustive FUNCS=logf`) are answered from a table: correctly rounded on all
 * 2^32 inputs there. */
#include <math.h>
#include "internal.h"

static const struct float_hard_case hard_cases[] = {
    {0x3c413d3a, 0xc08e158f},
    {0x4c5d65a5, 0x418f034b},
    {0x65d890d3, 0x4254d1f9},
    {0x6f31a8ec, 0x42845a89},
    {0x41178feb, 0x400fe5e7},
};

float logf(float x)
{
    float r;
    if (float_hard_case(x, hard_cases, sizeof hard_cases / sizeof hard_cases[0], &r))
        return r;
    return (float)log((double)x);
}
