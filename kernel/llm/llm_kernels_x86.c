/* x86-64 SIMD matrix-vector kernels and their run-time choice (llm.h: llm_kernels_best).
 * SSE2 is architectural on x86-64 and always usable; AVX2+FMA is used when CPUID reports
 * AVX, FMA, AVX2 and OSXSAVE and XCR0 shows the OS (or the Fluid kernel) enabled the SSE
 * and AVX register state (Intel SDM vol. 1 §14.3, "Detection of Intel AVX instructions").
 * Results differ from llm_kernels_scalar only by float summation order: several partial
 * sums per row, added together at the end. Q8_0 group sums are exact integers in both;
 * their float accumulation is vectorised too. Rows are processed independently. */
#include <cpuid.h>
#include <immintrin.h>

#include "kernel/arch/x86/cpuid.h"
#include "kernel/llm/llm_impl.h"

#define CPUID_1_ECX_FMA      (1u << 12)
#define CPUID_1_ECX_OSXSAVE  (1u << 27)
#define CPUID_1_ECX_AVX      (1u << 28)
#define CPUID_7_EBX_AVX2     (1u << 5)
#define XCR0_SSE_AVX         0x6u       /* XCR0 bits 1 (SSE state) and 2 (AVX state) */

/* ---- helpers ---------------------------------------------------------------------------- */

static inline float hsum128(__m128 v)
{
    __m128 hi = _mm_movehl_ps(v, v);
    v = _mm_add_ps(v, hi);
    hi = _mm_shuffle_ps(v, v, 0x1);
    return _mm_cvtss_f32(_mm_add_ss(v, hi));
}

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v)
{
    return hsum128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
}

/* ---- SSE2 ------------------------------------------------------------------------------- */

/* Dot product of one row: four 4-lane partial sums over 16 values, then 4, then 1. */
static float dot_sse2(const float *w, const float *x, int n)
{
    __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int j = 0;
    for (; j + 16 <= n; j += 16) {
        a0 = _mm_add_ps(a0, _mm_mul_ps(_mm_loadu_ps(w + j), _mm_loadu_ps(x + j)));
        a1 = _mm_add_ps(a1, _mm_mul_ps(_mm_loadu_ps(w + j + 4), _mm_loadu_ps(x + j + 4)));
        a2 = _mm_add_ps(a2, _mm_mul_ps(_mm_loadu_ps(w + j + 8), _mm_loadu_ps(x + j + 8)));
        a3 = _mm_add_ps(a3, _mm_mul_ps(_mm_loadu_ps(w + j + 12), _mm_loadu_ps(x + j + 12)));
    }
    for (; j + 4 <= n; j += 4)
        a0 = _mm_add_ps(a0, _mm_mul_ps(_mm_loadu_ps(w + j), _mm_loadu_ps(x + j)));
    float sum = hsum128(_mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)));
    for (; j < n; j++)
        sum += w[j] * x[j];
    return sum;
}

static void matmul_f32_sse2(float *out, const float *x, const float *w, int n, int d)
{
    for (int i = 0; i < d; i++)
        out[i] = dot_sse2(w + (size_t)i * n, x, n);
}

/* int8 x int8 -> int32 over 16 values: sign-extend to int16 (unpack with itself, shift
 * right arithmetically), pmaddwd adds adjacent products. */
static inline __m128i dot16_i8_sse2(const int8_t *a, const int8_t *b)
{
    __m128i va = _mm_loadu_si128((const __m128i *)a), vb = _mm_loadu_si128((const __m128i *)b);
    __m128i alo = _mm_srai_epi16(_mm_unpacklo_epi8(va, va), 8);
    __m128i ahi = _mm_srai_epi16(_mm_unpackhi_epi8(va, va), 8);
    __m128i blo = _mm_srai_epi16(_mm_unpacklo_epi8(vb, vb), 8);
    __m128i bhi = _mm_srai_epi16(_mm_unpackhi_epi8(vb, vb), 8);
    return _mm_add_epi32(_mm_madd_epi16(alo, blo), _mm_madd_epi16(ahi, bhi));
}

/* Q8_0 with gs % 16 == 0; other group sizes fall back to the scalar kernel. */
static void matmul_q8_sse2(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                           const float *ws, int n, int d, int gs)
{
    if (gs % 16) {
        llm_kernels_scalar.matmul_q8(out, xq, xs, wq, ws, n, d, gs);
        return;
    }
    for (int i = 0; i < d; i++) {
        const int8_t *row = wq + (size_t)i * n;
        const float *rs = ws + (size_t)i * (n / gs);
        __m128 acc = _mm_setzero_ps();
        for (int g = 0; g < n / gs; g++) {
            __m128i isum = _mm_setzero_si128();
            for (int k = 0; k < gs; k += 16)
                isum = _mm_add_epi32(isum, dot16_i8_sse2(xq + g * gs + k, row + g * gs + k));
            acc = _mm_add_ps(acc, _mm_mul_ps(_mm_cvtepi32_ps(isum), _mm_set1_ps(rs[g] * xs[g])));
        }
        out[i] = hsum128(acc);
    }
}

