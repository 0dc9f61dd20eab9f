/* make bench-libm: cycles per call of each libs/llvmlibc math function against the host's
 * glibc, measured in the same run on the same inputs. The clock is the host's rdtsc (TSC
 * ticks, constant rate, not core cycles under frequency scaling). Each measurement calls the
 * function on a fixed array of N_INPUTS arguments (through a pointer, for ours and glibc's
 * alike); one warm-up pass is excluded, and the minimum over TRIALS passes is reported. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "tests/lib/llvmlibc_host.h"

#define N_INPUTS  4096
#define TRIALS    20

typedef float (*f1)(float);
typedef double (*d1)(double);
typedef float (*f2)(float, float);

struct bench_f1 { const char *name; f1 ours, glibc; float lo, hi; };
struct bench_d1 { const char *name; d1 ours, glibc; double lo, hi; };

static float in_f[N_INPUTS], in_g[N_INPUTS];
static double in_d[N_INPUTS];
static volatile double sink;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void fill(double lo, double hi)
{
    uint64_t s = 12345;
    for (int i = 0; i < N_INPUTS; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;   /* LCG, Knuth MMIX */
        double u = (double)(s >> 11) * 0x1p-53;
        in_d[i] = lo + (hi - lo) * u;
        in_f[i] = (float)in_d[i];
        in_g[i] = (float)(-4.0 + 8.0 * ((double)((s >> 7) & 0xffff) / 65536.0));
    }
}

static double cycles_f1(f1 fn)
{
    double best = 1e30;
    for (int t = 0; t <= TRIALS; t++) {
        float acc = 0;
        uint64_t t0 = rdtsc();
        for (int i = 0; i < N_INPUTS; i++)
            acc += fn(in_f[i]);
        uint64_t t1 = rdtsc();
        sink = acc;
        if (t > 0 && (double)(t1 - t0) < best)   /* pass 0 is the warm-up */
            best = (double)(t1 - t0);
    }
    return best / N_INPUTS;
}

static double cycles_d1(d1 fn)
{
    double best = 1e30;
    for (int t = 0; t <= TRIALS; t++) {
        double acc = 0;
        uint64_t t0 = rdtsc();
        for (int i = 0; i < N_INPUTS; i++)
            acc += fn(in_d[i]);
        uint64_t t1 = rdtsc();
        sink = acc;
        if (t > 0 && (double)(t1 - t0) < best)
            best = (double)(t1 - t0);
    }
    return best / N_INPUTS;
}

static double cycles_f2(f2 fn)
{
    double best = 1e30;
    for (int t = 0; t <= TRIALS; t++) {
        float acc = 0;
        uint64_t t0 = rdtsc();
        for (int i = 0; i < N_INPUTS; i++)
            acc += fn(in_f[i], in_g[i]);
        uint64_t t1 = rdtsc();
        sink = acc;
        if (t > 0 && (double)(t1 - t0) < best)
            best = (double)(t1 - t0);
    }
    return best / N_INPUTS;
}

static void row(const char *name, const char *range, double ours, double glibc)
{
    printf("%-6s %-16s %8.1f %8.1f %7.2f\n", name, range, ours, glibc, ours / glibc);
}

int main(void)
{
    static const struct bench_f1 fs[] = {
        {"sinf", llvmlibc_sinf, sinf, -10, 10},     {"cosf", llvmlibc_cosf, cosf, -10, 10},
        {"expf", llvmlibc_expf, expf, -80, 80},     {"logf", llvmlibc_logf, logf, 1e-3, 1e6},
        {"sqrtf", llvmlibc_sqrtf, sqrtf, 0, 1e6},   {"fabsf", llvmlibc_fabsf, fabsf, -1e3, 1e3},
    };
    static const struct bench_d1 ds[] = {
        {"sin", llvmlibc_sin, sin, -10, 10},        {"cos", llvmlibc_cos, cos, -10, 10},
        {"exp", llvmlibc_exp, exp, -700, 700},      {"log", llvmlibc_log, log, 1e-3, 1e6},
        {"sqrt", llvmlibc_sqrt, sqrt, 0, 1e6},      {"fabs", llvmlibc_fabs, fabs, -1e3, 1e3},
    };
    char range[32];

    printf("bench-libm: host rdtsc ticks per call, min of %d passes over %d inputs\n",
           TRIALS, N_INPUTS);
    printf("%-6s %-16s %8s %8s %7s\n", "func", "inputs", "ours", "glibc", "ratio");
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        fill(fs[i].lo, fs[i].hi);
        snprintf(range, sizeof range, "[%g, %g]", fs[i].lo, fs[i].hi);
        row(fs[i].name, range, cycles_f1(fs[i].ours), cycles_f1(fs[i].glibc));
    }
    fill(0.01, 10);
    row("powf", "[0.01,10]^[-4,4]", cycles_f2(llvmlibc_powf), cycles_f2(powf));
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        fill(ds[i].lo, ds[i].hi);
        snprintf(range, sizeof range, "[%g, %g]", ds[i].lo, ds[i].hi);
        row(ds[i].name, range, cycles_d1(ds[i].ours), cycles_d1(ds[i].glibc));
    }
    fill(1e6, 1e300);
    row("sin", "[1e6, 1e300]", cycles_d1(llvmlibc_sin), cycles_d1(sin));
    return 0;
}
