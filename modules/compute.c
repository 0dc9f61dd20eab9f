/* compute: integer ALU work, branchy: the Collatz stopping times of 1..2500 (OEIS A006577),
 * their total and maximum. Division-free inner loop (n/2 as a shift, 3n+1 as adds).
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define COMPUTE_LIMIT 2500

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0xac2409f3, 0);

static uint32_t collatz_steps(uint32_t n)
{
    uint32_t steps = 0;
    while (n != 1) {
        n = (n & 1) ? n + n + n + 1 : n >> 1;
        steps++;
    }
    return steps;
}

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
