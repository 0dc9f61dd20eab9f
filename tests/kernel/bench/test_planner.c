/* Host tests of the planner's pure logic (kernel/bench/planner.c) with fake variants and a fake
 * clock: the thresholds option, due exactly at each threshold, interleaved round order with
 * warm bursts, samples taken warm, the median, promotion of the fastest, ties keep the slot,
 * demotion of a wrong or faulting variant back to the previous tier, never chosen again, the
 * baseline never demoted, the history's limit, rotation for the swap test, the planner's own
 * cycles; retirement for a newcomer (a demoted candidate first, else the slowest measured,
 * never the baseline, the slot's, the fallback tier or an unmeasured one; bounded; the
 * history's "retired" event) and the tier stack holding each candidate once. */
#include <stdint.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/planner.h"

#define MAX_ORDER 256

/* A fake variant: its time per call (with a per-call jitter pattern) and how it fails. */
struct fake {
    uint64_t cycles[PLANNER_MAX_CANDIDATES];
    int fail_at[PLANNER_MAX_CANDIDATES];            /* nth call (1-based) fails; 0 never */
    enum planner_outcome how[PLANNER_MAX_CANDIDATES];
    uint32_t calls[PLANNER_MAX_CANDIDATES];
    uint32_t order[MAX_ORDER];
    uint32_t n_order;
};

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
    return fake_now;
}

static enum planner_outcome fake_run(void *ctx, uint32_t cand, uint32_t call, uint64_t *cycles)
{
    struct fake *f = ctx;
    (void)call;
    if (f->n_order < MAX_ORDER)
        f->order[f->n_order++] = cand;
    f->calls[cand]++;
    /* jitter: every third call of a candidate is 50 cycles slower (the median ignores it) */
    uint64_t t = f->cycles[cand] + (f->calls[cand] % 3 == 0 ? 50 : 0);
    fake_now += t;
    *cycles = t;
    if (f->fail_at[cand] && (int)f->calls[cand] == f->fail_at[cand])
        return f->how[cand];
    return PLANNER_RUN_OK;
}

static void setup(struct planner_module *pm, struct planner_config *cfg, uint32_t n)
{
    planner_config_default(cfg);
    cfg->clock = fake_clock;
    planner_module_init(pm);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        planner_add(pm, "v", &idx);
    }
}

TEST(thresholds_option)
{
    struct planner_config cfg;
    planner_config_default(&cfg);
    REQUIRE(cfg.threshold_count == 3);
    CHECK_EQ_U64(cfg.thresholds[0], 100);
    CHECK_EQ_U64(cfg.thresholds[2], 10000);
    CHECK(planner_parse_thresholds("7,8,4294967295", &cfg) == PLANNER_OK);
    CHECK_EQ_U64(cfg.thresholds[2], 4294967295u);
    CHECK(planner_parse_thresholds("4294967296", &cfg) == PLANNER_E_RANGE);
    CHECK(planner_parse_thresholds("0", &cfg) == PLANNER_E_RANGE);
    CHECK(planner_parse_thresholds("5,5", &cfg) == PLANNER_E_ORDER);
    CHECK(planner_parse_thresholds("5,", &cfg) == PLANNER_E_SYNTAX);
    CHECK(planner_parse_thresholds("", &cfg) == PLANNER_E_SYNTAX);
    CHECK(planner_parse_thresholds("1x", &cfg) == PLANNER_E_SYNTAX);
    CHECK(planner_parse_thresholds("1,2,3,4,5,6,7,8,9", &cfg) == PLANNER_E_TOO_MANY);
    CHECK_EQ_U64(cfg.threshold_count, 3);       /* untouched by the errors */
    CHECK_EQ_U64(cfg.thresholds[0], 7);
}

TEST(due_exactly_at_thresholds)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f = {{100, 50}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 2);
    planner_parse_thresholds("3,5", &cfg);
    CHECK(!planner_due(&pm, &cfg, 2));
    CHECK(!planner_due(&pm, &cfg, 4));          /* past a threshold is not at it */
    uint32_t due[8], n = 0;
    for (uint32_t call = 0; call < 8; call++)
        if (planner_due(&pm, &cfg, call)) {
            due[n++] = call;
            planner_measure(&pm, &cfg, call, fake_run, &f);
        }
    REQUIRE(n == 2);
    CHECK_EQ_U64(due[0], 3);
    CHECK_EQ_U64(due[1], 5);
    CHECK_EQ_U64(pm.measurements, 2);
    cfg.enabled = false;
    pm.next_threshold = 0;
    CHECK(!planner_due(&pm, &cfg, 3));
}

