/* fibonacci: naive doubly recursive Fibonacci, the classic call-heavy benchmark.
 * fib(22) = 17711 (OEIS A000045); the recursion makes 57313 calls per run. The result mixes in
 * fib(1..22) computed iteratively, so both the call path and the loop path are checked. */
#include <fluid_module.h>

#define FIB_N 22

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(17711, 0);

static uint32_t fib_recursive(uint32_t n)
{
    return n < 2 ? n : fib_recursive(n - 1) + fib_recursive(n - 2);
}

static uint32_t fib_iterative(uint32_t n)
{
    uint32_t a = 0, b = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t r = fib_recursive(FIB_N);
    /* A disagreement between the two methods poisons the answer. */
    return r == fib_iterative(FIB_N) ? r : r ^ 0x80000000u;
}
