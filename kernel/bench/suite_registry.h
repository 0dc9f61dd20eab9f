/* The module registry: every benchmark module embedded in the kernel image, with the answer
 * it must give. Generated at build time by tools/mkmod.py registry from the sources in modules/ and
 * tests/modules/bad/ (build/gen/modules/<variant>/registry.c); the expected values come
 * from the sources' FLUID_EXPECT lines, never from the .mod file itself. */
#ifndef FLUID_KERNEL_SUITE_REGISTRY_H
#define FLUID_KERNEL_SUITE_REGISTRY_H

#include <fluid/types.h>

/* What a module's run must end in to count as correct. */
enum suite_expect {
    SUITE_EXPECT_VALUE,         /* returns expected (+- tolerance) */
    SUITE_EXPECT_FAULT,         /* test module: a CPU exception */
    SUITE_EXPECT_TIMEOUT,       /* test module: runs past its budget */
    SUITE_EXPECT_REJECTED,      /* test module: the loader refuses it */
    SUITE_EXPECT_TEST_OK,       /* test module: misbehaves, yet returns expected (+- tolerance)
                                 * and must pass; runs only with the other test modules */
    SUITE_EXPECT_COUNT
};

struct suite_entry {
    const char *name;
    const uint8_t *mod;         /* the .mod file bytes, 16-byte aligned */
    uint32_t mod_size;
    enum suite_expect expect;
    uint32_t expected;          /* SUITE_EXPECT_VALUE: the 32-bit result */
    uint32_t tolerance;         /* |result - expected| allowed, as signed 32-bit values */
};

extern const struct suite_entry suite_registry[];
extern const uint32_t suite_registry_count;

#endif