TEST(single_candidate_never_due)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 1);
    CHECK(!planner_due(&pm, &cfg, 100));
}

TEST(rounds_interleave_warm_bursts)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f = {{30, 20, 10}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 3);
    planner_measure(&pm, &cfg, 100, fake_run, &f);
    /* One burst per candidate per round, in index order: the runs of equal entries in the
     * call order are 0 1 2 0 1 2 ..., PLANNER_SAMPLES times, each 2 to MAX calls long. */
    uint32_t runs = 0, length = 0;
    for (uint32_t i = 0; i < f.n_order; i++) {
        length++;
        if (i + 1 < f.n_order && f.order[i + 1] == f.order[i])
            continue;
        CHECK_EQ_U64(f.order[i], runs % 3);
        CHECK(length >= 2 && length <= PLANNER_MAX_BURST_CALLS);
        runs++, length = 0;
    }
    CHECK_EQ_U64(runs, 3 * PLANNER_SAMPLES);
    CHECK_EQ_U64(pm.planner_calls, f.n_order);
}

TEST(burst_stops_when_warm)
{
    struct planner_module pm;
    struct planner_config cfg;
    /* Equal times: warm at the second call. The fake's jitter (+50 on every third call) is
     * within 1/PLANNER_WARM_FRACTION of 1000, so it does not lengthen a burst. */
    struct fake f = {{1000, 1000}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 2);
    planner_measure(&pm, &cfg, 100, fake_run, &f);
    CHECK_EQ_U64(pm.c[0].median, 1000);
    CHECK_EQ_U64(pm.planner_calls, 2 * 2 * PLANNER_SAMPLES);
}

/* A candidate's first call after another candidate ran is cold (its branches not yet
 * learned), and costs `cold` instead of `warm` until it has run twice in a row. */
struct cold_fake {
    uint64_t warm[2], cold[2];
    uint32_t last, run_length;
};

static enum planner_outcome cold_run(void *ctx, uint32_t cand, uint32_t call, uint64_t *cycles)
{
    struct cold_fake *f = ctx;
    (void)call;
    f->run_length = cand == f->last ? f->run_length + 1 : 1;
    f->last = cand;
    *cycles = f->run_length >= 2 ? f->warm[cand] : f->cold[cand];
    return PLANNER_RUN_OK;
}

TEST(samples_are_taken_warm)
{
    struct planner_module pm;
    struct planner_config cfg;
    /* Candidate 1 is faster warm (80 < 100) but slower cold (200 > 150): timed cold, as
     * ABAB rounds would, the slot keeps candidate 0. */
    struct cold_fake f = {{100, 80}, {150, 200}, 0, 0};
    setup(&pm, &cfg, 2);
    CHECK_EQ_U64(planner_measure(&pm, &cfg, 100, cold_run, &f), 1);
    CHECK_EQ_U64(pm.c[0].median, 100);
    CHECK_EQ_U64(pm.c[1].median, 80);
}

TEST(fastest_promoted_with_medians)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f = {{300, 200, 100}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 3);
    fake_now = 1000;
    CHECK_EQ_U64(planner_measure(&pm, &cfg, 100, fake_run, &f), 2);
    CHECK_EQ_U64(pm.current, 2);
    CHECK_EQ_U64(pm.c[0].median, 300);      /* a jittered 350 sample is outvoted */
    CHECK_EQ_U64(pm.c[2].median, 100);
    REQUIRE(pm.history_count == 1);
    CHECK_EQ_U64(pm.history[0].call, 100);
    CHECK_EQ_U64(pm.history[0].from, 0);
    CHECK_EQ_U64(pm.history[0].to, 2);
    CHECK_EQ_U64(pm.history[0].from_median, 300);
    CHECK_EQ_U64(pm.history[0].to_median, 100);
    CHECK(pm.history[0].reason == PLANNER_REASON_FASTER);
    /* every cycle the fake calls took was inside the planner */
    CHECK_EQ_U64(pm.planner_cycles, fake_now - 1000);
    CHECK(pm.planner_calls >= 3 * 2 * PLANNER_SAMPLES);
}

