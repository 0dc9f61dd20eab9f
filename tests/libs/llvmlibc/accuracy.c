/* Accuracy measurement for libs/llvmlibc (see accuracy.h): ULP error against glibc's long
 * double functions and correct-rounding counts. Used by test_llvmlibc_math.c (sampled) and
 * exhaustive.c (all 2^32 floats). */
#include <float.h>
#include <math.h>
#include <string.h>
#include "tests/libs/llvmlibc/accuracy.h"
#include "tests/lib/llvmlibc_host.h"

const struct acc_f1_case acc_f1_cases[] = {
    {"sinf", llvmlibc_sinf, sinl},
    {"cosf", llvmlibc_cosf, cosl},
    {"expf", llvmlibc_expf, expl},
    {"logf", llvmlibc_logf, logl},
    {"sqrtf", llvmlibc_sqrtf, sqrtl},
    {"fabsf", llvmlibc_fabsf, fabsl},
    {NULL, NULL, NULL},
};

const struct acc_f1_case *acc_find_f1(const char *name)
{
    for (const struct acc_f1_case *c = acc_f1_cases; c->name; c++) {
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

void acc_init(struct acc_stats *st)
{
    memset(st, 0, sizeof *st);
}

void acc_merge(struct acc_stats *into, const struct acc_stats *from)
{
    if (from->max_ulp > into->max_ulp) {
        into->max_ulp = from->max_ulp;
        into->worst_bits = from->worst_bits;
        into->worst_x = from->worst_x;
    }
    if (from->not_cr && !into->not_cr)
        into->first_not_cr = from->first_not_cr;
    into->tested += from->tested;
    into->not_cr += from->not_cr;
}

/* ULP of a value of magnitude |y| in a format with `mant` fraction bits and minimum normal
 * exponent `emin`: 2^(max(e, emin) - mant). */
static long double ulp_of(long double y, int mant, int emin)
{
    int e;

    if (y == 0)
        return ldexpl(1.0L, emin - mant);
    frexpl(fabsl(y), &e);
    e -= 1;
    return ldexpl(1.0L, (e < emin ? emin : e) - mant);
}

/* Shared by both precisions: NaN and Inf agreement, else the scaled difference. */
static double ulp_err(long double got, long double exact, long double max_finite, int mant,
                      int emin)
{
    if (isnan(exact) || isnan(got))
        return isnan(exact) && isnan(got) ? 0.0 : INFINITY;
    if (isinf(got) || isinf(exact)) {
        long double e = fabsl(exact), limit = max_finite + ulp_of(max_finite, mant, emin) / 2;
        if (isinf(got) && signbit(got) == signbit(exact) && e >= limit)
            return 0.0;                     /* correctly overflowed */
        if (isinf(got) || isinf(exact))
            return INFINITY;
    }
    return (double)(fabsl(got - exact) / ulp_of(exact, mant, emin));
}

double acc_ulp_f(float got, long double exact)
{
    return ulp_err(got, exact, FLT_MAX, FLT_MANT_DIG - 1, FLT_MIN_EXP - 1);
}

double acc_ulp_d(double got, long double exact)
{
    return ulp_err(got, exact, DBL_MAX, DBL_MANT_DIG - 1, DBL_MIN_EXP - 1);
}

static int same_float(float a, float b)
{
    uint32_t ua, ub;

    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    return ua == ub;
}

void acc_check_f1(const struct acc_f1_case *c, float x, struct acc_stats *st)
{
    volatile float got = c->ours(x);      /* volatile: drop x87 excess precision */
    long double exact = c->ref((long double)x);
    volatile float rounded = (float)exact;
    double err = acc_ulp_f(got, exact);
    uint32_t bits;

    memcpy(&bits, &x, sizeof bits);
    st->tested++;
    if (err > st->max_ulp) {
        st->max_ulp = err;
        st->worst_bits = bits;
        st->worst_x = x;
    }
    if (!same_float(got, rounded)) {
        if (!st->not_cr)
            st->first_not_cr = bits;
        st->not_cr++;
    }
}

void acc_sweep_f1(const struct acc_f1_case *c, uint64_t first, uint64_t end, uint64_t stride,
                  struct acc_stats *st)
{
    for (uint64_t b = first; b < end; b += stride) {
        uint32_t bits = (uint32_t)b;
        float x;

        memcpy(&x, &bits, sizeof x);
        acc_check_f1(c, x, st);
    }
}

void acc_check_d1(acc_d1 ours, acc_ref1 ref, double x, struct acc_stats *st)
{
    volatile double got = ours(x);
    double err = acc_ulp_d(got, ref((long double)x));

    st->tested++;
    if (err > st->max_ulp) {
        st->max_ulp = err;
        st->worst_x = x;
    }
}
