/* 64-bit division helpers the compiler calls on i686 (__udivdi3 and friends, as libgcc and
 * compiler-rt name them), since the freestanding kernel links no runtime library. Restoring
 * shift-subtract division: at most 64 iterations, exact for every input; division by zero
 * returns all ones rather than trapping, as callers check their divisors. */
#include <fluid/types.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    if (d == 0) {
        if (rem)
            *rem = n;
        return ~0ull;
    }
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << bit;
        }
    }
    if (rem)
        *rem = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    if ((n >> 32) == 0 && (d >> 32) == 0 && d != 0)
        return (uint32_t)n / (uint32_t)d;   /* one DIV instruction */
    return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    if ((n >> 32) == 0 && (d >> 32) == 0 && d != 0)
        return (uint32_t)n % (uint32_t)d;
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t q = __udivdi3(magnitude(n), magnitude(d));
    return (int64_t)(((n < 0) != (d < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r = __umoddi3(magnitude(n), magnitude(d));
    return (int64_t)(n < 0 ? 0 - r : r);
}
