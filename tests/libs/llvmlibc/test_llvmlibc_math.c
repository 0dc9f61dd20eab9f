/* Host tests of libs/llvmlibc math (built twice: 64-bit SSE2 with sanitizers, and 32-bit x87
 * like the kernel). Special values (Annex F) bit for bit; a sampled sweep of every float
 * function (every 4099th input of all 2^32 plus special inputs) with max ULP error and count
 * of results not correctly rounded; powf over a special grid and random pairs; the double
 * functions on random and special inputs. References: glibc x87 long double (accuracy.c). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "tests/lib/check.h"
#include "tests/libs/llvmlibc/accuracy.h"
#include "tests/lib/llvmlibc_host.h"

#define SAMPLE_STRIDE   4099u            /* prime: hits every exponent and mantissa pattern */
#define ALL_FLOATS      (1ull << 32)
#define RANDOM_DOUBLES  1000000
#define RANDOM_POW      1000000
#define MAX_ULP         1.0              /* the bound for every function */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)                /* xorshift64 (Marsaglia 2003), fixed seed */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rng_uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng() >> 11) * 0x1p-53;
}

static int same_bits_f(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_bits_d(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static const float special_f[] = {
    0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1.0f, -1.0f, 0.5f, -0.5f, 2.0f, -2.0f, 3.0f, -3.0f,
    1.5f, -1.5f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, 0x1p-149f, -0x1p-149f, 0x1.fffffcp-127f,
    88.72283f, 88.72284f, -87.33654f, -103.97208f, -103.97209f, -104.0f, 1e-30f, 3.14159274f,
    1.57079637f, 0.785398185f, 1e10f, 1e20f, 1e38f, 0x1p-126f, 123456.789f, 0.1f, 10.0f,
};
#define N_SPECIAL_F (sizeof special_f / sizeof special_f[0])

static const double special_d[] = {
    0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 0.5, 2.0, DBL_MIN, -DBL_MIN, DBL_MAX,
    -DBL_MAX, 0x1p-1074, -0x1p-1074, 0x1p-1060, 709.782712893384, 709.79, -708.39641853226410622,
    -745.1332191019411, -745.14, -740.0, 3.141592653589793, 1.5707963267948966,
    0.7853981633974483, 1e22, 1e300, 0x1p1023, 6381956970095103.0 * 0x1p797, 1e-300, 0x1p-28,
    1.0000000000000002, 0.9999999999999999, 1e6, 1.6e6, 1e15,
};
#define N_SPECIAL_D (sizeof special_d / sizeof special_d[0])

/* --- special values, bit for bit (C11 Annex F) --- */

TEST(special_values_float)
{
    CHECK(same_bits_f(llvmlibc_sinf(-0.0f), -0.0f));
    CHECK(isnan(llvmlibc_sinf(INFINITY)) && isnan(llvmlibc_cosf(-INFINITY)));
    CHECK(llvmlibc_cosf(-0.0f) == 1.0f);
    CHECK(llvmlibc_expf(-INFINITY) == 0.0f && llvmlibc_expf(INFINITY) == INFINITY);
    CHECK(llvmlibc_expf(89.0f) == INFINITY, "overflow");
    CHECK(same_bits_f(llvmlibc_expf(-104.0f), 0.0f), "underflow to +0");
    CHECK(llvmlibc_expf(-103.0f) > 0.0f && llvmlibc_expf(-103.0f) < FLT_MIN, "subnormal");
    CHECK(llvmlibc_expf(0.0f) == 1.0f && llvmlibc_expf(-0.0f) == 1.0f);
    CHECK(llvmlibc_logf(0.0f) == -INFINITY && llvmlibc_logf(-0.0f) == -INFINITY);
    CHECK(isnan(llvmlibc_logf(-1.0f)) && isnan(llvmlibc_logf(-INFINITY)));
    CHECK(same_bits_f(llvmlibc_logf(1.0f), 0.0f) && llvmlibc_logf(INFINITY) == INFINITY);
    CHECK(same_bits_f(llvmlibc_sqrtf(-0.0f), -0.0f) && isnan(llvmlibc_sqrtf(-1.0f)));
    CHECK(llvmlibc_sqrtf(INFINITY) == INFINITY && llvmlibc_sqrtf(0x1p-148f) == 0x1p-74f);
    CHECK(same_bits_f(llvmlibc_fabsf(-0.0f), 0.0f) && llvmlibc_fabsf(-INFINITY) == INFINITY);
    for (unsigned i = 0; i < N_SPECIAL_F; i++)
        CHECK(isnan(llvmlibc_sinf(special_f[i])) == isnan(sinf(special_f[i])), "%a", special_f[i]);
}

TEST(special_values_double)
{
    CHECK(same_bits_d(llvmlibc_sin(-0.0), -0.0) && llvmlibc_cos(-0.0) == 1.0);
    CHECK(isnan(llvmlibc_sin(INFINITY)) && isnan(llvmlibc_cos(NAN)));
    CHECK(llvmlibc_exp(710.0) == INFINITY && same_bits_d(llvmlibc_exp(-746.0), 0.0));
    CHECK(llvmlibc_exp(-745.0) == 0x1p-1074, "smallest subnormal");
    CHECK(llvmlibc_exp(-INFINITY) == 0.0 && llvmlibc_exp(INFINITY) == INFINITY);
    CHECK(llvmlibc_log(0.0) == -INFINITY && isnan(llvmlibc_log(-0x1p-1074)));
    CHECK(same_bits_d(llvmlibc_log(1.0), 0.0) && llvmlibc_log(INFINITY) == INFINITY);
    CHECK(same_bits_d(llvmlibc_sqrt(-0.0), -0.0) && isnan(llvmlibc_sqrt(-DBL_MIN)));
    CHECK(llvmlibc_sqrt(0x1p-1074) == 0x1p-537 && llvmlibc_sqrt(INFINITY) == INFINITY);
    CHECK(same_bits_d(llvmlibc_fabs(-0.0), 0.0));
}

/* --- float functions: sampled sweep --- */

static void sweep_one(const char *name, double max_ulp, uint64_t max_not_cr)
{
    const struct acc_f1_case *c = acc_find_f1(name);
    struct acc_stats st;

    REQUIRE(c != NULL, "%s", name);
    acc_init(&st);
    acc_sweep_f1(c, 0, ALL_FLOATS, SAMPLE_STRIDE, &st);
    for (unsigned i = 0; i < N_SPECIAL_F; i++)
        acc_check_f1(c, special_f[i], &st);
    printf("  %s: %llu inputs, max %.4f ulp at 0x%08x, %llu not correctly rounded\n", name,
           (unsigned long long)st.tested, st.max_ulp, st.worst_bits,
           (unsigned long long)st.not_cr);
    CHECK(st.max_ulp <= max_ulp, "%s: %.4f ulp at 0x%08x", name, st.max_ulp, st.worst_bits);
    CHECK(st.not_cr <= max_not_cr, "%s: %llu not correctly rounded, e.g. 0x%08x", name,
          (unsigned long long)st.not_cr, st.first_not_cr);
}

/* The sample holds ~1M inputs; a hard case (within 2^-29 ulp of a midpoint) is rarer than
 * 1 in 10^7, so any miss in the sample is a real defect. */
TEST(sinf_sampled)  { sweep_one("sinf", MAX_ULP, 0); }
TEST(cosf_sampled)  { sweep_one("cosf", MAX_ULP, 0); }
TEST(expf_sampled)  { sweep_one("expf", MAX_ULP, 0); }
TEST(logf_sampled)  { sweep_one("logf", MAX_ULP, 0); }
TEST(sqrtf_sampled) { sweep_one("sqrtf", 0.5, 0); }
TEST(fabsf_sampled) { sweep_one("fabsf", 0.0, 0); }

/* --- powf --- */

/* On the special grid the exact result is special or exactly representable, so glibc (which
 * follows Annex F and is exact on exact cases) must agree bit for bit. */
/* The exhaustive sweep's hard cases, each answered from a table; results checked with MPFR
 * at 200 bits. Also a check on the x87 build, which the sweep did not cover. */
TEST(hard_cases_correctly_rounded)
{
    static const struct { float (*fn)(float); const char *name; uint32_t in, out; } cases[] = {
        {llvmlibc_sinf, "sinf", 0x46199998, 0xbeb1fa5d}, {llvmlibc_sinf, "sinf", 0xc6199998, 0x3eb1fa5d},
        {llvmlibc_cosf, "cosf", 0x5f18b878, 0x3f7f14bb}, {llvmlibc_cosf, "cosf", 0x6115cb11, 0x3f78142f},
        {llvmlibc_cosf, "cosf", 0xdf18b878, 0x3f7f14bb}, {llvmlibc_cosf, "cosf", 0xe115cb11, 0x3f78142f},
        {llvmlibc_logf, "logf", 0x3c413d3a, 0xc08e158f}, {llvmlibc_logf, "logf", 0x4c5d65a5, 0x418f034b},
        {llvmlibc_logf, "logf", 0x65d890d3, 0x4254d1f9}, {llvmlibc_logf, "logf", 0x6f31a8ec, 0x42845a89},
        {llvmlibc_logf, "logf", 0x41178feb, 0x400fe5e7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float x, want, got;
        memcpy(&x, &cases[i].in, 4);
        memcpy(&want, &cases[i].out, 4);
        got = cases[i].fn(x);
        CHECK(memcmp(&got, &want, 4) == 0, "%s(%a) = %a, want %a", cases[i].name, x, got, want);
    }
}

TEST(powf_special_grid)
{
    for (unsigned i = 0; i < N_SPECIAL_F; i++) {
        for (unsigned j = 0; j < N_SPECIAL_F; j++) {
            float x = special_f[i], y = special_f[j];
            volatile float got = llvmlibc_powf(x, y);
            float want = (float)powl(x, y);
            if (isnan(x) || isnan(y) || isinf(x) || isinf(y) || x == 0 || y == 0)
                want = powf(x, y);
            CHECK(same_bits_f(got, want), "powf(%a, %a) = %a, want %a", x, y, got, want);
        }
    }
}

static void pow_pair(float x, float y, struct acc_stats *st)
{
    volatile float got = llvmlibc_powf(x, y);
    long double exact = powl(x, y);
    volatile float rounded = (float)exact;
    double err = acc_ulp_f(got, exact);

    st->tested++;
    if (err > st->max_ulp) {
        st->max_ulp = err;
        st->worst_x = x;
        memcpy(&st->worst_bits, (const void *)&y, sizeof st->worst_bits);
    }
    if (!same_bits_f(got, rounded))
        st->not_cr++;
}

TEST(powf_random)
{
    struct acc_stats st;

    acc_init(&st);
    for (int i = 0; i < RANDOM_POW; i++) {
        uint32_t xb = (uint32_t)rng() & 0x7fffffffu;   /* any positive float */
        float x, y;
        memcpy(&x, &xb, sizeof x);
        switch (i % 4) {
        case 0: y = (float)rng_uniform(-128.0, 128.0) / (fabsf(logf(x)) + 1.0f); break;
        case 1: x = (float)rng_uniform(0.0, 4.0); y = (float)rng_uniform(-60.0, 60.0); break;
        case 2: x = -x; y = (float)(int)rng_uniform(-40.0, 40.0); break;
        default: x = (float)rng_uniform(0.99, 1.01); y = (float)rng_uniform(-1e4, 1e4); break;
        }
        if (isnan(x))
            continue;
        pow_pair(x, y, &st);
    }
    pow_pair(1.0f + 0x1p-12f, 2.0f, &st);              /* exact midpoint x^2 */
    pow_pair(2.0f, -150.0f, &st);                       /* 2^-150: ties to even, 0 */
    pow_pair(3.0f, 15.0f, &st);                         /* 14348907: 24 bits, exact */
    printf("  powf: %llu pairs, max %.4f ulp at x=%a, %llu not correctly rounded\n",
           (unsigned long long)st.tested, st.max_ulp, st.worst_x, (unsigned long long)st.not_cr);
    CHECK(st.max_ulp <= MAX_ULP);
    CHECK(st.not_cr <= 2, "%llu", (unsigned long long)st.not_cr);
    CHECK(llvmlibc_powf(2.0f, -150.0f) == 0.0f && llvmlibc_powf(1.0f + 0x1p-12f, 2.0f) == 1.0f + 0x1p-11f);
}

/* --- double functions --- */

static double random_double_bits(int min_exp, int max_exp)
{
    int e = min_exp + (int)(rng() % (uint64_t)(max_exp - min_exp + 1));
    uint64_t bits = ((uint64_t)(e + 1023) << 52) | (rng() & ((1ull << 52) - 1));
    double d;
    memcpy(&d, &bits, sizeof d);
    return (rng() & 1) ? -d : d;
}

static void check_double(const char *name, acc_d1 ours, acc_ref1 ref, double lo, double hi,
                         int min_exp, int max_exp)
{
    struct acc_stats st;

    acc_init(&st);
    for (int i = 0; i < RANDOM_DOUBLES; i++) {
        double x = (i & 1) ? rng_uniform(lo, hi) : random_double_bits(min_exp, max_exp);
        acc_check_d1(ours, ref, x, &st);
    }
    for (unsigned i = 0; i < N_SPECIAL_D; i++) {
        acc_check_d1(ours, ref, special_d[i], &st);
        acc_check_d1(ours, ref, -special_d[i], &st);
    }
    printf("  %s: %llu inputs, max %.4f ulp at %a\n", name, (unsigned long long)st.tested,
           st.max_ulp, st.worst_x);
    CHECK(st.max_ulp <= MAX_ULP, "%s: %.4f ulp at %a", name, st.max_ulp, st.worst_x);
}

static double our_sin(double x) { return llvmlibc_sin(x); }
static double our_cos(double x) { return llvmlibc_cos(x); }
static double our_exp(double x) { return llvmlibc_exp(x); }
static double our_log(double x) { return llvmlibc_log(fabs(x)); }
static long double ref_log(long double x) { return logl(fabsl(x)); }

TEST(sin_random)  { check_double("sin", our_sin, sinl, -10.0, 10.0, -30, 1023); }
TEST(cos_random)  { check_double("cos", our_cos, cosl, -10.0, 10.0, -30, 1023); }
TEST(exp_random)  { check_double("exp", our_exp, expl, -745.2, 709.8, -60, 9); }
TEST(log_random)  { check_double("log", our_log, ref_log, 0.5, 2.0, -1022, 1023); }

/* Arguments next to multiples of pi/2, where Cody-Waite reduction cancels most. */
TEST(sin_cos_near_multiples_of_pio2)
{
    struct acc_stats s, c;

    acc_init(&s);
    acc_init(&c);
    for (int i = 0; i < 200000; i++) {
        double k = (double)(rng() % (i & 1 ? (1u << 20) : (1ull << 40)));
        double x = k * 1.5707963267948966;
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        bits += (rng() % 5) - 2;
        memcpy(&x, &bits, sizeof x);
        acc_check_d1(our_sin, sinl, x, &s);
        acc_check_d1(our_cos, cosl, x, &c);
    }
    printf("  near k*pi/2: sin max %.4f ulp at %a, cos max %.4f ulp at %a\n", s.max_ulp,
           s.worst_x, c.max_ulp, c.worst_x);
    CHECK(s.max_ulp <= MAX_ULP && c.max_ulp <= MAX_ULP);
}

/* sqrt is exact: compare with the SSE2 SQRTSD instruction (run even in the x87 build; the
 * host CPU has SSE2 and the compiler never allocates xmm0 under -mno-sse). */
static double hw_sqrt(double x)
{
    double r;
    __asm__ volatile("movsd %1, %%xmm0\n\tsqrtsd %%xmm0, %%xmm0\n\tmovsd %%xmm0, %0"
                     : "=m"(r) : "m"(x)
#ifdef __SSE2__
                     : "xmm0"
#endif
    );
    return r;
}

TEST(sqrt_exact)
{
    unsigned bad = 0;

    for (int i = 0; i < RANDOM_DOUBLES; i++) {
        uint64_t bits = rng() & 0x7fffffffffffffffull;
        double x;
        memcpy(&x, &bits, sizeof x);
        volatile double got = llvmlibc_sqrt(x);
        if (!same_bits_d(got, hw_sqrt(x)) && bad++ < 3)
            CHECK(0, "sqrt(%a) = %a, want %a", x, got, hw_sqrt(x));
    }
    CHECK(bad == 0, "%u wrong", bad);
}

int main(void)
{
    check_suite = sizeof(void *) == 8 ? "llvmlibc_math" : "llvmlibc_math_x87";
    RUN(special_values_float);
    RUN(special_values_double);
    RUN(sinf_sampled);
    RUN(cosf_sampled);
    RUN(expf_sampled);
    RUN(logf_sampled);
    RUN(sqrtf_sampled);
    RUN(fabsf_sampled);
    RUN(hard_cases_correctly_rounded);
    RUN(powf_special_grid);
    RUN(powf_random);
    RUN(sin_random);
    RUN(cos_random);
    RUN(exp_random);
    RUN(log_random);
    RUN(sin_cos_near_multiples_of_pio2);
    RUN(sqrt_exact);
    return check_summary();
}
