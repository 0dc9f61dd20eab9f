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

/* Between two calls of a module in its dispatch slot: at most every LIVE_CALL_POLL_MS of
 * suite time, and only when a byte is already waiting at COM2 (one status read otherwise),
 * takes the host's frames as live_poll does, without sending a PROFILE. A long run thereby
 * adopts variants sent for the module it is running. A host that holds its bytes until RTS
 * (hardware flow control) is heard at the next module boundary instead. */
void live_poll_between_calls(uint32_t cpu_features);

/* Stage "live-end": a last PROFILE, listening for live.linger ms or until BYE, then the
 * {"live": ...} JSON line on COM1. Never fails the run. */
bool live_end_stage(void);

#endif
