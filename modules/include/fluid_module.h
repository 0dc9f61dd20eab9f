/* The module SDK: what a benchmark module source includes. A module is one freestanding C file
 * in modules/ that defines
 *     uint32_t fluid_main(const struct fluid_module_ctx *ctx);
 * and declares, at file scope, the facts tools/mkmod.py reads from the source text:
 *     FLUID_MODULE_VERSION(n);          the workload's version (bump when the answer changes)
 *     FLUID_EXPECT(value, tolerance);   the correct result; |result - value| <= tolerance
 * Both take integer literals. The expected value goes into the kernel's registry, generated
 * at build time, so a recompiled .mod cannot vouch for its own answer.
 * A module may declare compile-time tuning parameters the PGO loop searches (docs/pgo.md):
 *     #ifndef TILE
 *     #define TILE 16                   the default: the embedded build
 *     #endif
 *     FLUID_PARAM(TILE, 16, 4, 8, 16, 32, 64);   name, default, every candidate value
 * Integer literals; the default must be a candidate and match the #define. A variant is built
 * with -DTILE=8; its answer must not depend on any parameter (the same FLUID_EXPECT).
 * Test-only modules (tests/modules/bad/) declare instead
 *     FLUID_EXPECT_OUTCOME(fault | timeout | rejected | ok);   (ok: with FLUID_EXPECT)
 *     FLUID_CORRUPT(none | magic | crc | header_crc | size | entry | features);
 * Nothing here allocates or calls the kernel: a module is a pure function of its inputs. It
 * runs in ring 3 and may touch only its own image and stack (docs/module-format.md). */
#ifndef FLUID_MODULE_SDK_H
#define FLUID_MODULE_SDK_H

#include <fluid/module.h>

#define FLUID_SDK_CAT2_(a, b) a##b
#define FLUID_SDK_CAT_(a, b) FLUID_SDK_CAT2_(a, b)
#define FLUID_SDK_DECL_(what) \
    _Static_assert(what, "fluid module declaration"); \
    typedef int FLUID_SDK_CAT_(fluid_sdk_decl_, __LINE__)

#define FLUID_MODULE_VERSION(n)          FLUID_SDK_DECL_((n) > 0)
#define FLUID_EXPECT(value, tolerance)   FLUID_SDK_DECL_((tolerance) >= 0 && (value) == (value))
#define FLUID_EXPECT_OUTCOME(what)       FLUID_SDK_DECL_(1)
#define FLUID_CORRUPT(what)              FLUID_SDK_DECL_(1)
#define FLUID_PARAM(name, def, ...)      FLUID_SDK_DECL_((name) == (name))

/* Loop pragmas a parameter can select: FLUID_UNROLL(n) before a loop asks clang to unroll it
 * n times (1: not at all); modules leave the loop unmarked for the default, the compiler's
 * choice. */
#define FLUID_PRAGMA_(text)              _Pragma(#text)
#define FLUID_UNROLL(n)                  FLUID_PRAGMA_(clang loop unroll_count(n))

/* The entry point; the linker script (modules/module.ld) makes it the ELF entry. */
uint32_t fluid_main(const struct fluid_module_ctx *ctx);

/* Keeps a value live so the optimiser cannot delete the work that produced it. */
#define FLUID_KEEP(x) __asm__ volatile("" : : "g"(x) : "memory")

/* Freestanding helpers every module may use, from the libs/llvmlibc build every module
 * links statically (modules/rules.mk). */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Deterministic pseudo-random numbers: Numerical Recipes' LCG (Press et al., 2nd ed. §7.1). */
#define FLUID_LCG_MUL 1664525u
#define FLUID_LCG_ADD 1013904223u
static inline uint32_t fluid_lcg(uint32_t *state)
{
    *state = *state * FLUID_LCG_MUL + FLUID_LCG_ADD;
    return *state;
}

#endif