TEST(tie_keeps_current)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f = {{100, 100}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 2);
    CHECK_EQ_U64(planner_measure(&pm, &cfg, 100, fake_run, &f), 0);
    CHECK_EQ_U64(pm.history_count, 0);
}

TEST(median_lower_middle)
{
    uint64_t v[4] = {9, 1, 7, 3};
    CHECK_EQ_U64(planner_median(v, 4), 3);
    uint64_t w[5] = {5, 4, 3, 2, 1};
    CHECK_EQ_U64(planner_median(w, 5), 3);
    CHECK_EQ_U64(planner_median(w, 0), 0);
}

TEST(wrong_variant_demoted_while_measuring)
{
    struct planner_module pm;
    struct planner_config cfg;
    /* candidate 2 is fastest but answers wrongly on its second call */
    struct fake f = {{300, 200, 100}, {0, 0, 2}, {0, 0, PLANNER_RUN_WRONG}, {0}, {0}, 0};
    setup(&pm, &cfg, 3);
    CHECK_EQ_U64(planner_measure(&pm, &cfg, 100, fake_run, &f), 1);
    CHECK(pm.c[2].demoted);
    CHECK(pm.c[2].demoted_for == PLANNER_REASON_WRONG);
    CHECK_EQ_U64(f.calls[2], 2);            /* not called again after failing */
    planner_parse_thresholds("100,200", &cfg);
    CHECK(planner_due(&pm, &cfg, 200));
    planner_measure(&pm, &cfg, 200, fake_run, &f);
    CHECK_EQ_U64(f.calls[2], 2);            /* never measured again */
    CHECK_EQ_U64(pm.current, 1);
}

TEST(running_variant_demoted_back_a_tier)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f = {{300, 200, 100}, {0}, {0}, {0}, {0}, 0};
    setup(&pm, &cfg, 3);
    f.cycles[2] = 250;
    planner_measure(&pm, &cfg, 100, fake_run, &f);      /* 0 -> 1 */
    f.cycles[2] = 100;
    planner_parse_thresholds("100,1000", &cfg);
    planner_measure(&pm, &cfg, 1000, fake_run, &f);     /* 1 -> 2 */
    REQUIRE(pm.current == 2);
    CHECK_EQ_U64(planner_demote(&pm, 2, PLANNER_REASON_FAULT, 1234), 1);
    REQUIRE(pm.history_count == 3);
    CHECK_EQ_U64(pm.history[2].call, 1234);
    CHECK_EQ_U64(pm.history[2].from, 2);
    CHECK_EQ_U64(pm.history[2].to, 1);
    CHECK(pm.history[2].reason == PLANNER_REASON_FAULT);
    CHECK_EQ_U64(planner_demote(&pm, 1, PLANNER_REASON_WRONG, 1300), 0);
    CHECK(!planner_select(&pm, 2, PLANNER_REASON_WISDOM, 1400));
    CHECK_EQ_U64(planner_demote(&pm, 0, PLANNER_REASON_WRONG, 1500), 0);
    CHECK(!pm.c[0].demoted);
    CHECK(!planner_due(&pm, &cfg, 10000));      /* one candidate left */
}

TEST(demotion_skips_demoted_tiers)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 3);
    planner_select(&pm, 1, PLANNER_REASON_WISDOM, 0);
    planner_select(&pm, 2, PLANNER_REASON_WISDOM, 0);     /* tiers: 0, 1, then 2 */
    CHECK_EQ_U64(planner_demote(&pm, 1, PLANNER_REASON_WRONG, 5), 2);   /* not running */
    CHECK_EQ_U64(planner_demote(&pm, 2, PLANNER_REASON_TIMEOUT, 6), 0); /* 1 is skipped */
    CHECK_EQ_U64(pm.history[pm.history_count - 1].to, 0);
}

TEST(history_limit_counts_the_rest)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 2);
    for (uint32_t i = 0; i < PLANNER_MAX_HISTORY + 3; i++)
        planner_select(&pm, (i + 1) % 2, PLANNER_REASON_WISDOM, i);
    CHECK_EQ_U64(pm.history_count, PLANNER_MAX_HISTORY);
    CHECK_EQ_U64(pm.history_dropped, 3);
}

