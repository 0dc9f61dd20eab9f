/* The planner's decisions (contract in planner.h): thresholds, interleaved measuring, medians,
 * promotion and demotion. No I/O and no clock of its own, so the host tests drive it with a
 * fake clock and fake variants and the kernel and the host runner share it. */
#include "kernel/bench/planner.h"

#include <string.h>

#include "kernel/lib/sort.h"

#define DECIMAL_BASE 10u

void planner_config_default(struct planner_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = true;
    planner_parse_thresholds(PLANNER_THRESHOLDS_DEFAULT, cfg);
}

enum planner_err planner_parse_thresholds(const char *text, struct planner_config *cfg)
{
    uint32_t v[PLANNER_MAX_THRESHOLDS], n = 0;
    if (!text || !cfg)
        return PLANNER_E_INVAL;
    for (const char *p = text;; p++) {
        uint64_t x = 0;         /* wide: an overflow is seen, not wrapped */
        const char *start = p;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((x = x * DECIMAL_BASE + (uint64_t)(*p - '0')) > UINT32_MAX)
                return PLANNER_E_RANGE;
        if (p == start || (*p && *p != ','))
            return PLANNER_E_SYNTAX;
        if (x == 0)
            return PLANNER_E_RANGE;
        if (n == PLANNER_MAX_THRESHOLDS)
            return PLANNER_E_TOO_MANY;
        if (n && x <= v[n - 1])
            return PLANNER_E_ORDER;
        v[n++] = (uint32_t)x;
        if (!*p)
            break;
    }
    memcpy(cfg->thresholds, v, n * sizeof v[0]);
    cfg->threshold_count = n;
    return PLANNER_OK;
}

void planner_module_init(struct planner_module *pm)
{
    memset(pm, 0, sizeof *pm);
}

enum planner_err planner_add(struct planner_module *pm, const char *label, uint32_t *index)
{
    if (!pm || !index)
        return PLANNER_E_INVAL;
    if (pm->count == PLANNER_MAX_CANDIDATES)
        return PLANNER_E_FULL;
    memset(&pm->c[pm->count], 0, sizeof pm->c[0]);
    pm->c[pm->count].label = label ? label : "";
    *index = pm->count++;
    return PLANNER_OK;
}

static uint32_t active(const struct planner_module *pm)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < pm->count; i++)
        n += !pm->c[i].demoted;
    return n;
}

bool planner_due(const struct planner_module *pm, const struct planner_config *cfg,
                 uint32_t call)
{
    return cfg->enabled && !cfg->swap_every_call && active(pm) >= 2 &&
           pm->next_threshold < cfg->threshold_count &&
           call == cfg->thresholds[pm->next_threshold];
}

static void record(struct planner_module *pm, uint32_t call, uint32_t from, uint32_t to,
                   enum planner_reason reason)
{
    if (pm->history_count == PLANNER_MAX_HISTORY) {
        pm->history_dropped++;
        return;
    }
    pm->history[pm->history_count++] = (struct planner_event){
        call, from, to, pm->c[from].median, pm->c[to].median, reason};
}

/* Takes every occurrence of candidate `which` out of the tiers below the slot. */
static void drop_tier(struct planner_module *pm, uint32_t which)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < pm->depth; i++)
        if (pm->previous[i] != which)
            pm->previous[n++] = pm->previous[i];
    pm->depth = n;
}

/* The slot moves to `to`; the one it leaves becomes the newest tier below it. A candidate is
 * kept once in the stack (its newest place), so the stack never holds more than
 * PLANNER_MAX_CANDIDATES - 1 entries however often the slot moves, and no tier is lost. */
static void move_to(struct planner_module *pm, uint32_t to, uint32_t call,
                    enum planner_reason reason)
{
    record(pm, call, pm->current, to, reason);
    drop_tier(pm, pm->current);
    drop_tier(pm, to);
    pm->previous[pm->depth++] = pm->current;
    pm->current = to;
}

uint64_t planner_median(uint64_t *v, uint32_t n)
{
    if (n == 0)
        return 0;
    sort_u64(v, n);
    return v[(n - 1) / 2];
}

