/* x86-64 SIMD matrix-vector kernels and their run-time choice (llm.h: llm_kernels_best).
 * SSE2 is architectural on x86-64 and always usable; AVX2+FMA is used when CPUID reports
 * AVX, FMA, AVX2 and OSXSAVE and XCR0 shows the OS (or the Fluid kernel) enabled the SSE
 * and AVX register state (Intel SDM vol. 1 §14.3, "Detection of Intel AVX instructions").
 * Where CPUID also reports AVX512F, AVX512VL and AVX512_VNNI and XCR0 enables the AVX-512
 * state, the Q8_0 matmul uses 256-bit vpdpbusd ("avx512vnni"), bit-identical to AVX2's.
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
#define CPUID_7_EBX_AVX512F  (1u << 16)
#define CPUID_7_EBX_AVX512VL (1u << 31)
#define CPUID_7_ECX_AVX512VNNI (1u << 11)
#define XCR0_SSE_AVX         0x6u       /* XCR0 bits 1 (SSE state) and 2 (AVX state) */
#define XCR0_AVX512          0xe6u      /* those and bits 5-7: opmask, ZMM_Hi256, Hi16_ZMM */

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

/* ---- Q8_0, AVX2 and AVX-512 VNNI ------------------------------------------------------- */

/* Both 256-bit Q8_0 kernels share one row loop (Q8_ROWS below) and differ only in how a
 * group's exact int32 dot product is formed. Their results are bit-identical: 32 values
 * are one 256-bit register and int32 lane j of a group's sum always adds the products of
 * values 4j..4j+3 of each 32 (pmaddubsw pairs neighbouring bytes, pmaddwd neighbouring
 * pairs; vpdpbusd adds four neighbouring products), and the integer sums are exact in
 * both, so the floats each lane then sees are the same. The row loop:
 * - forms the scale products rs[g] * xs[g] of eight groups with one vmulps and broadcasts
 *   each with vpermps, where a lone group costs a scalar load, multiply and broadcast;
 * - takes the chunks per group as a constant for the group sizes export.py writes (32, 64,
 *   128: Q8_SPECIAL_GS), so the inner loop unrolls and keeps no loop state;
 * - accumulates lane-wise, acc = fma(float(isum), scale, acc), in group order, and adds
 *   the eight lanes at the end of the row. */
#define Q8_CHUNK        32      /* int8 values per 256-bit register */
#define Q8_SCALE_BLOCK  8       /* fp32 scales per 256-bit register */

/* int8 x int8 -> 8 x int32 over 32 values: |x| (unsigned) times w carrying x's sign, so
 * pmaddubsw's u8*s8 applies; pairs stay within int16 (2 * 127 * 128 < 32767). Q8_0 values
 * lie in [-127, 127] (runq.c quantize); w = -128 with x < 0 would wrap in vpsignb. */
__attribute__((target("avx2,fma")))
static inline __m256i dot32_i8_avx2(const int8_t *x, const int8_t *w)
{
    __m256i vx = _mm256_loadu_si256((const __m256i *)x);
    __m256i vw = _mm256_loadu_si256((const __m256i *)w);
    __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(vx, vx), _mm256_sign_epi8(vw, vx));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

/* One group's int32 lane sums, chunks * 32 values. */
__attribute__((target("avx2,fma"), always_inline))
static inline __m256i group_isum_avx2(const int8_t *x, const int8_t *w, int chunks)
{
    __m256i isum = _mm256_setzero_si256();
    for (int k = 0; k < chunks; k++)
        isum = _mm256_add_epi32(isum, dot32_i8_avx2(x + k * Q8_CHUNK, w + k * Q8_CHUNK));
    return isum;
}

/* The same with vpdpbusd (u8 x s8, four products added into each int32 lane, no
 * saturation; Intel SDM vol. 2C, VPDPBUSD). Its unsigned operand is w + 128, which is
 * w XOR 0x80 read as u8; that adds 128 * (x's four values) to each lane, a term of x alone:
 * q8_bias_terms computes it once per matmul, negated, and each group's sum starts from
 * it. Two instructions per 32 weights (x from memory), against seven for AVX2; every sum
 * is exact in int32 (|lane| <= 4 * 255 * 127 * chunks). */
#define Q8_BIAS_BYTE    ((char)0x80)    /* s8 -> u8 offset: w + 128 == w ^ 0x80 */
#define Q8_BIAS_GROUPS  256             /* groups per row the stack array holds (8 KiB) */

