/* primes: sieve of Eratosthenes up to 100000 over a byte array; pi(10^5) = 9592
 * (OEIS A006880). Returns the count when the sum of the primes also matches 454396537
 * (OEIS A046731), else the count with the top bit set. */
#include <fluid_module.h>

#define PRIMES_LIMIT    100000
#define PRIMES_SUM      454396537u

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(9592, 0);

static uint8_t composite[PRIMES_LIMIT + 1];    /* (PRIMES_LIMIT + 1) flags, in .bss */

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t count = 0, sum = 0;
    for (uint32_t i = 0; i <= PRIMES_LIMIT; i++)
        composite[i] = 0;
    for (uint32_t p = 2; p * p <= PRIMES_LIMIT; p++)
        if (!composite[p])
            for (uint32_t m = p * p; m <= PRIMES_LIMIT; m += p)
                composite[m] = 1;
    for (uint32_t p = 2; p <= PRIMES_LIMIT; p++)
        if (!composite[p])
            count++, sum += p;
    return sum == PRIMES_SUM ? count : count | 0x80000000u;
}
