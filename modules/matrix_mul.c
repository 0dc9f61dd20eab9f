/* matrix_mul: C = A * B for 48x48 int32 matrices filled from fixed formulas, naive
 * triple loop (i, k, j order), or with TILE > 0 the same loop over TILE x TILE blocks
 * (integer sums: any order gives the same C). Returns a position-weighted checksum of C mod 2^32.
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define MM_N 48

/* TILE: 0 = the untiled loop, else the block edge, a divisor of MM_N. */
#ifndef TILE
#define TILE 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0xae177a91, 0);
FLUID_PARAM(TILE, 0, 0, 8, 12, 16, 24);
_Static_assert(TILE == 0 || MM_N % TILE == 0, "TILE must divide the matrix size");

static int32_t a[MM_N][MM_N], b[MM_N][MM_N], c[MM_N][MM_N];    /* (MM_N, MM_N) each */

static void fill(void)
{
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            a[i][j] = (i * 7 + j * 3) % 17 - 8;
            b[i][j] = (i * 5 + j * 11) % 13 - 6;
            c[i][j] = 0;
        }
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t sum = 0;
    fill();
#if TILE == 0
    for (int i = 0; i < MM_N; i++)
        for (int k = 0; k < MM_N; k++)
            for (int j = 0; j < MM_N; j++)
                c[i][j] += a[i][k] * b[k][j];
#else
    for (int i0 = 0; i0 < MM_N; i0 += TILE)
        for (int k0 = 0; k0 < MM_N; k0 += TILE)
            for (int j0 = 0; j0 < MM_N; j0 += TILE)
                for (int i = i0; i < i0 + TILE; i++)
                    for (int k = k0; k < k0 + TILE; k++)
                        for (int j = j0; j < j0 + TILE; j++)
                            c[i][j] += a[i][k] * b[k][j];
#endif
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++)
            sum = sum * 31u + (uint32_t)c[i][j];
    return sum;
}