/* neg[g] = -(128 * x's lane sums) of group g, for ng groups of chunks * 32 values. */
__attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))
static void q8_bias_terms(__m256i *neg, const int8_t *x, int ng, int chunks)
{
    const __m256i bias = _mm256_set1_epi8(Q8_BIAS_BYTE);
    for (int g = 0; g < ng; g++) {
        __m256i t = _mm256_setzero_si256();
        for (int k = 0; k < chunks; k++)
            t = _mm256_dpbusd_epi32(t, bias, _mm256_loadu_si256((const __m256i *)x + k));
        neg[g] = _mm256_sub_epi32(_mm256_setzero_si256(), t);
        x += chunks * Q8_CHUNK;
    }
}

__attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni"), always_inline))
static inline __m256i group_isum_vnni(const int8_t *x, const int8_t *w, int chunks,
                                      __m256i neg)
{
    const __m256i bias = _mm256_set1_epi8(Q8_BIAS_BYTE);
    __m256i isum = neg;
    for (int k = 0; k < chunks; k++) {
        __m256i vx = _mm256_loadu_si256((const __m256i *)(x + k * Q8_CHUNK));
        __m256i vw = _mm256_loadu_si256((const __m256i *)(w + k * Q8_CHUNK));
        isum = _mm256_dpbusd_epi32(isum, _mm256_xor_si256(vw, bias), vx);
    }
    return isum;
}

/* Rows i, i + STRIDE, ..., i + (R - 1) * STRIDE of a Q8_0 matmul with gs % 32 == 0 at
 * once, ISUM(x, w, chunks, g) forming group g's lane sums. Each row's accumulation is a
 * chain of dependent FMAs, one per group, so a row alone runs at one group per FMA
 * latency; R rows give R independent chains. Every row still sees exactly the operations
 * it sees alone. */
#define Q8_ROW_SET(ISUM, R, STRIDE)                                                         \
    do {                                                                                    \
        const int8_t *row[R];                                                               \
        const float *rs[R];                                                                 \
        __m256 acc[R];                                                                      \
        for (int r = 0; r < (R); r++) {                                                     \
            row[r] = wq + (size_t)(i + r * (STRIDE)) * n;                                   \
            rs[r] = ws + (size_t)(i + r * (STRIDE)) * ng;                                   \
            acc[r] = _mm256_setzero_ps();                                                   \
        }                                                                                   \
        int g = 0;                                                                          \
        for (; g + Q8_SCALE_BLOCK <= ng; g += Q8_SCALE_BLOCK) {                             \
            __m256 vxs = _mm256_loadu_ps(xs + g), sc[R];                                    \
            for (int r = 0; r < (R); r++)                                                   \
                sc[r] = _mm256_mul_ps(_mm256_loadu_ps(rs[r] + g), vxs);                     \
            for (int j = 0; j < Q8_SCALE_BLOCK; j++) {                                      \
                size_t at = (size_t)(g + j) * gs;                                           \
                __m256i pick = _mm256_set1_epi32(j);                                        \
                for (int r = 0; r < (R); r++) {                                             \
                    __m256i isum = ISUM(xq + at, row[r] + at, chunks, g + j);               \
                    __m256 s = _mm256_permutevar8x32_ps(sc[r], pick);                       \
                    acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), s, acc[r]);          \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
        for (; g < ng; g++) {                                                               \
            size_t at = (size_t)g * gs;                                                     \
            for (int r = 0; r < (R); r++) {                                                 \
                __m256i isum = ISUM(xq + at, row[r] + at, chunks, g);                       \
                acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum),                          \
                                         _mm256_set1_ps(rs[r][g] * xs[g]), acc[r]);         \
            }                                                                               \
        }                                                                                   \
        for (int r = 0; r < (R); r++)                                                       \
            out[i + r * (STRIDE)] = hsum256(acc[r]);                                        \
    } while (0)

/* Rows [0, d) as Q8_STREAMS bands of d / Q8_STREAMS rows read side by side (row i of
 * every band together), then the rows left over one by one. Neighbouring rows read
 * together were the obvious choice and measured 2-3x slower from DRAM (several streams
 * interleaved inside each 4 KiB page); rows a band apart are separate sequential
 * streams, which one core reads faster than one stream (docs/llm.md, "Where the time
 * goes"). */
#define Q8_STREAMS      4

#define Q8_ROWS(ISUM)                                                                       \
    int ng = n / gs, chunks = gs / Q8_CHUNK, band = d / Q8_STREAMS, i = 0;                  \
    for (; i < band; i++)                                                                   \
        Q8_ROW_SET(ISUM, Q8_STREAMS, band);                                                 \
    for (i = Q8_STREAMS * band; i < d; i++)                                                 \
        Q8_ROW_SET(ISUM, 1, 0);

/* Group sizes given the row loop as a constant; others run it with gs from the file. */
#define Q8_SPECIAL_GS(FN)                                                                   \
    switch (gs) {                                                                           \
    case 32: FN(out, xq, xs, wq, ws, n, d, 32); break;                                      \
    case 64: FN(out, xq, xs, wq, ws, n, d, 64); break;                                      \
    case 128: FN(out, xq, xs, wq, ws, n, d, 128); break;                                    \
    default: FN(out, xq, xs, wq, ws, n, d, gs); break;                                      \
    }

