/* __llvmlibc_rem_pio2_large: x mod pi/2 for huge finite |x| (>= 2^20*pi/2, up to DBL_MAX).
 * Returns n (caller uses n mod 4) and y[0] + y[1] = x - n*pi/2, |y| <= pi/4.
 * Origin: Payne and Hanek, "Radian reduction for trigonometric functions", SIGNUM Newsletter
 * 18(1), 1983; the integer formulation follows Muller, "Elementary Functions", 3rd ed., §11.4.
 * x = m * 2^q with m a 53-bit integer. Only the 192 bits of 2/pi at positions q-1 .. q+190
 * matter: earlier bits make x*2/pi a multiple of 4, later ones add < 2^(54-192). So
 * x*2/pi mod 4 = (m * W mod 2^192) * 2^-190 with W that window: its top two bits are n, the
 * rest the fraction, which is then multiplied by pi/2 as a 128-bit integer. Everything is
 * 32-bit limb integer arithmetic, so x87 excess precision cannot disturb it. The closest
 * double to a multiple of pi/2, 6381956970095103 * 2^797, leaves a remainder of ~2^-61
 * (Muller, ch. 11): 60 bits of cancellation, far inside the window's 136 good bits. Tables below: 2/pi and pi/2 computed to 2200 bits with Machin's
 * formula; tests/libs/llvmlibc/test_llvmlibc_tables.py recomputes and checks them. */
#include "internal.h"

#define WINDOW_LIMBS   6      /* 192 bits of 2/pi per reduction */
#define PIO2_LIMBS     4      /* pi/2 to 128 bits */
#define LIMB_BITS      32
#define TWO_OVER_PI_WORDS 48  /* covers bit positions up to 1536 > 971 + 192 (q <= 971) */

/* Bits 32k+1 .. 32k+32 after the binary point of 2/pi, most significant first. */
static const uint32_t two_over_pi[TWO_OVER_PI_WORDS] = {
    0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041,
    0xfe5163ab, 0xdebbc561, 0xb7246e3a, 0x424dd2e0, 0x06492eea, 0x09d1921c,
    0xfe1deb1c, 0xb129a73e, 0xe88235f5, 0x2ebb4484, 0xe99c7026, 0xb45f7e41,
    0x3991d639, 0x835339f4, 0x9c845f8b, 0xbdf9283b, 0x1ff897ff, 0xde05980f,
    0xef2f118b, 0x5a0a6d1f, 0x6d367ecf, 0x27cb09b7, 0x4f463f66, 0x9e5fea2d,
    0x7527bac7, 0xebe5f17b, 0x3d0739f7, 0x8a5292ea, 0x6bfb5fb1, 0x1f8d5d08,
    0x56033046, 0xfc7b6bab, 0xf0cfbc20, 0x9af4361d, 0xa9e39161, 0x5ee61b08,
    0x6599855f, 0x14a06840, 0x8dffd880, 0x4d732731, 0x06061556, 0xca73a8c9,
};

/* floor(pi/2 * 2^126), least significant limb first. */
static const uint32_t pio2_limbs[PIO2_LIMBS] = {
    0xc06e0e68, 0x62633145, 0x10b4611a, 0x6487ed51,
};

static uint32_t table_word(int k)
{
    return (k < 0 || k >= TWO_OVER_PI_WORDS) ? 0 : two_over_pi[k];
}

/* 32 bits of 2/pi starting at bit pos (1 = first bit after the point); bits at pos <= 0
 * (before the point) are 0. */
static uint32_t bits32(int pos)
{
    int p = pos - 1 + 2 * LIMB_BITS;   /* pos >= -40 here: keep the division non-negative */
    int k = p / LIMB_BITS - 2, s = p % LIMB_BITS;

    if (s == 0)
        return table_word(k);
    return (table_word(k) << s) | (table_word(k + 1) >> (LIMB_BITS - s));
}

/* out[0..nout) = low nout limbs of a[0..na) * b[0..nb) (little-endian limbs). */
static void mul_limbs(const uint32_t *a, int na, const uint32_t *b, int nb,
                      uint32_t *out, int nout)
{
    for (int i = 0; i < nout; i++)
        out[i] = 0;
    for (int j = 0; j < nb; j++) {
        uint64_t carry = 0;
        for (int i = 0; i < na && i + j < nout; i++) {
            uint64_t t = (uint64_t)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint32_t)t;
            carry = t >> LIMB_BITS;
        }
        if (j + na < nout)
            out[j + na] = (uint32_t)carry;
    }
}

