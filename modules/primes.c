/* primes: sieve of Eratosthenes up to 100000 over a byte array; pi(10^5) = 9592
 * (OEIS A006880). Returns the count when the sum of the primes also matches 454396537
 * (OEIS A046731), else the count with the top bit set. */
#include <fluid_module.h>

#define PRIMES_LIMIT    100000
#define PRIMES_SUM      454396537u

/* ODD: 1 = sieve the odd numbers only (flag i stands for 2i + 1; 2 is counted apart): half
 * the memory and no work on even numbers. The same primes either way. */
#ifndef ODD
#define ODD 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(9592, 0);
FLUID_PARAM(ODD, 0, 0, 1);

#if ODD
#define PRIMES_ODD_FLAGS (PRIMES_LIMIT / 2 + 1)
static uint8_t composite[PRIMES_ODD_FLAGS];    /* (PRIMES_ODD_FLAGS): is 2i + 1 composite */

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t count = 1, sum = 2;                   /* the prime 2 */
    for (uint32_t i = 0; i < PRIMES_ODD_FLAGS; i++)
        composite[i] = 0;
    for (uint32_t p = 3; p * p <= PRIMES_LIMIT; p += 2)
        if (!composite[p / 2])
            for (uint32_t m = p * p; m <= PRIMES_LIMIT; m += 2 * p)
                composite[m / 2] = 1;
    for (uint32_t p = 3; p <= PRIMES_LIMIT; p += 2)
        if (!composite[p / 2])
            count++, sum += p;
    return sum == PRIMES_SUM ? count : count | 0x80000000u;
}
#else
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
#endif
