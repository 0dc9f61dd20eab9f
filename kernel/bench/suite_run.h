/* Running one registered module, the same way in the kernel (kernel/bench/suite.c, with
 * guard_call and a static arena) and in the 32-bit host runner (tools/hostrun, with signals
 * and mmap): check the file, place it, one warm-up call (not timed, excluded from the
 * statistics), then `calls` timed calls, each checked against the registry's answer.
 * Each sample is the clock delta around the call minus the clock's own overhead and the
 * cost of a call that does nothing, so it measures the module, not the way in and out.
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
    uint64_t call_overhead;         /* the cost of `call` around a module that returns at
                                     * once (suite_call_overhead); subtracted as well */
    uint64_t (*clock)(void);        /* serialized cycle counter */
    /* Memory for an image of `size` bytes aligned to `align`: returns the pointer and the
     * address the code runs at (*run_addr), or NULL. Released by `release`. */
    void *(*acquire)(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr);
    void (*release)(void *ctx, void *mem, uint32_t size);
    /* Optional (NULL: nothing to do): after placement, gives the image at mem the rights it
     * runs with (code read-only and executable, data and bss writable). False if it cannot. */
    bool (*protect)(void *ctx, void *mem, const struct mod_info *info);
    /* Calls entry(mctx) under a fault/time guard (and, in the kernel, in ring 3); on
     * SUITE_CALL_FAULT fills *fault. */
    enum suite_call_outcome (*call)(void *ctx, uint32_t entry,
                                    const struct fluid_module_ctx *mctx, uint32_t *result,
                                    struct suite_fault *fault);
    /* Optional (NULL: nothing): called between two calls of a module running through its
     * dispatch slot (suite_adapt.c), outside every timed region, with the module's result so
     * far (r->adaptive set, r->cycles the ring of its latest samples) and its timed calls
     * made; the kernel sends the running module's figures on the live line there and takes
     * the host's frames, so variants for the running module can join it. */
    void (*between_calls)(void *ctx, const struct suite_result *r, uint32_t calls);
    /* 0, or: a module's adaptive run ends once this many clock ticks have passed since its
     * first timed call (suite.seconds), after one call at least; `calls` still bounds it. */
    uint64_t run_ticks;
};

/* The smallest of `rounds` clock deltas around rn->call of null_entry, a function that
 * returns at once, minus rn->timer_overhead (never below 0): what every module call pays to
 * get in and out (the guard, and the privilege switches where modules run in ring 3).
 * 0 if the null entry does not return normally. */
uint64_t suite_call_overhead(const struct suite_runner *rn, uint32_t null_entry,
                             uint32_t rounds);

/* One guarded call of entry as the module's call `index` (0: the warm-up), r->result set;
 * false, with r->status and r->error saying what stopped it, if it did not return normally.
 * r->code_addr must be the image's address (for the fault's image offset). */
bool suite_call_once(const struct suite_runner *rn, struct suite_result *r, uint32_t entry,
                     uint32_t index);

/* True if r->result is what r->entry expects (always, for entries that expect no value);
 * otherwise r->status is SUITE_WRONG_RESULT and r->error names the call. */
bool suite_check_answer(struct suite_result *r, uint32_t index);

/* Runs entry e from bytes file[0..size) (the registry's, or a cache file's); fills *r
 * completely (r->source is set to `source`). Returns r->passed. */
bool suite_run_one(const struct suite_runner *rn, const struct suite_entry *e,
                   const uint8_t *file, uint32_t size, const char *source,
                   struct suite_result *r);

#endif
