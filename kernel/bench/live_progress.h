/* A running module's figures for the live line's mid-run PROFILE frame (docs/live.md): what
 * the host needs to build for a module while it still runs. Filled from the suite's result
 * and the module's adaptive run between two of its calls (suite_runner.between_calls), written
 * as the frame's "running" object, and sent at most every LIVE_PROGRESS_MS of suite time.
 * Pure (no I/O, no clock of its own): the kernel's live.c sends it, host tests drive it. */
#ifndef FLUID_KERNEL_LIVE_PROGRESS_H
#define FLUID_KERNEL_LIVE_PROGRESS_H

#include <fluid/types.h>

#include "kernel/bench/json.h"
#include "kernel/bench/planner.h"
#include "kernel/bench/suite_stats.h"

/* One mid-run PROFILE a second of suite time at most: a frame of at most
 * LIVE_PROGRESS_JSON_MAX payload bytes takes 135 ms at 115200 baud on a real UART (10 bits a
 * byte). The figures take at most about 420 bytes, the candidate list at most 110 a candidate. */
#define LIVE_PROGRESS_MS        1000
#define LIVE_PROGRESS_JSON_MAX  1536

/* One candidate of the running module, as the host needs it to know what it sent. */
struct live_progress_candidate {
    uint32_t crc;               /* CRC-32 of its file */
    uint32_t flags_hash;        /* its header's cflags_hash: with the CRC, the build's key
                                 * (two files of the same code differ in it alone) */
    uint64_t median;            /* its last measured median, 0 if never measured */
    bool measured;
    bool demoted;
};

struct live_progress {
    const char *name;           /* the running module */
    uint32_t calls;             /* timed calls made so far (not the warm-up) */
    uint32_t planned_calls;     /* the run's call limit */
    uint32_t seconds;           /* suite.seconds, 0 when the run is bounded by calls only */
    uint64_t elapsed_ms;        /* since the module's first call, by the caller's clock */
    uint32_t variant;           /* the candidate in the dispatch slot */
    uint32_t candidates;        /* candidates of the run (baseline, variants, offers) */
    const char *label;          /* the slot's candidate's flags label */
    const char *source;         /* its source: "embedded", "cache", "variant", "offer" */
    uint64_t median;            /* median of the last min(calls, SUITE_MAX_CALLS) calls */
    uint32_t room;              /* newcomers the table could take now (planner_room) */
    uint32_t retired;           /* candidates retired so far */
    struct live_progress_candidate present[PLANNER_MAX_CANDIDATES];   /* `candidates` of them */
};

/* True when a frame is due: `interval` ticks since `last` (the clock may not go back; a
 * `now` below `last` is treated as no time passed). */
bool live_progress_due(uint64_t now, uint64_t last, uint64_t interval);

/* The lower middle of the first min(calls, SUITE_MAX_CALLS) samples of ring (the run's ring
 * of its latest calls' cycles, suite_run_adaptive's r->cycles); 0 when calls is 0. */
uint64_t live_progress_median(const uint64_t *ring, uint32_t calls);

/* p from r (its entry, its ring of samples and r->adaptive, which must be set) after `calls`
 * timed calls; planned_calls, seconds and elapsed_ms are the caller's. */
void live_progress_fill(struct live_progress *p, const struct suite_result *r, uint32_t calls);

/* The "running" key and its object: name, calls, planned_calls, seconds (null if 0),
 * elapsed_ms, variant, candidates, label, source, median, room, retired, present (one
 * object per candidate in index order: crc32, flags_hash, median, measured, demoted). */
void live_progress_write(struct json_out *j, const struct live_progress *p);

#endif