TEST(rotate_skips_demoted)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 3);
    planner_demote(&pm, 1, PLANNER_REASON_WRONG, 0);
    CHECK_EQ_U64(planner_rotate(&pm), 2);
    CHECK_EQ_U64(planner_rotate(&pm), 0);
    CHECK_EQ_U64(planner_rotate(&pm), 2);
    CHECK_EQ_U64(pm.swaps, 3);
    cfg.swap_every_call = true;
    CHECK(!planner_due(&pm, &cfg, 100));
}

TEST(full_table_and_names)
{
    struct planner_module pm;
    struct planner_config cfg;
    uint32_t idx;
    setup(&pm, &cfg, PLANNER_MAX_CANDIDATES);
    CHECK(planner_add(&pm, "x", &idx) == PLANNER_E_FULL);
    CHECK_STREQ(planner_reason_name(PLANNER_REASON_WISDOM), "wisdom");
    CHECK_STREQ(planner_reason_name((enum planner_reason)77), "?");
    for (int e = PLANNER_OK; e <= PLANNER_E_INVAL; e++)
        CHECK(strcmp(planner_strerror((enum planner_err)e), "unknown planner error") != 0);
}

/* Eight candidates measured once: medians 500 400 300 200 100 600 700 350, 4 in the slot. */
static void full_table(struct planner_module *pm, struct planner_config *cfg, struct fake *f)
{
    static const uint64_t cycles[PLANNER_MAX_CANDIDATES] = {500, 400, 300, 200, 100, 600, 700,
                                                            350};
    memset(f, 0, sizeof *f);
    memcpy(f->cycles, cycles, sizeof cycles);
    setup(pm, cfg, PLANNER_MAX_CANDIDATES);
    planner_measure_now(pm, cfg, 10, fake_run, f);
}

TEST(retire_choice_demoted_first_then_the_slowest)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f;
    full_table(&pm, &cfg, &f);
    REQUIRE(pm.current == 4);
    CHECK_EQ_U64(planner_fallback(&pm), 0);
    CHECK_EQ_U64(planner_retire_choice(&pm), 6);            /* 700: the slowest */
    planner_demote(&pm, 2, PLANNER_REASON_FAULT, 11);
    CHECK_EQ_U64(planner_retire_choice(&pm), 2);            /* a failed one goes first */
    CHECK(planner_retire(&pm, 2, 12));
    planner_reuse(&pm, 2, "newcomer");
    CHECK(!pm.c[2].demoted && !pm.c[2].measured);
    CHECK_STREQ(pm.c[2].label, "newcomer");
    CHECK_EQ_U64(planner_retire_choice(&pm), 6);            /* the newcomer is unmeasured */
    CHECK(!planner_retire(&pm, 2, 13), "never an unmeasured one");
    CHECK(!planner_retire(&pm, 0, 13), "never the baseline");
    CHECK(!planner_retire(&pm, 4, 13), "never the slot's");
    CHECK_EQ_U64(pm.retirements, 1);
    /* the baseline, even the slowest, is never the choice */
    f.cycles[0] = 5000;
    planner_measure_now(&pm, &cfg, 20, fake_run, &f);
    CHECK_EQ_U64(planner_retire_choice(&pm), 6);
}

TEST(retire_never_takes_the_fallback_tier)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f;
    full_table(&pm, &cfg, &f);
    f.cycles[7] = 50;
    planner_measure_now(&pm, &cfg, 20, fake_run, &f);       /* 4 -> 7: 4 is the fallback */
    REQUIRE(pm.current == 7);
    f.cycles[4] = 900;                                      /* now the slowest of all */
    planner_measure_now(&pm, &cfg, 30, fake_run, &f);
    CHECK_EQ_U64(planner_fallback(&pm), 4);
    CHECK_EQ_U64(planner_retire_choice(&pm), 6);            /* 900 is 4's: kept */
    CHECK(!planner_retire(&pm, 4, 31));
    /* the fallback leaves the race (demoted): the next tier below it is the fallback, and a
     * demoted candidate may go */
    planner_demote(&pm, 4, PLANNER_REASON_WRONG, 32);
    CHECK_EQ_U64(planner_fallback(&pm), 0);
    CHECK_EQ_U64(planner_retire_choice(&pm), 4);
}

