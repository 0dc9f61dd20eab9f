/* Guard self-test (contract in guardtest.h). Each case names the outcome and vector it must
 * produce; the last case returns normally again, proving the guard recovered cleanly. */
#include "kernel/bench/guardtest.h"

#include "kernel/core/arch.h"
#include "kernel/bench/guard.h"
#include "kernel/core/log.h"

#define GT_BUDGET_MS        20
#define GT_MAGIC_RESULT     0x600D600Du
#define GT_VECTOR_DE        0
#define GT_VECTOR_DF        8
#define GT_VECTOR_PF        14

static uint32_t gt_return(const void *arg)
{
    (void)arg;
    return GT_MAGIC_RESULT;
}

static uint32_t gt_divide(const void *arg)
{
    volatile uint32_t zero = (uint32_t)(uintptr_t)arg, one = 1;
    return one / zero;          /* both volatile: the compiler must emit the DIV */
}

static uint32_t gt_null(const void *arg)
{
    volatile const uint32_t *p = arg;   /* NULL: page 0 is unmapped */
    return *p;
}

static uint32_t gt_hang(const void *arg)
{
    (void)arg;
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static uint32_t gt_overflow(const void *arg)
{
    (void)arg;
    arch_test_stack_overflow();     /* recurses until the stack overflows: never returns */
    return 0;
}

struct gt_case {
    const char *name;
    uint32_t (*fn)(const void *arg);
    uint32_t budget_ms;
    enum guard_outcome want;
    uint32_t want_vector;
};

static const struct gt_case gt_cases[] = {
    {"return", gt_return, GT_BUDGET_MS, GUARD_OK, GUARD_VECTOR_NONE},
    {"divide-error", gt_divide, GT_BUDGET_MS, GUARD_FAULT, GT_VECTOR_DE},
    {"null-pointer", gt_null, GT_BUDGET_MS, GUARD_FAULT, GT_VECTOR_PF},
    {"hang", gt_hang, GT_BUDGET_MS, GUARD_TIMEOUT, GUARD_VECTOR_NONE},
    {"stack-overflow", gt_overflow, 0, GUARD_FAULT, GT_VECTOR_DF},
    {"return-again", gt_return, GT_BUDGET_MS, GUARD_OK, GUARD_VECTOR_NONE},
};

static bool gt_run(const struct gt_case *c)
{
    uint32_t result;
    struct guard_report r;
    enum guard_outcome got = guard_call(c->fn, NULL, c->budget_ms, &result, &r);
    bool ok = got == c->want && r.outcome == got && r.vector == c->want_vector &&
              (got != GUARD_OK || result == GT_MAGIC_RESULT);
    kprintf("guard-test: %s: outcome %s vector 0x%x eip 0x%08x result 0x%x ... %s\n", c->name,
            guard_outcome_name(got), r.vector, r.eip, result, ok ? "ok" : "FAILED");
    return ok;
}

bool guard_selftest(void)
{
    size_t passed = 0, n = sizeof gt_cases / sizeof gt_cases[0];
    for (size_t i = 0; i < n; i++)
        passed += gt_run(&gt_cases[i]);
    kprintf("guard-test: %zu of %zu cases behaved\n", passed, n);
    return passed == n;
}
