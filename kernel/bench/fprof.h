/* Per-function profiler: call counts and cycles for instrumented kernel functions, kept for
 * the profile (kernel/bench/profile.c) and the adaptive tiering that reads them later. A function
 * is instrumented explicitly:
 *     static int slot = FPROF_UNREGISTERED;
 *     uint64_t t0 = fprof_enter();  ... work ...  fprof_leave(&slot, "mod_check", t0);
 * Up to FPROF_MAX_FUNCTIONS names; later ones are counted in `dropped`. The clock is a
 * function pointer (the kernel's serialized tsc_read, or the host runner's rdtsc), so the
 * code is portable. Not reentrant and not for interrupt handlers. */
#ifndef FLUID_KERNEL_FPROF_H
#define FLUID_KERNEL_FPROF_H

#include <fluid/types.h>

#define FPROF_MAX_FUNCTIONS 128
#define FPROF_UNREGISTERED  (-1)
#define FPROF_FULL          (-2)

struct fprof_slot {
    const char *name;           /* static string */
    uint32_t calls;
    uint64_t cycles;            /* inclusive, timer overhead not subtracted */
    uint64_t max_cycles;
};

/* The clock; NULL (the default) makes every measurement 0 cycles but still counts calls. */
extern uint64_t (*fprof_clock)(void);

static inline uint64_t fprof_enter(void)
{
    return fprof_clock ? fprof_clock() : 0;
}

/* Adds one call of (now - t0) cycles to the function named `name`, registering it on the
 * first call (the id is cached in *slot). */
void fprof_leave(int *slot, const char *name, uint64_t t0);

/* The table: *count entries in registration order; *dropped calls found no free slot. */
const struct fprof_slot *fprof_table(uint32_t *count, uint32_t *dropped);

/* Forgets every entry (ids cached by callers stay valid for re-registration by name). */
void fprof_reset(void);

#endif