TEST(retired_tier_leaves_the_stack_and_the_history_says_so)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 4);
    for (uint32_t i = 1; i < 4; i++)
        pm.c[i].measured = true, pm.c[i].median = 100 * i;
    planner_select(&pm, 1, PLANNER_REASON_WISDOM, 0);
    planner_select(&pm, 2, PLANNER_REASON_WISDOM, 0);
    planner_select(&pm, 3, PLANNER_REASON_WISDOM, 0);       /* tiers 0, 1, 2 below 3 */
    CHECK_EQ_U64(planner_fallback(&pm), 2);
    CHECK(planner_retire(&pm, 1, 40));                      /* a deeper tier */
    REQUIRE(pm.history_count == 4);
    CHECK(pm.history[3].reason == PLANNER_REASON_RETIRED);
    CHECK_EQ_U64(pm.history[3].from, 1);
    CHECK_EQ_U64(pm.history[3].to, 3);
    CHECK_EQ_U64(pm.history[3].from_median, 100);
    CHECK_STREQ(planner_reason_name(PLANNER_REASON_RETIRED), "retired");
    planner_reuse(&pm, 1, "new");
    /* demotions go 3 -> 2 -> 0: the newcomer in entry 1 was never a tier */
    CHECK_EQ_U64(planner_demote(&pm, 3, PLANNER_REASON_FAULT, 41), 2);
    CHECK_EQ_U64(planner_demote(&pm, 2, PLANNER_REASON_FAULT, 42), 0);
}

TEST(retirements_are_bounded_and_room_counts_them)
{
    struct planner_module pm;
    struct planner_config cfg;
    struct fake f;
    full_table(&pm, &cfg, &f);
    /* 7 non-baseline candidates: the slot's (4) and the fallback (0, the baseline) stay */
    CHECK_EQ_U64(planner_room(&pm), 6);
    for (uint32_t n = 0; n < PLANNER_MAX_RETIREMENTS; n++) {
        uint32_t i = planner_retire_choice(&pm);
        REQUIRE(i != PLANNER_NONE);
        REQUIRE(planner_retire(&pm, i, 100 + n));
        planner_reuse(&pm, i, "again");
        pm.c[i].measured = true;                            /* as if measured at once */
        pm.c[i].median = 1000;
    }
    CHECK_EQ_U64(planner_retire_choice(&pm), PLANNER_NONE);
    CHECK_EQ_U64(planner_room(&pm), 0);
    CHECK(!planner_retire(&pm, 6, 999));
    CHECK_EQ_U64(pm.retirements, PLANNER_MAX_RETIREMENTS);
    struct planner_module small;
    setup(&small, &cfg, 3);
    CHECK_EQ_U64(planner_room(&small), PLANNER_MAX_CANDIDATES - 3);   /* nothing measured */
}

TEST(slot_moves_keep_each_tier_once)
{
    struct planner_module pm;
    struct planner_config cfg;
    setup(&pm, &cfg, 3);
    for (uint32_t i = 0; i < 100; i++)
        planner_select(&pm, 1 + i % 2, PLANNER_REASON_WISDOM, i);   /* 1, 2, 1, 2, ... */
    CHECK(pm.depth <= 2, "depth %u", (unsigned)pm.depth);
    REQUIRE(pm.current == 2);
    CHECK_EQ_U64(planner_demote(&pm, 2, PLANNER_REASON_WRONG, 100), 1);
    CHECK_EQ_U64(planner_demote(&pm, 1, PLANNER_REASON_WRONG, 101), 0);
}

int main(void)
{
    check_suite = "test_planner";
    RUN(thresholds_option);
    RUN(due_exactly_at_thresholds);
    RUN(single_candidate_never_due);
    RUN(rounds_interleave_warm_bursts);
    RUN(burst_stops_when_warm);
    RUN(samples_are_taken_warm);
    RUN(fastest_promoted_with_medians);
    RUN(tie_keeps_current);
    RUN(median_lower_middle);
    RUN(wrong_variant_demoted_while_measuring);
    RUN(running_variant_demoted_back_a_tier);
    RUN(demotion_skips_demoted_tiers);
    RUN(history_limit_counts_the_rest);
    RUN(rotate_skips_demoted);
    RUN(full_table_and_names);
    RUN(retire_choice_demoted_first_then_the_slowest);
    RUN(retire_never_takes_the_fallback_tier);
    RUN(retired_tier_leaves_the_stack_and_the_history_says_so);
    RUN(retirements_are_bounded_and_room_counts_them);
    RUN(slot_moves_keep_each_tier_once);
    return check_summary();
}
