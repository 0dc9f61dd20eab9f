/* A module's adaptive run (docs/adaptive.md): every candidate build of the module is placed at
 * once, each image in its own page-aligned memory from the runner's acquire (ring-3 rights
 * set per image by the runner's protect), and every call goes through a dispatch slot, the
 * pointer to the candidate that runs. The slot is read with an acquire load before each call
 * and replaced with a release store between calls only (by the planner's decision, a
 * demotion, or the swap test's rotation), so a call runs one whole variant: its code, data
 * and entry as one published unit. The planner (kernel/bench/planner.h) measures the
 * candidates at its thresholds; a variant that answers wrongly, faults or times out is
 * demoted at once and its call run again on the previous tier, so every call has a correct
 * answer or the module (its baseline) failed. Variants offered while the module runs
 * (kernel/bench/offer.h) join its candidates between two calls and are measured at once; when
 * the table is full, a candidate that lost (planner_retire_choice) leaves it for them, its
 * image released, its record kept in ad->retired.
 * Portable like suite_run.c (kernel, tools/hostrun, host tests): no I/O; what happened is in
 * struct suite_adaptive for the caller to log and the profile to write. */
#ifndef FLUID_KERNEL_SUITE_ADAPT_H
#define FLUID_KERNEL_SUITE_ADAPT_H

#include "kernel/bench/planner.h"
#include "kernel/bench/suite_run.h"
#include "kernel/bench/wisdom.h"

/* One candidate: a build of the module, placed for the run. */
struct suite_variant {
    const char *label;                  /* flags label ("-O3 -msse2") */
    const char *source;                 /* "embedded", "cache" or "variant" */
    const char *path;                   /* the variant's file ("SUM/V01.MOD"), or NULL */
    uint32_t crc;                       /* CRC-32 of its file (0 for the baseline) */
    const uint8_t *file;
    uint32_t size;
    struct mod_info info;               /* set by placement */
    void *mem;                          /* NULL: not placed */
    uint32_t code_addr, entry;
    char error[SUITE_ERROR_LEN];        /* why it was not placed, or why it was demoted */
    char own_label[FLUID_MOD_CFLAGS_LEN];   /* the label of an offer (label points here) */
};

/* A candidate retired for a newcomer (its table entry reused): what the profile says of it. */
struct suite_retired {
    uint32_t index;                     /* the table entry it left */
    uint32_t call;                      /* the module's call index when it left */
    uint32_t crc;                       /* CRC-32 of its file (0 for none known) */
    uint64_t median;                    /* its last measured median (0: never measured) */
    bool demoted;
    enum planner_reason demoted_for;
    const char *source;                 /* "variant", "offer" */
    char label[FLUID_MOD_CFLAGS_LEN];
};

/* The slot: only ever read with __atomic_load_n(ACQUIRE), written with RELEASE. */
struct dispatch_slot {
    struct suite_variant *current;
};

/* What a module's adaptive run did, for the log and the profile. */
struct suite_adaptive {
    struct planner_module pm;           /* candidates, decisions, history, planner cycles */
    struct suite_variant v[PLANNER_MAX_CANDIDATES];
    uint32_t count;                     /* candidates offered (placed or not) */
    uint32_t calls;                     /* module calls made by the suite (re-runs included) */
    uint32_t reruns;                    /* calls run again after a demotion */
    uint64_t cycles;                    /* clock cycles of those calls, overheads removed */
    uint32_t wrong_answers;             /* answers a demoted variant got wrong (never kept) */
    uint64_t answers_checked;           /* calls whose answer was checked against the
                                         * registry: the suite's and the planner's, every one
                                         * that returned (the warm-up is not counted) */
    struct wisdom_key keys[PLANNER_MAX_CANDIDATES];  /* each candidate's identity */
    uint32_t wisdom_start;              /* wisdom's choice to start on (0: the baseline) */
    bool wisdom_fixed;                  /* a wisdom hit: the slot starts there, no measuring */
    const char *wisdom;                 /* "hit", "miss", "invalidated", "off"; NULL: none */
    uint32_t seconds;                   /* suite.seconds of the run, 0: bounded by calls */
    uint64_t run_cycles;                /* clock ticks from the first timed call to the end
                                         * of the last: the run's length, everything in it */
    /* The live line while this module ran (set by the kernel's suite, docs/live.md): frames
     * ended during its run; VARIANT frames naming it received whole, accepted, rejected.
     * The profile writes them when received is not 0. */
    struct { uint32_t frames, received, accepted, rejected; } live;
    struct suite_retired retired[PLANNER_MAX_RETIREMENTS];  /* in order; pm.retirements of them */
};

/* Empties ad and offers the baseline (candidate 0: the bytes the suite would run). */
void suite_adapt_init(struct suite_adaptive *ad, const uint8_t *file, uint32_t size,
                      const char *source);

/* Offers one more candidate; false (nothing added) when PLANNER_MAX_CANDIDATES are there. */
bool suite_adapt_offer(struct suite_adaptive *ad, const uint8_t *file, uint32_t size,
                       const char *label, const char *path, uint32_t crc);

/* Fills ad->keys: each candidate's file CRC-32 and header flags hash (0 if unreadable). */
void suite_adapt_keys(struct suite_adaptive *ad);

/* The failure text of the candidate a history event names (ev->from), or NULL when that
 * candidate's entry was retired at or after the event and taken by a newcomer: the text in
 * the entry is then the newcomer's, and ad->retired says what the old one was demoted for. */
const char *suite_adapt_event_error(const struct suite_adaptive *ad,
                                    const struct planner_event *ev);

/* Runs module e for `calls` timed calls (after one warm-up call on the baseline) through the
 * dispatch slot, the planner deciding by cfg; fills *r as suite_run_one does (its samples are
 * the last SUITE_MAX_CALLS calls, its info/source those of the candidate in the slot at the
 * end) and points r->adaptive at ad. A candidate other than the baseline that cannot be
 * placed is left out (v[i].error says why). Returns r->passed. */
bool suite_run_adaptive(const struct suite_runner *rn, const struct planner_config *cfg,
                        const struct suite_entry *e, uint32_t calls, struct suite_adaptive *ad,
                        struct suite_result *r);

#endif
