/* physics_step: velocity Verlet integration (Swope et al. 1982) of a chain of 64 unit
 * masses joined by unit springs, ends fixed, 400 steps of dt = 0.01, from a fixed
 * displacement pattern at rest. Returns round(1e9 * (E + 0.001 * sum((i+1) * x_i))), with E
 * the final kinetic plus spring energy: both the conserved quantity and the positions count.
 * x87 (80-bit) and SSE2 (64-bit) arithmetic differ in the last bits, hence the tolerance.
 * Expected value: the same integration in Python (tests/modules/reference.py). */
#include <fluid_module.h>

#define PHYS_N      64
#define PHYS_STEPS  400
#define PHYS_DT     0.01
#define PHYS_K      1.0
#define PHYS_SCALE  1e9

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x0533ed88, 4);

static double x[PHYS_N + 2], v[PHYS_N + 2], f[PHYS_N + 2];   /* x[0], x[N+1]: fixed ends */

static void forces(void)
{
    for (int i = 1; i <= PHYS_N; i++)
        f[i] = PHYS_K * (x[i + 1] - 2.0 * x[i] + x[i - 1]);
}

static double energy(void)
{
    double e = 0.0;
    for (int i = 1; i <= PHYS_N; i++)
        e += 0.5 * v[i] * v[i];
    for (int i = 0; i <= PHYS_N; i++)
        e += 0.5 * PHYS_K * (x[i + 1] - x[i]) * (x[i + 1] - x[i]);
    return e;
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    for (int i = 0; i < PHYS_N + 2; i++)
        x[i] = 0.0, v[i] = 0.0;
    for (int i = 1; i <= PHYS_N; i++)
        x[i] = ((i * 37) % 11 - 5) * 0.01;
    forces();
    for (int s = 0; s < PHYS_STEPS; s++) {
        for (int i = 1; i <= PHYS_N; i++) {
            v[i] += 0.5 * PHYS_DT * f[i];
            x[i] += PHYS_DT * v[i];
        }
        forces();
        for (int i = 1; i <= PHYS_N; i++)
            v[i] += 0.5 * PHYS_DT * f[i];
    }
    double q = energy();
    for (int i = 1; i <= PHYS_N; i++)
        q += 0.001 * (i + 1) * x[i];
    double scaled = q * PHYS_SCALE;
    return (uint32_t)(int32_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
}
