/* The in-boot planner (docs/adaptive.md): decides which variant of a module runs. A module
 * has up to PLANNER_MAX_CANDIDATES candidates; candidate 0 is the baseline (the build the
 * suite would run without variants) and is never demoted by the planner. When the module's
 * call count reaches a threshold (default 100, 1000, 10000), planner_measure runs every
 * candidate still in the race in interleaved rounds (a short warm burst of each per round,
 * AAAABBBB AAAABBBB..., so a drift in the machine's speed hits all alike and each sample is
 * taken warm), PLANNER_SAMPLES timed calls each, checks each answer
 * through the caller's run function, and promotes the candidate with the smallest median if
 * it beats the current one. A candidate that answers wrongly, faults or times out, there or
 * on a suite call (planner_demote), is demoted at once and never chosen again this boot; if
 * it was running, the slot goes back to the previous tier. When the table is full and a new
 * candidate waits, planner_retire_choice names one that lost (demoted first, else the slowest
 * measured), never the baseline, the slot's or the tier a demotion would go back to, and
 * planner_retire frees its entry for the newcomer (at most PLANNER_MAX_RETIREMENTS a boot).
 * Pure (kernel, tools/hostrun, host tests): the clock and the calls come from the caller. */
#ifndef FLUID_KERNEL_PLANNER_H
#define FLUID_KERNEL_PLANNER_H

#include <fluid/types.h>

#define PLANNER_MAX_THRESHOLDS  8
#define PLANNER_MAX_CANDIDATES  8
#define PLANNER_SAMPLES         5       /* k: timed calls per candidate per threshold */
/* Each sample is taken warm. A candidate that just followed another runs cold: branch
 * predictors and caches hold the other's state. Measured on the host runner: quicksort, which
 * sorts the same keys on every call, costs 188,000 cycles on its first call and 42,000 from
 * the fifth on, as its branches are learned; timed cold, every candidate but the one in the
 * slot looked 2-3x slower. So each round runs a candidate in a burst of calls back to back,
 * every answer checked, until a call is not faster than the one before it by more than
 * 1/PLANNER_WARM_FRACTION (or PLANNER_MAX_BURST_CALLS calls); that last call is the sample.
 * Under a clock that does not warm up (-icount), a burst is 2 calls. */
#define PLANNER_WARM_FRACTION   16      /* "not faster by more than 1/16": warm */
#define PLANNER_MAX_BURST_CALLS 8       /* at most this many calls in one burst */
#define PLANNER_MAX_HISTORY     16      /* events kept per module; later ones are counted */
/* Entries a module may free for newcomers in one boot (the live search sends at most
 * LIVE_BUILD_BUDGET builds a module, tools/fluid/pgo/live.py, well under it): bounds the
 * profile's record of them and the offers' copies, which live for the boot. */
#define PLANNER_MAX_RETIREMENTS 32
#define PLANNER_NONE            UINT32_MAX  /* "no candidate" (planner_retire_choice) */
#define PLANNER_THRESHOLDS_DEFAULT "100,1000,10000"
#define PLANNER_TEXT_MAX        64      /* the thresholds option's length */

/* Every result of this subsystem. */
enum planner_err {
    PLANNER_OK = 0,
    PLANNER_E_SYNTAX,       /* the thresholds are not comma-separated decimal numbers */
    PLANNER_E_RANGE,        /* a threshold is 0 or over UINT32_MAX */
    PLANNER_E_ORDER,        /* the thresholds do not rise strictly */
    PLANNER_E_TOO_MANY,     /* more than PLANNER_MAX_THRESHOLDS thresholds */
    PLANNER_E_FULL,         /* more than PLANNER_MAX_CANDIDATES candidates */
    PLANNER_E_INVAL,        /* a NULL argument */
};

/* What one call of a candidate did (the caller checks the answer against the registry). */
enum planner_outcome {
    PLANNER_RUN_OK,
    PLANNER_RUN_WRONG,      /* returned a value the registry does not expect */
    PLANNER_RUN_FAULT,      /* a CPU exception stopped it */
    PLANNER_RUN_TIMEOUT,    /* ran past its time budget */
};

/* Why the slot changed (the profile's "reason"). */
enum planner_reason {
    PLANNER_REASON_FASTER,      /* the planner measured it faster */
    PLANNER_REASON_WRONG,       /* the running variant answered wrongly: back a tier */
    PLANNER_REASON_FAULT,       /* it faulted */
    PLANNER_REASON_TIMEOUT,     /* it ran out of time */
    PLANNER_REASON_WISDOM,      /* a decision of an earlier boot (no measuring) */
    PLANNER_REASON_RETIRED,     /* not a slot change: a losing candidate left the table */
    PLANNER_REASON_COUNT
};

struct planner_config {
    bool enabled;                       /* planner=off clears it */
    bool swap_every_call;               /* test mode: rotate the slot on every call */
    uint32_t thresholds[PLANNER_MAX_THRESHOLDS];
    uint32_t threshold_count;
    uint64_t (*clock)(void);            /* counts the planner's own cycles; may be NULL */
};

struct planner_candidate {
    const char *label;                  /* flags label, for logs and the profile */
    bool demoted;
    bool measured;                      /* median is a measurement (the planner ran it) */
    enum planner_reason demoted_for;
    uint64_t median;                    /* of its last measurement; 0 if never measured */
};

/* One change of the slot. */
struct planner_event {
    uint32_t call;                      /* the module's call index when it happened */
    uint32_t from, to;                  /* candidate indices */
    uint64_t from_median, to_median;    /* measured medians (0 where not measured) */
    enum planner_reason reason;
};

