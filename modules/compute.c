/* compute: integer ALU work, branchy: the Collatz stopping times of 1..2500 (OEIS A006577),
 * their total and maximum. Division-free inner loop (n/2 as a shift, 3n+1 as adds).
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define COMPUTE_LIMIT 2500

/* STEP: how the loop walks the sequence, every way counting the same steps.
 * 0: one step per iteration. 1: an odd n takes its step and the halving that must follow
 * (3n+1 is even) in one iteration. 2: as 1, and a run of halvings is one shift by the
 * number of trailing zero bits (BSF, present on every i686). */
#ifndef STEP
#define STEP 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0xac2409f3, 0);
FLUID_PARAM(STEP, 0, 0, 1, 2);

#if STEP == 0
static uint32_t collatz_steps(uint32_t n)
{
    uint32_t steps = 0;
    while (n != 1) {
        n = (n & 1) ? n + n + n + 1 : n >> 1;
        steps++;
    }
    return steps;
}
#elif STEP == 1
/* 3n+1 is never 1, so fusing it with the halving skips no 1. */
static uint32_t collatz_steps(uint32_t n)
{
    uint32_t steps = 0;
    while (n != 1) {
        if (n & 1)
            n = (n + n + n + 1) >> 1, steps += 2;
        else
            n >>= 1, steps++;
    }
    return steps;
}
#else
/* n is never 0 here, so __builtin_ctz is defined; n >> ctz(n) is odd, and is 1 only when the
 * sequence reached 1 through those halvings. */
static uint32_t collatz_steps(uint32_t n)
{
    uint32_t steps = 0, z = (uint32_t)__builtin_ctz(n);
    n >>= z, steps += z;
    while (n != 1) {
        n = n + n + n + 1;
        z = (uint32_t)__builtin_ctz(n);
        n >>= z, steps += 1 + z;
    }
    return steps;
}
#endif

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t total = 0, longest = 0, argmax = 0;
    for (uint32_t n = 1; n <= COMPUTE_LIMIT; n++) {
        uint32_t s = collatz_steps(n);
        total += s;
        if (s > longest)
            longest = s, argmax = n;
    }
    return total * 65599u + (longest << 16) + argmax;
}
