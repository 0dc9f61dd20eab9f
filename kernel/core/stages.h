/* The list of boot stages that run after the core kernel is up (heap, module suite, cache,
 * ...), and the `interactive` pause between them. Later subsystems add their stage to the
 * table in stages.c. */
#ifndef FLUID_KERNEL_STAGES_H
#define FLUID_KERNEL_STAGES_H

#include <fluid/types.h>

/* A stage returns true on success; a failed stage makes the kernel exit with failure, but
 * the remaining stages still run so one log shows every problem. */
struct stage {
    const char *name;
    bool (*run)(void);
};

/* Runs every stage in order; returns true if all succeeded. */
bool run_stages(void);

/* With the `interactive` option: says so and waits for a key (keyboard or serial). */
void stage_pause(const char *before);

#endif