struct planner_module {
    uint32_t count;                     /* candidates */
    uint32_t current;                   /* the candidate in the slot */
    uint32_t previous[PLANNER_MAX_CANDIDATES];  /* tiers below current, a stack */
    uint32_t depth;                     /* entries in previous[] */
    uint32_t next_threshold;            /* index into the config's thresholds */
    uint32_t measurements;              /* thresholds at which the planner measured */
    uint32_t planner_calls;             /* calls the planner made itself */
    uint64_t planner_cycles;            /* clock cycles inside planner_measure */
    uint64_t swaps;                     /* swap_every_call rotations */
    uint32_t retirements;               /* entries freed by planner_retire this boot */
    struct planner_candidate c[PLANNER_MAX_CANDIDATES];
    struct planner_event history[PLANNER_MAX_HISTORY];
    uint32_t history_count;             /* events kept */
    uint32_t history_dropped;           /* events past PLANNER_MAX_HISTORY */
};

/* Runs candidate `candidate` once for the module's call `call`; returns what happened and,
 * on PLANNER_RUN_OK, its time in *cycles (overheads already subtracted). */
typedef enum planner_outcome (*planner_run_fn)(void *ctx, uint32_t candidate, uint32_t call,
                                               uint64_t *cycles);

/* The defaults: enabled, PLANNER_THRESHOLDS_DEFAULT, no swapping, no clock. */
void planner_config_default(struct planner_config *cfg);

/* Parses "100,1000,10000" into cfg's thresholds (left untouched on error). */
enum planner_err planner_parse_thresholds(const char *text, struct planner_config *cfg);

/* Empties pm; candidate 0 (the baseline) is in the slot. */
void planner_module_init(struct planner_module *pm);

/* Adds a candidate; returns its index in *index. PLANNER_E_FULL past the table. */
enum planner_err planner_add(struct planner_module *pm, const char *label, uint32_t *index);

/* True if the module's call `call` (0-based: `call` calls were made before it) is a
 * threshold the planner has not measured at yet, there are two candidates or more and the
 * planner is enabled. */
bool planner_due(const struct planner_module *pm, const struct planner_config *cfg,
                 uint32_t call);

/* Measures every candidate not demoted, interleaved, PLANNER_SAMPLES rounds, and promotes
 * the fastest if it beats the current one (strictly smaller median); demotes a candidate
 * that fails on the spot. Moves past the threshold. Returns the candidate in the slot. */
uint32_t planner_measure(struct planner_module *pm, const struct planner_config *cfg,
                         uint32_t call, planner_run_fn run, void *ctx);

/* planner_measure for candidates that arrived between thresholds (kernel/bench/offer.h): the
 * same rounds and decision at once, without moving past a threshold. */
uint32_t planner_measure_now(struct planner_module *pm, const struct planner_config *cfg,
                             uint32_t call, planner_run_fn run, void *ctx);

/* Demotes candidate `which` for `reason` (a failure seen at `call`); if it is in the slot,
 * the slot goes back to the previous tier not demoted (the baseline at worst), recorded as
 * an event. Returns the candidate in the slot. The baseline (0) is never demoted: a failure
 * there is the module's own failure, for the suite to report. */
uint32_t planner_demote(struct planner_module *pm, uint32_t which, enum planner_reason reason,
                        uint32_t call);

/* The fallback tier: the candidate a demotion of the one in the slot would go back to (the
 * newest tier below it not demoted; the baseline at worst). */
uint32_t planner_fallback(const struct planner_module *pm);

/* The candidate to retire for a newcomer, or PLANNER_NONE: never the baseline, the slot's,
 * the fallback tier or one not yet measured; among the rest a demoted one first (the lowest
 * index), else the measured one with the largest median (the lowest index on a tie).
 * PLANNER_NONE too once PLANNER_MAX_RETIREMENTS were made. */
uint32_t planner_retire_choice(const struct planner_module *pm);

/* How many newcomers the table could take now: its free entries plus the candidates that
 * could be retired one after another (each newcomer is unmeasured, so it is never the next
 * one retired), within the retirements left. */
uint32_t planner_room(const struct planner_module *pm);

/* Retires candidate `which` at `call` (it must be planner_retire_choice's kind: false, and
 * nothing changed, for the baseline, the slot's, the fallback or an unmeasured one): records
 * a "retired" event (from `which`, to the slot's, with its median), drops it from the tiers
 * below the slot, and empties its entry for planner_reuse. */
bool planner_retire(struct planner_module *pm, uint32_t which, uint32_t call);

/* Makes entry `which` (emptied by planner_retire) a new candidate labelled `label`. */
void planner_reuse(struct planner_module *pm, uint32_t which, const char *label);

/* Puts candidate `which` in the slot for `reason` (wisdom) at `call`, recorded as an event;
 * false if it is out of range or demoted. */
bool planner_select(struct planner_module *pm, uint32_t which, enum planner_reason reason,
                    uint32_t call);

/* swap_every_call: the next candidate not demoted after the current one, in the slot. */
uint32_t planner_rotate(struct planner_module *pm);

/* "faster", "wrong_result", "fault", "timeout", "wisdom", "retired"; "?" otherwise. */
const char *planner_reason_name(enum planner_reason reason);

/* The median of v[0..n) (the lower middle for even n), n <= PLANNER_SAMPLES; v is sorted. */
uint64_t planner_median(uint64_t *v, uint32_t n);

/* A short description of an enum planner_err value; "unknown planner error" outside it. */
const char *planner_strerror(enum planner_err err);

#endif
