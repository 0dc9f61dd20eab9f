/* Helpers private to libs/llvmlibc: bit casts between floats and integers, forcing a value to
 * double precision on x87, and powers of two. Header-only, freestanding. */
#ifndef FLUID_LLVMLIBC_INTERNAL_H
#define FLUID_LLVMLIBC_INTERNAL_H

#include <stdint.h>

#define F32_SIGN_MASK  0x80000000u
#define F32_EXP_MASK   0x7f800000u   /* all-ones exponent: Inf or NaN */
#define F32_MANT_BITS  23
#define F64_SIGN_MASK  0x8000000000000000ull
#define F64_EXP_BIAS   1023
#define F64_MANT_BITS  52

static inline uint32_t asuint(float f)
{
    uint32_t u;
    __builtin_memcpy(&u, &f, sizeof u);
    return u;
}

static inline float asfloat(uint32_t u)
{
    float f;
    __builtin_memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint64_t asuint64(double d)
{
    uint64_t u;
    __builtin_memcpy(&u, &d, sizeof u);
    return u;
}

static inline double asdouble(uint64_t u)
{
    double d;
    __builtin_memcpy(&d, &u, sizeof d);
    return d;
}

/* Hard cases (CORE-MATH's term): inputs whose exact result lies so close to a midpoint
 * between two floats that rounding the double result gives the wrong float. Each function
 * lists the ones the exhaustive sweep found, with the correctly rounded result checked with
 * MPFR at 200 bits; returns true and sets *out for a listed input. */
struct float_hard_case {
    uint32_t input, result;     /* bit patterns */
};

static inline int float_hard_case(float x, const struct float_hard_case *cases, unsigned n,
                                  float *out)
{
    uint32_t u = asuint(x);
    for (unsigned i = 0; i < n; i++) {
        if (cases[i].input == u) {
            *out = asfloat(cases[i].result);
            return 1;
        }
    }
    return 0;
}

/* High 32 bits of a double: sign, exponent and the top 20 mantissa bits (fdlibm's "hx"). */
static inline uint32_t high_word(double d)
{
    return (uint32_t)(asuint64(d) >> 32);
}

/* On x87 (FLT_EVAL_METHOD 2) intermediate doubles live in 80-bit registers; the algorithms
 * that compute a rounding error ((a - b) - c) need the value rounded to double first. A
 * volatile store does that (C11 §5.2.4.2.2p9: assignment removes excess precision, and clang
 * honours it only through memory). With SSE2 this is the identity. */
static inline double force_double(double x)
{
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 2
    volatile double v = x;
    return v;
#else
    return x;
#endif
}

/* 2^k as a double for a normal exponent, -1022 <= k <= 1023. */
static inline double pow2(int k)
{
    return asdouble((uint64_t)(k + F64_EXP_BIAS) << F64_MANT_BITS);
}

/* x * 2^k for -2200 < k < 2200 with a single rounding when the result is subnormal
 * (the scaling into the subnormal range is done last, in one multiply). */
static inline double scale_pow2(double x, int k)
{
    if (k > 1023) {
        x *= pow2(1023);
        k -= 1023;
        if (k > 1023) {
            x *= pow2(1023);
            k -= 1023;
            if (k > 1023)
                k = 1023;
        }
    } else if (k < -1022) {
        /* keep 53 bits of headroom so only the last multiply can round */
        x *= pow2(-1022 + 53);
        k += 1022 - 53;
        if (k < -1022) {
            x *= pow2(-1022 + 53);
            k += 1022 - 53;
            if (k < -1022)
                k = -1022;
        }
    }
    return x * pow2(k);
}

/* Range reduction and kernels shared by sin/cos/sinf/cosf (see their files). */
int __llvmlibc_rem_pio2(double x, double y[2]);
int __llvmlibc_rem_pio2_large(double x, double y[2]);
double __llvmlibc_kernel_sin(double x, double y, int y_is_nonzero);
double __llvmlibc_kernel_cos(double x, double y);

#endif