/* ---- AVX2 + FMA ------------------------------------------------------------------------- */

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *w, const float *x, int n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int j = 0;
    for (; j + 32 <= n; j += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + j), _mm256_loadu_ps(x + j), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + j + 8), _mm256_loadu_ps(x + j + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + j + 16), _mm256_loadu_ps(x + j + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + j + 24), _mm256_loadu_ps(x + j + 24), a3);
    }
    for (; j + 8 <= n; j += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + j), _mm256_loadu_ps(x + j), a0);
    float sum = hsum256(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; j < n; j++)
        sum += w[j] * x[j];
    return sum;
}

/* Four rows at once share each load of x and keep four weight streams in flight; n % 8
 * tails and leftover rows go through dot_avx2. */
__attribute__((target("avx2,fma")))
static void dot4_avx2(float *out, const float *w, const float *x, int n)
{
    const float *w0 = w, *w1 = w + n, *w2 = w + 2 * (size_t)n, *w3 = w + 3 * (size_t)n;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 vx = _mm256_loadu_ps(x + j);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + j), vx, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + j), vx, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + j), vx, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + j), vx, a3);
    }
    out[0] = hsum256(a0);
    out[1] = hsum256(a1);
    out[2] = hsum256(a2);
    out[3] = hsum256(a3);
    for (; j < n; j++) {
        out[0] += w0[j] * x[j];
        out[1] += w1[j] * x[j];
        out[2] += w2[j] * x[j];
        out[3] += w3[j] * x[j];
    }
}

__attribute__((target("avx2,fma")))
static void matmul_f32_avx2(float *out, const float *x, const float *w, int n, int d)
{
    int i = 0;
    for (; i + 4 <= d; i += 4)
        dot4_avx2(out + i, w + (size_t)i * n, x, n);
    for (; i < d; i++)
        out[i] = dot_avx2(w + (size_t)i * n, x, n);
}

/* int8 x int8 -> 8 x int32 over 32 values: |x| (unsigned) times w carrying x's sign, so
 * pmaddubsw's u8*s8 applies; pairs stay within int16 (2 * 127 * 128 < 32767). */
__attribute__((target("avx2,fma")))
static inline __m256i dot32_i8_avx2(const int8_t *x, const int8_t *w)
{
    __m256i vx = _mm256_loadu_si256((const __m256i *)x);
    __m256i vw = _mm256_loadu_si256((const __m256i *)w);
    __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(vx, vx), _mm256_sign_epi8(vw, vx));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

/* Q8_0 with gs % 32 == 0; otherwise the SSE2 kernel (which falls back further). */
__attribute__((target("avx2,fma")))
static void matmul_q8_avx2(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                           const float *ws, int n, int d, int gs)
{
    if (gs % 32) {
        matmul_q8_sse2(out, xq, xs, wq, ws, n, d, gs);
        return;
    }
    for (int i = 0; i < d; i++) {
        const int8_t *row = wq + (size_t)i * n;
        const float *rs = ws + (size_t)i * (n / gs);
        __m256 acc = _mm256_setzero_ps();
        for (int g = 0; g < n / gs; g++) {
            __m256i isum = _mm256_setzero_si256();
            for (int k = 0; k < gs; k += 32)
                isum = _mm256_add_epi32(isum, dot32_i8_avx2(xq + g * gs + k, row + g * gs + k));
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(rs[g] * xs[g]), acc);
        }
        out[i] = hsum256(acc);
    }
}

/* ---- choice ----------------------------------------------------------------------------- */

static const struct llm_kernels kernels_sse2 = {
    .name = "sse2",
    .matmul_f32 = matmul_f32_sse2,
    .matmul_q8 = matmul_q8_sse2,
};

static const struct llm_kernels kernels_avx2 = {
    .name = "avx2+fma",
    .matmul_f32 = matmul_f32_avx2,
    .matmul_q8 = matmul_q8_avx2,
};

static bool have_avx2_fma(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    unsigned need = CPUID_1_ECX_FMA | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX;
    if ((c & need) != need)
        return false;
    /* XGETBV exists only with OSXSAVE, checked above */
    if ((read_xcr0() & XCR0_SSE_AVX) != XCR0_SSE_AVX)
        return false;
    if (__get_cpuid_max(0, NULL) < 7)
        return false;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & CPUID_7_EBX_AVX2) != 0;
}

const struct llm_kernels *llm_kernels_best(void)
{
    return have_avx2_fma() ? &kernels_avx2 : &kernels_sse2;
}

const struct llm_kernels *llm_kernels_nth(int i)
{
    const struct llm_kernels *all[] = { &llm_kernels_scalar, &kernels_sse2, &kernels_avx2 };
    int count = have_avx2_fma() ? 3 : 2;
    return i >= 0 && i < count ? all[i] : NULL;
}
