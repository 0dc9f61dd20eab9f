/* fft_1d: 1024-point complex radix-2 FFT (Cooley-Tukey, decimation in time, bit-reversed
 * input order) of x[n] = cos(2*pi*5n/N) + 0.5*sin(2*pi*17n/N), then the inverse transform.
 * The spectrum is exact in theory (N/2 at bins 5 and N-5, -+iN/4 at 17 and N-17), so the
 * rounded bins give an integer signature; the round trip must return x within FFT_EPS or
 * the signature is poisoned. No libm: the twiddles come from one rotation by 2*pi/N,
 * applied repeatedly (error grows ~N ulp, far below the rounding margin).
 * Expected value: a direct DFT in tests/modules/reference.py. */
#include <fluid_module.h>

#define FFT_N       1024
#define FFT_LOG2N   10
#define FFT_EPS     1e-9
#define FFT_COS1    0.9999811752826011      /* cos(2*pi/1024) */
#define FFT_SIN1    0.006135884649154475    /* sin(2*pi/1024) */
#define FFT_POISON  0x80000000u

/* UNROLL: how many butterflies of the inner loop clang unrolls (0 = its own choice). TWID: 1
 * copies each stage's twiddles into a contiguous table first (the same values, read with
 * stride 1 instead of N/len). Neither changes an operation or its order, so every build
 * computes the same bits. */
#ifndef UNROLL
#define UNROLL 0
#endif
#ifndef TWID
#define TWID 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x00139e00, 0);
FLUID_PARAM(UNROLL, 0, 0, 1, 2, 4, 8);
FLUID_PARAM(TWID, 0, 0, 1);

#if UNROLL > 0
#define FFT_BUTTERFLY_LOOP FLUID_UNROLL(UNROLL)
#else
#define FFT_BUTTERFLY_LOOP
#endif

static double cos_t[FFT_N], sin_t[FFT_N];      /* (FFT_N): cos/sin(2*pi*k/N) */
static double re[FFT_N], im[FFT_N];            /* (FFT_N): the transformed signal */
static double x0[FFT_N];                       /* (FFT_N): the input, for the round trip */
#if TWID
static double stage_wr[FFT_N / 2], stage_wi[FFT_N / 2];   /* (len/2): one stage's twiddles */
#endif

static void twiddles(void)
{
    cos_t[0] = 1.0, sin_t[0] = 0.0;
    for (int k = 1; k < FFT_N; k++) {
        cos_t[k] = cos_t[k - 1] * FFT_COS1 - sin_t[k - 1] * FFT_SIN1;
        sin_t[k] = sin_t[k - 1] * FFT_COS1 + cos_t[k - 1] * FFT_SIN1;
    }
}

static uint32_t bit_reverse(uint32_t v)
{
    uint32_t r = 0;
    for (int b = 0; b < FFT_LOG2N; b++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

/* In place; sign -1 forward (e^{-i...}), +1 inverse (unscaled). */
static void fft(int sign)
{
    for (uint32_t i = 0; i < FFT_N; i++) {
        uint32_t j = bit_reverse(i);
        if (j > i) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= FFT_N; len <<= 1) {
        int step = FFT_N / len;
#if TWID
        for (int k = 0; k < len / 2; k++)
            stage_wr[k] = cos_t[k * step], stage_wi[k] = sign * sin_t[k * step];
#endif
        for (int start = 0; start < FFT_N; start += len)
            FFT_BUTTERFLY_LOOP
            for (int k = 0; k < len / 2; k++) {
#if TWID
                double wr = stage_wr[k], wi = stage_wi[k];
#else
                double wr = cos_t[k * step], wi = sign * sin_t[k * step];
#endif
                int a = start + k, b = a + len / 2;
                double tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
                re[b] = re[a] - tr, im[b] = im[a] - ti;
                re[a] += tr, im[a] += ti;
            }
    }
}

static int32_t round_nearest(double v)
{
    return (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
}

static double fabs_(double v)
{
    return v < 0 ? -v : v;
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t sig = 0, poison = 0;
    twiddles();
    for (int n = 0; n < FFT_N; n++) {
        x0[n] = re[n] = cos_t[(5 * n) % FFT_N] + 0.5 * sin_t[(17 * n) % FFT_N];
        im[n] = 0.0;
    }
    fft(-1);
    for (int k = 0; k < FFT_N; k++)
        sig += (uint32_t)(k + 1) * (uint32_t)(round_nearest(re[k]) + 3 * round_nearest(im[k]));
    fft(+1);
    for (int n = 0; n < FFT_N; n++)
        if (fabs_(re[n] / FFT_N - x0[n]) > FFT_EPS || fabs_(im[n] / FFT_N) > FFT_EPS)
            poison = FFT_POISON;
    return sig ^ poison;
}