static enum planner_reason reason_of(enum planner_outcome out)
{
    return out == PLANNER_RUN_WRONG ? PLANNER_REASON_WRONG
         : out == PLANNER_RUN_FAULT ? PLANNER_REASON_FAULT : PLANNER_REASON_TIMEOUT;
}

/* True once a burst's call took `now` after `before`: no faster by more than 1/FRACTION. */
static bool warm(uint64_t before, uint64_t now)
{
    return now >= before - before / PLANNER_WARM_FRACTION;
}

/* Runs candidate i back to back until it is warm (planner.h); its last call's time in
 * *cycles. Stops at the first call that does not run correctly. */
static enum planner_outcome burst(struct planner_module *pm, uint32_t i, uint32_t call,
                                  planner_run_fn run, void *ctx, uint64_t *cycles)
{
    uint64_t before = 0;
    for (uint32_t n = 0; n < PLANNER_MAX_BURST_CALLS; n++) {
        enum planner_outcome o = run(ctx, i, call, cycles);
        pm->planner_calls++;
        if (o != PLANNER_RUN_OK || (n > 0 && warm(before, *cycles)))
            return o;
        before = *cycles;
    }
    return PLANNER_RUN_OK;
}

/* PLANNER_SAMPLES rounds; in each, every candidate still in the race runs one warm burst, in
 * index order (AAABB AAB..., never all of A's samples first, so a drift in the machine's speed
 * hits each alike). A failing candidate is demoted (the baseline only leaves this race). */
static void rounds(struct planner_module *pm, uint32_t call, planner_run_fn run, void *ctx,
                   uint64_t samples[][PLANNER_SAMPLES], bool out[])
{
    for (uint32_t r = 0; r < PLANNER_SAMPLES; r++)
        for (uint32_t i = 0; i < pm->count; i++) {
            if (pm->c[i].demoted || out[i])
                continue;
            uint64_t cycles = 0;
            enum planner_outcome o = burst(pm, i, call, run, ctx, &cycles);
            if (o == PLANNER_RUN_OK) {
                samples[i][r] = cycles;
                continue;
            }
            out[i] = true;
            if (i != 0)
                planner_demote(pm, i, reason_of(o), call);
        }
}

uint32_t planner_measure(struct planner_module *pm, const struct planner_config *cfg,
                         uint32_t call, planner_run_fn run, void *ctx)
{
    planner_measure_now(pm, cfg, call, run, ctx);
    pm->next_threshold++;
    return pm->current;
}

uint32_t planner_measure_now(struct planner_module *pm, const struct planner_config *cfg,
                             uint32_t call, planner_run_fn run, void *ctx)
{
    uint64_t samples[PLANNER_MAX_CANDIDATES][PLANNER_SAMPLES];
    bool out[PLANNER_MAX_CANDIDATES] = {false};
    uint64_t t0 = cfg->clock ? cfg->clock() : 0;
    rounds(pm, call, run, ctx, samples, out);
    uint32_t best = pm->current;
    uint64_t best_median = UINT64_MAX;
    for (uint32_t i = 0; i < pm->count; i++) {
        if (pm->c[i].demoted || out[i])
            continue;
        pm->c[i].median = planner_median(samples[i], PLANNER_SAMPLES);
        pm->c[i].measured = true;
        /* The current one keeps the slot on a tie: a swap must buy something. */
        if (pm->c[i].median < best_median ||
            (pm->c[i].median == best_median && i == pm->current)) {
            best = i;
            best_median = pm->c[i].median;
        }
    }
    if (best != pm->current && best_median != UINT64_MAX)
        move_to(pm, best, call, PLANNER_REASON_FASTER);
    pm->measurements++;
    if (cfg->clock)
        pm->planner_cycles += cfg->clock() - t0;
    return pm->current;
}

uint32_t planner_demote(struct planner_module *pm, uint32_t which, enum planner_reason reason,
                        uint32_t call)
{
    if (which == 0 || which >= pm->count || pm->c[which].demoted)
        return pm->current;
    pm->c[which].demoted = true;
    pm->c[which].demoted_for = reason;
    if (which != pm->current)
        return pm->current;
    uint32_t to = 0;
    while (pm->depth) {
        uint32_t p = pm->previous[--pm->depth];
        if (!pm->c[p].demoted) {
            to = p;
            break;
        }
    }
    record(pm, call, which, to, reason);
    pm->current = to;
    return to;
}

