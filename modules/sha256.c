/* sha256: SHA-256 (FIPS 180-4 §6.2) of an 8 KiB buffer of LCG bytes (seed 7, the top byte of
 * each step), after checking the FIPS 180-2 appendix B.1 vector SHA-256("abc") =
 * ba7816bf...; a wrong self-test returns 0. Returns the first digest word (big-endian).
 * Expected value from Python's hashlib (tests/modules/reference.py). */
#include <fluid_module.h>

#define SHA_BUF_LEN     8192
#define SHA_SEED        7u
#define SHA_BLOCK       64
#define SHA_ABC_WORD0   0xba7816bfu
#define SHA_ABC_WORD7   0xf20015adu

/* UNROLL: how many of the 64 rounds clang unrolls (FLUID_UNROLL); 0 = the compiler's choice. */
#ifndef UNROLL
#define UNROLL 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x0db686e3, 0);
FLUID_PARAM(UNROLL, 0, 0, 1, 2, 4, 8, 16, 64);

#if UNROLL > 0
#define SHA_ROUND_LOOP FLUID_UNROLL(UNROLL)
#else
#define SHA_ROUND_LOOP
#endif

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

/* FIPS 180-4 §5.3.3: initial hash value. */
static const uint32_t h_init[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
    0x5be0cd19,
};

static uint8_t buffer[SHA_BUF_LEN];

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t h[8], const uint8_t *block)
{
    uint32_t w[64], v[8];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
               (uint32_t)block[4 * t + 2] << 8 | block[4 * t + 3];
    SHA_ROUND_LOOP
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    for (int i = 0; i < 8; i++)
        v[i] = h[i];
    SHA_ROUND_LOOP
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = v[7] + (ROTR(v[4], 6) ^ ROTR(v[4], 11) ^ ROTR(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[t] + w[t];
        uint32_t t2 = (ROTR(v[0], 2) ^ ROTR(v[0], 13) ^ ROTR(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        v[7] = v[6], v[6] = v[5], v[5] = v[4], v[4] = v[3] + t1;
        v[3] = v[2], v[2] = v[1], v[1] = v[0], v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

/* Whole blocks, then the padding of §5.1.1 (message length < 2^32 bits here). */
static void sha256(const uint8_t *msg, uint32_t len, uint32_t h[8])
{
    uint8_t last[2 * SHA_BLOCK];
    uint32_t full = len / SHA_BLOCK * SHA_BLOCK, rest = len - full;
    for (int i = 0; i < 8; i++)
        h[i] = h_init[i];
    for (uint32_t off = 0; off < full; off += SHA_BLOCK)
        compress(h, msg + off);
    for (uint32_t i = 0; i < sizeof last; i++)
        last[i] = i < rest ? msg[full + i] : 0;
    last[rest] = 0x80;
    uint32_t tail = rest + 9 <= SHA_BLOCK ? SHA_BLOCK : 2 * SHA_BLOCK;
    uint32_t bits = len * 8;
    for (int i = 0; i < 4; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (uint32_t off = 0; off < tail; off += SHA_BLOCK)
        compress(h, last + off);
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    static const uint8_t abc[3] = {'a', 'b', 'c'};
    uint32_t h[8], state = SHA_SEED;
    sha256(abc, sizeof abc, h);
    if (h[0] != SHA_ABC_WORD0 || h[7] != SHA_ABC_WORD7)
        return 0;
    for (uint32_t i = 0; i < SHA_BUF_LEN; i++)
        buffer[i] = (uint8_t)(fluid_lcg(&state) >> 24);
    sha256(buffer, SHA_BUF_LEN, h);
    return h[0];
}
