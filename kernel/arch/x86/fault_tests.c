/* The deliberate faults of the `test=divide-error` and `test=stack-overflow` options
 * (kernel/core/arch.h), the same for both kernels: DIV with a 32-bit operand is valid in long mode. */
#include "kernel/core/arch.h"

/* Executes DIV with a zero divisor (in asm: the compiler folds 1u / x into a compare). */
void arch_test_divide_error(void)
{
    uint32_t zero = 0, q, r;
    __asm__ volatile("divl %2" : "=a"(q), "=d"(r) : "r"(zero), "a"(1u), "d"(0u));
    (void)q;
    (void)r;
}

/* Recurses without bound; the frame buffer keeps each level large and the compiler from
 * turning the recursion into a loop. */
__attribute__((noinline)) static uint32_t recurse(volatile uint32_t depth)
{
    volatile uint8_t frame[256];
    frame[0] = (uint8_t)depth;
    if (depth == UINT32_MAX)          /* never: hides the recursion from -Winfinite-recursion */
        return frame[0];
    return recurse(depth + 1) + frame[0];
}

void arch_test_stack_overflow(void)
{
    (void)recurse(0);
}