#define ISUM_AVX2(x, w, chunks, g) group_isum_avx2(x, w, chunks)

__attribute__((target("avx2,fma"), always_inline))
static inline void q8_rows_avx2(float *out, const int8_t *xq, const float *xs,
                                const int8_t *wq, const float *ws, int n, int d, int gs)
{
    Q8_ROWS(ISUM_AVX2)
}

/* Q8_0 with gs % 32 == 0; otherwise the SSE2 kernel (which falls back further). */
__attribute__((target("avx2,fma")))
static void matmul_q8_avx2(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                           const float *ws, int n, int d, int gs)
{
    if (gs % Q8_CHUNK) {
        matmul_q8_sse2(out, xq, xs, wq, ws, n, d, gs);
        return;
    }
    Q8_SPECIAL_GS(q8_rows_avx2)
}

#define ISUM_VNNI(x, w, chunks, g) group_isum_vnni(x, w, chunks, neg[g])

__attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni"), always_inline))
static inline void q8_rows_vnni(float *out, const int8_t *xq, const float *xs,
                                const int8_t *wq, const float *ws, int n, int d, int gs,
                                const __m256i *neg)
{
    Q8_ROWS(ISUM_VNNI)
}

#define Q8_ROWS_VNNI(out, xq, xs, wq, ws, n, d, gs) q8_rows_vnni(out, xq, xs, wq, ws, n, d, gs, neg)

/* Bit-identical to matmul_q8_avx2 (see above) on Q8_0 values in [-127, 127]; of a -128,
 * which no exporter writes, it forms the exact product where AVX2's vpsignb wraps.
 * gs % 32 != 0 goes to the SSE2 kernel, rows of more than Q8_BIAS_GROUPS groups to AVX2. */
__attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))
static void matmul_q8_vnni(float *out, const int8_t *xq, const float *xs, const int8_t *wq,
                           const float *ws, int n, int d, int gs)
{
    if (gs % Q8_CHUNK) {
        matmul_q8_sse2(out, xq, xs, wq, ws, n, d, gs);
        return;
    }
    if (n / gs > Q8_BIAS_GROUPS) {
        matmul_q8_avx2(out, xq, xs, wq, ws, n, d, gs);
        return;
    }
    __m256i neg[Q8_BIAS_GROUPS];
    q8_bias_terms(neg, xq, n / gs, gs / Q8_CHUNK);
    Q8_SPECIAL_GS(Q8_ROWS_VNNI)
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

/* The AVX2 set with the Q8_0 matmul on vpdpbusd (256-bit, EVEX-encoded). */
static const struct llm_kernels kernels_vnni = {
    .name = "avx512vnni",
    .matmul_f32 = matmul_f32_avx2,
    .matmul_q8 = matmul_q8_vnni,
};

/* CPUID.(EAX=7,ECX=0) EBX and ECX, or zeros where leaf 7 does not exist. */
static void cpuid7(unsigned *ebx, unsigned *ecx)
{
    unsigned a, b = 0, c = 0, d;
    if (__get_cpuid_max(0, NULL) >= 7)
        __cpuid_count(7, 0, a, b, c, d);
    *ebx = b;
    *ecx = c;
}

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
    cpuid7(&b, &c);
    return (b & CPUID_7_EBX_AVX2) != 0;
}

/* EVEX-encoded instructions, 256-bit ones included, need the AVX-512 state components
 * enabled in XCR0 besides SSE and AVX (Intel SDM vol. 1 §15.2). */
static bool have_avx512_vnni(void)
{
    if (!have_avx2_fma())
        return false;
    if ((read_xcr0() & XCR0_AVX512) != XCR0_AVX512)
        return false;
    unsigned b, c;
    cpuid7(&b, &c);
    unsigned need = CPUID_7_EBX_AVX512F | CPUID_7_EBX_AVX512VL;
    return (b & need) == need && (c & CPUID_7_ECX_AVX512VNNI) != 0;
}

const struct llm_kernels *llm_kernels_best(void)
{
    if (have_avx512_vnni())
        return &kernels_vnni;
    return have_avx2_fma() ? &kernels_avx2 : &kernels_sse2;
}

const struct llm_kernels *llm_kernels_nth(int i)
{
    const struct llm_kernels *all[] = { &llm_kernels_scalar, &kernels_sse2, &kernels_avx2,
                                        &kernels_vnni };
    int count = have_avx512_vnni() ? 4 : have_avx2_fma() ? 3 : 2;
    return i >= 0 && i < count ? all[i] : NULL;
}
