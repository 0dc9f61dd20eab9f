/* Accuracy measurement shared by the libs/llvmlibc tests, the exhaustive sweep and nothing
 * else: error in ULP of our float/double results against glibc's x87 long double functions
 * (64-bit significand, errors of a few long double ulps = ~2^-38 float ulp), and whether the
 * float result equals the correctly rounded one. The float reference is the long double
 * result rounded once to float. */
#ifndef FLUID_LLVMLIBC_ACCURACY_H
#define FLUID_LLVMLIBC_ACCURACY_H

#include <stdint.h>

typedef float (*acc_f1)(float);
typedef long double (*acc_ref1)(long double);
typedef double (*acc_d1)(double);

/* One float function of one argument and its reference. */
struct acc_f1_case {
    const char *name;
    acc_f1 ours;
    acc_ref1 ref;
};

/* Statistics of one sweep; merge per-thread copies with acc_merge. */
struct acc_stats {
    double max_ulp;          /* largest error in ULP seen (Inf for a wrong special value) */
    uint32_t worst_bits;     /* input bits of the largest error (float sweeps) */
    double worst_x;          /* input of the largest error (double checks) */
    uint64_t tested;
    uint64_t not_cr;         /* float results differing from the correctly rounded one */
    uint32_t first_not_cr;   /* input bits of one such result, when not_cr > 0 */
};

/* The one-argument float functions under test, a terminated table (name NULL). */
extern const struct acc_f1_case acc_f1_cases[];

const struct acc_f1_case *acc_find_f1(const char *name);
void acc_init(struct acc_stats *st);
void acc_merge(struct acc_stats *into, const struct acc_stats *from);

/* Error of a float result in ULP of the exact value (0 for matching NaN / Inf). */
double acc_ulp_f(float got, long double exact);
/* Error of a double result in ULP of the exact value. */
double acc_ulp_d(double got, long double exact);

/* Check inputs bits = first, first + stride, ... < end (64-bit so end may be 2^32). */
void acc_sweep_f1(const struct acc_f1_case *c, uint64_t first, uint64_t end, uint64_t stride,
                  struct acc_stats *st);
/* Check one float input / one double input. */
void acc_check_f1(const struct acc_f1_case *c, float x, struct acc_stats *st);
void acc_check_d1(acc_d1 ours, acc_ref1 ref, double x, struct acc_stats *st);

#endif