static int leading_zeros(const uint32_t *v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (v[i])
            return (n - 1 - i) * LIMB_BITS + __builtin_clz(v[i]);
    }
    return n * LIMB_BITS;
}

static void shift_left(uint32_t *v, int n, int bits)
{
    int q = bits / LIMB_BITS, r = bits % LIMB_BITS;

    for (int i = n - 1; i >= 0; i--) {
        uint32_t hi = i - q >= 0 ? v[i - q] : 0;
        uint32_t lo = i - q - 1 >= 0 ? v[i - q - 1] : 0;
        v[i] = r ? (hi << r) | (lo >> (LIMB_BITS - r)) : hi;
    }
}

/* 2^190 - v for a 190-bit fraction v >= 2^189 (two's complement, top two bits cleared). */
static void negate_fraction(uint32_t *v)
{
    uint64_t carry = 1;

    for (int i = 0; i < WINDOW_LIMBS; i++) {
        uint64_t t = (uint64_t)(uint32_t)~v[i] + carry;
        v[i] = (uint32_t)t;
        carry = t >> LIMB_BITS;
    }
    v[WINDOW_LIMBS - 1] &= 0x3fffffffu;
}

/* y[0] + y[1] = frac * 2^(-190) * pi/2, frac a non-zero 190-bit integer in v. */
static void fraction_times_pio2(uint32_t *v, double y[2])
{
    uint32_t prod[2 * PIO2_LIMBS], r[PIO2_LIMBS];
    int lz = leading_zeros(v, WINDOW_LIMBS);

    shift_left(v, WINDOW_LIMBS, lz);          /* value = v * 2^(-190 - lz) */
    /* top 128 bits T = v[2..5]: value ~ T * 2^(-126 - lz); times pi/2 = P * 2^-126 */
    mul_limbs(v + 2, PIO2_LIMBS, pio2_limbs, PIO2_LIMBS, prod, 2 * PIO2_LIMBS);
    for (int i = 0; i < PIO2_LIMBS; i++)
        r[i] = prod[i + PIO2_LIMBS];           /* R = T*P >> 128: value R * 2^(-124 - lz) */
    int s2 = leading_zeros(r, PIO2_LIMBS);
    shift_left(r, PIO2_LIMBS, s2);             /* value R' * 2^(-124 - lz - s2) */
    uint64_t hi64 = (uint64_t)r[3] << LIMB_BITS | r[2];
    uint64_t lo64 = (uint64_t)r[1] << LIMB_BITS | r[0];
    int64_t a = (int64_t)(hi64 >> 11);                          /* top 53 bits */
    int64_t b = (int64_t)(((hi64 & 0x7ff) << 42) | (lo64 >> 22)); /* next 53 bits */
    double y0 = (double)a * pow2(75 - 124 - lz - s2);
    double y1 = (double)b * pow2(22 - 124 - lz - s2);
    double s = force_double(y0 + y1);        /* renormalise: |y[1]| <= half an ulp of y[0] */
    y[1] = y1 - (s - y0);
    y[0] = s;
}

int __llvmlibc_rem_pio2_large(double x, double y[2])
{
    uint64_t u = asuint64(x);
    int q = (int)((u >> F64_MANT_BITS) & 0x7ff) - F64_EXP_BIAS - F64_MANT_BITS;
    uint64_t m = (u & ((1ull << F64_MANT_BITS) - 1)) | (1ull << F64_MANT_BITS);
    uint32_t w[WINDOW_LIMBS], v[WINDOW_LIMBS];
    const uint32_t mm[2] = {(uint32_t)m, (uint32_t)(m >> LIMB_BITS)};

    for (int j = 0; j < WINDOW_LIMBS; j++)
        w[WINDOW_LIMBS - 1 - j] = bits32(q - 1 + LIMB_BITS * j);
    mul_limbs(w, WINDOW_LIMBS, mm, 2, v, WINDOW_LIMBS);
    int n = (int)(v[WINDOW_LIMBS - 1] >> 30);
    v[WINDOW_LIMBS - 1] &= 0x3fffffffu;
    int negative = (v[WINDOW_LIMBS - 1] & 0x20000000u) != 0;   /* fraction >= 1/2 */
    if (negative) {
        n++;
        negate_fraction(v);
    }
    if (leading_zeros(v, WINDOW_LIMBS) == WINDOW_LIMBS * LIMB_BITS) {
        y[0] = y[1] = 0.0;                     /* unreachable: pi is irrational */
    } else {
        fraction_times_pio2(v, y);
    }
    if (negative != (x < 0)) {
        y[0] = -y[0];
        y[1] = -y[1];
    }
    return x < 0 ? -n : n;
}
