/* The live line (docs/live.md): COM2 carries frames (kernel/bench/live_frame.h) between the
 * running suite and a host loop (make pgo-live). The "live" stage brings COM2 up and sends
 * HELLO; the suite calls live_poll between module runs, which sends a PROFILE frame and takes
 * what the host sent, bounded in time; each VARIANT is checked like a cache file and, if
 * good, offered to the registered handler and ACKed, else NAKed with its reason. The
 * "live-end" stage listens a last time (live.linger=MS, until BYE) and prints the one-line
 * JSON summary {"live": ...}. No UART at COM2, or `live=0`: live mode stays off, said once.
 * Kernel only. */
#ifndef FLUID_KERNEL_LIVE_H
#define FLUID_KERNEL_LIVE_H

#include <fluid/types.h>

#include "kernel/bench/suite_stats.h"

#define LIVE_LINGER_MAX_MS  600000  /* the largest live.linger accepted (ten minutes) */

/* Who gets a checked variant: the planner's entry (adaptive runtime), joined by the caller.
 * offer returns 0 when it took the variant, else a code that reason() words. bytes are
 * valid only during the call; origin is "live". */
struct live_offer_handler {
    const char *name;
    int (*offer)(const char *module, const uint8_t *bytes, uint32_t size, const char *origin);
    const char *(*reason)(int code);
};

/* Replaces the handler; NULL restores the built-in one, which logs and counts each offer
 * (the JSON then says "handler": "log-only"). */
void live_register_offer(const struct live_offer_handler *h);

/* Stage "live": COM2 up (unless `live=0`) and HELLO sent. Never fails the run. */
bool live_stage(void);

/* Between module runs: PROFILE with results[0..n), then the host's frames, at most
 * LIVE_POLL_BUDGET_MS (+ LIVE_GAP_MS to declare a stalled frame truncated). cpu_features
 * (FLUID_FEAT_*) is what a VARIANT is checked against. Does nothing when live mode is off. */
void live_poll(uint32_t cpu_features, const struct suite_result *results, uint32_t n);

/* What the line did while one module ran, and for it (the profile's per-module "live"). */
struct live_module_counts {
    uint32_t frames;            /* frames ended while it ran (taken or refused) */
    uint32_t received;          /* VARIANT frames naming it that arrived whole, any time */
    uint32_t accepted, rejected;    /* of those: taken by the handler, refused */
};

/* Before a module's run through its dispatch slot: its name, the run's call limit and
 * suite.seconds (0: none), for the mid-run PROFILE frames; starts their clock. */
void live_run_begin(const char *name, uint32_t planned_calls, uint32_t seconds);

/* After it: the counts for the module live_run_begin named. All 0 when live mode is off. */
void live_run_end(struct live_module_counts *out);

/* Between two calls of a module in its dispatch slot (r: its result so far, r->adaptive set;
 * calls: its timed calls made). Every LIVE_PROGRESS_MS (live_progress.h) of suite time a
 * PROFILE frame with the running module's figures ("running": calls, median so far, the
 * slot's variant and label); at most every LIVE_CALL_POLL_MS, and only when a byte is
 * already waiting at COM2 (one status read otherwise), the host's frames as live_poll takes
 * them. A long run thereby adopts variants built for the module it is running. Bound: the
 * frame is at most LIVE_PROGRESS_JSON_MAX + 20 bytes (135 ms at 115200 baud); a line that
 * stops draining is given up at once (com2_write's bounded wait per byte), never waited on
 * again. A host that holds its bytes until RTS (hardware flow control) is heard at the next
 * module boundary instead. */
void live_poll_between_calls(uint32_t cpu_features, const struct suite_result *r,
                             uint32_t calls);

/* Stage "live-end": a last PROFILE, listening for live.linger ms or until BYE, then the
 * {"live": ...} JSON line on COM1. Never fails the run. */
bool live_end_stage(void);

#endif
