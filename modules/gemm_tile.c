/* gemm_tile: single-precision C = A * B for 64x64 matrices, blocked into TILE x TILE tiles (16 by default) (the
 * cache-blocking scheme of GEMM libraries: each tile of A and B is reused while hot). The
 * inputs are small integers, so every product and sum is exact in float and the result is
 * bit-identical on x87 and SSE. Returns a checksum of C as integers.
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define GEMM_N      64

/* TILE: the tile edge; every tile order gives the same exact sums. */
#ifndef TILE
#define TILE 16
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x37d52277, 0);
FLUID_PARAM(TILE, 16, 4, 8, 16, 32, 64);
_Static_assert(GEMM_N % TILE == 0, "TILE must divide the matrix size");

static float a[GEMM_N][GEMM_N], b[GEMM_N][GEMM_N], c[GEMM_N][GEMM_N];    /* (N, N) each */

static void fill(void)
{
    for (int i = 0; i < GEMM_N; i++)
        for (int j = 0; j < GEMM_N; j++) {
            a[i][j] = (float)((i * 3 + j * 5) % 7 - 3);
            b[i][j] = (float)((i * 2 + j * 7) % 5 - 2);
            c[i][j] = 0.0f;
        }
}

/* One tile product: C[i0.., j0..] += A[i0.., k0..] * B[k0.., j0..]. */
static void tile(int i0, int j0, int k0)
{
    for (int i = i0; i < i0 + TILE; i++)
        for (int k = k0; k < k0 + TILE; k++) {
            float aik = a[i][k];
            for (int j = j0; j < j0 + TILE; j++)
                c[i][j] += aik * b[k][j];
        }
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t sum = 0;
    fill();
    for (int i0 = 0; i0 < GEMM_N; i0 += TILE)
        for (int j0 = 0; j0 < GEMM_N; j0 += TILE)
            for (int k0 = 0; k0 < GEMM_N; k0 += TILE)
                tile(i0, j0, k0);
    for (int i = 0; i < GEMM_N; i++)
        for (int j = 0; j < GEMM_N; j++)
            sum = sum * 31u + (uint32_t)(int32_t)c[i][j];
    return sum;
}