uint32_t planner_fallback(const struct planner_module *pm)
{
    for (uint32_t d = pm->depth; d-- > 0;)
        if (!pm->c[pm->previous[d]].demoted)
            return pm->previous[d];
    return 0;
}

/* May candidate i leave the table (planner_retire_choice's rule)? */
static bool retirable(const struct planner_module *pm, uint32_t i, uint32_t fallback)
{
    return i != 0 && i < pm->count && i != pm->current && i != fallback &&
           (pm->c[i].demoted || pm->c[i].measured);
}

uint32_t planner_retire_choice(const struct planner_module *pm)
{
    if (pm->retirements >= PLANNER_MAX_RETIREMENTS)
        return PLANNER_NONE;
    uint32_t fallback = planner_fallback(pm), worst = PLANNER_NONE;
    for (uint32_t i = 1; i < pm->count; i++) {
        if (!retirable(pm, i, fallback))
            continue;
        if (pm->c[i].demoted)
            return i;                       /* a failed candidate goes first */
        if (worst == PLANNER_NONE || pm->c[i].median > pm->c[worst].median)
            worst = i;
    }
    return worst;
}

uint32_t planner_room(const struct planner_module *pm)
{
    uint32_t fallback = planner_fallback(pm), n = 0;
    for (uint32_t i = 1; i < pm->count; i++)
        n += retirable(pm, i, fallback);
    uint32_t left = PLANNER_MAX_RETIREMENTS - pm->retirements;
    return (PLANNER_MAX_CANDIDATES - pm->count) + (n < left ? n : left);
}

bool planner_retire(struct planner_module *pm, uint32_t which, uint32_t call)
{
    if (pm->retirements >= PLANNER_MAX_RETIREMENTS || !retirable(pm, which, planner_fallback(pm)))
        return false;
    record(pm, call, which, pm->current, PLANNER_REASON_RETIRED);
    drop_tier(pm, which);
    pm->retirements++;
    memset(&pm->c[which], 0, sizeof pm->c[which]);
    pm->c[which].label = "";
    pm->c[which].demoted = true;        /* out of every race until planner_reuse */
    return true;
}

void planner_reuse(struct planner_module *pm, uint32_t which, const char *label)
{
    if (which >= pm->count)
        return;
    memset(&pm->c[which], 0, sizeof pm->c[which]);
    pm->c[which].label = label ? label : "";
}

bool planner_select(struct planner_module *pm, uint32_t which, enum planner_reason reason,
                    uint32_t call)
{
    if (which >= pm->count || pm->c[which].demoted)
        return false;
    if (which != pm->current)
        move_to(pm, which, call, reason);
    return true;
}

uint32_t planner_rotate(struct planner_module *pm)
{
    for (uint32_t step = 1; step <= pm->count; step++) {
        uint32_t i = (pm->current + step) % pm->count;
        if (!pm->c[i].demoted) {
            if (i != pm->current)
                pm->swaps++;
            pm->current = i;
            break;
        }
    }
    return pm->current;
}

const char *planner_reason_name(enum planner_reason reason)
{
    static const char *const names[PLANNER_REASON_COUNT] = {
        [PLANNER_REASON_FASTER] = "faster", [PLANNER_REASON_WRONG] = "wrong_result",
        [PLANNER_REASON_FAULT] = "fault", [PLANNER_REASON_TIMEOUT] = "timeout",
        [PLANNER_REASON_WISDOM] = "wisdom", [PLANNER_REASON_RETIRED] = "retired",
    };
    return (unsigned)reason < PLANNER_REASON_COUNT ? names[reason] : "?";
}

const char *planner_strerror(enum planner_err err)
{
    switch (err) {
    case PLANNER_OK:          return "ok";
    case PLANNER_E_SYNTAX:    return "thresholds are not comma-separated decimal numbers";
    case PLANNER_E_RANGE:     return "a threshold is 0 or larger than 4294967295";
    case PLANNER_E_ORDER:     return "thresholds do not rise strictly";
    case PLANNER_E_TOO_MANY:  return "too many thresholds";
    case PLANNER_E_FULL:      return "too many candidates";
    case PLANNER_E_INVAL:     return "invalid argument";
    }
    return "unknown planner error";
}
