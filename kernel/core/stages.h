/* Boot stages: the steps each kernel runs once its core is up (heap, module cache, suite, LLM
 * run, ...). Each kernel_main supplies its own table (kernel/main_i686.c, kernel/main_x86_64.c)
 * and hands it to run_stages, which logs `stage: NAME`, pauses between stages with the
 * `interactive` option, and logs `stage: NAME failed` or `stage: NAME skipped (why)`. */
#ifndef FLUID_KERNEL_CORE_STAGES_H
#define FLUID_KERNEL_CORE_STAGES_H

#include <fluid/types.h>

enum stage_flags {
    /* Runs only when every earlier stage succeeded (it needs what they set up). */
    STAGE_NEEDS_EARLIER = 1u << 0,
    /* Skipped when the command line asks for a self-test (`test=...`): the tests stop after
     * the stages they exercise. */
    STAGE_NOT_IN_TESTS = 1u << 1,
};

/* A stage returns true on success. A failed stage makes the kernel exit with the failure
 * status, but the stages after it that do not need it still run, so one log shows every
 * problem. */
struct stage {
    const char *name;
    bool (*run)(void);
    unsigned flags;         /* enum stage_flags */
};

/* Runs the count stages of table in order; returns true if none failed (a skipped stage is
 * not a failure: the failure that made it skip is already counted). */
bool run_stages(const struct stage *table, size_t count);

/* With the `interactive` option: says so and waits for a key (keyboard or serial). */
void stage_pause(const char *before);

#endif
