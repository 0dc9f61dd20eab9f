/* matrix_mul: C = A * B for 48x48 int32 matrices filled from fixed formulas, naive
 * triple loop (i, k, j order). Returns a position-weighted checksum of C mod 2^32.
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define MM_N 48

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0xae177a91, 0);

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
    for (int i = 0; i < MM_N; i++)
        for (int k = 0; k < MM_N; k++)
            for (int j = 0; j < MM_N; j++)
                c[i][j] += a[i][k] * b[k][j];
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++)
            sum = sum * 31u + (uint32_t)c[i][j];
    return sum;
}
