/* Running one registered module, the same way in the kernel (kernel/bench/suite.c, with
 * guard_call and a static arena) and in the 32-bit host runner (tools/hostrun, with signals
 * and mmap): check the file, place it, one warm-up call (not timed, excluded from the
 * statistics), then `calls` timed calls, each checked against the registry's answer.
 * The environment supplies memory, the guarded call and the clock through struct
 * suite_runner; this file has no I/O, so host tests drive it with fakes. */
#ifndef FLUID_KERNEL_SUITE_RUN_H
#define FLUID_KERNEL_SUITE_RUN_H

#include "kernel/bench/suite_stats.h"

enum suite_call_outcome { SUITE_CALL_OK, SUITE_CALL_FAULT, SUITE_CALL_TIMEOUT };

struct suite_runner {
    void *ctx;
    uint32_t cpu_features;          /* FLUID_FEAT_* of this CPU */
    uint32_t calls;                 /* timed calls per module, <= SUITE_MAX_CALLS */
    uint64_t timer_overhead;        /* subtracted from each sample (never below 0) */
    uint64_t (*clock)(void);        /* serialized cycle counter */
    /* Memory for an image of `size` bytes aligned to `align`: returns the pointer and the
     * address the code runs at (*run_addr), or NULL. Released by `release`. */
    void *(*acquire)(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr);
    void (*release)(void *ctx, void *mem, uint32_t size);
    /* Calls entry(mctx) under a fault/time guard; on SUITE_CALL_FAULT fills vector/eip. */
    enum suite_call_outcome (*call)(void *ctx, uint32_t entry,
                                    const struct fluid_module_ctx *mctx, uint32_t *result,
                                    uint32_t *vector, uint32_t *eip);
};

/* Runs entry e from bytes file[0..size) (the registry's, or a cache file's); fills *r
 * completely (r->source is set to `source`). Returns r->passed. */
bool suite_run_one(const struct suite_runner *rn, const struct suite_entry *e,
                   const uint8_t *file, uint32_t size, const char *source,
                   struct suite_result *r);

#endif
