/* Host tests of run-time offers (kernel/bench/offer.c) and of their adoption by a module's
 * adaptive run (kernel/bench/suite_adapt.c) with a fake runner: each refusal with its reason
 * (unknown module, size, invalid bytes, another module's header, a CPU feature missing, a full
 * queue), the queue's order per module, the copy (the sender's buffer may change), and an
 * offer queued while a module runs joining its candidates, measured at once and promoted
 * when faster, with every answer right; more offers than the table holds retiring losers;
 * a demotion event's failure text never taken from a newcomer in its entry. */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/module_loader.h"
#include "kernel/bench/offer.h"
#include "kernel/bench/suite_adapt.h"
#include "kernel/lib/crc32.h"

#define ANSWER      0x1234u
#define MOD_BYTES   (sizeof(struct fluid_mod_header) + 16)
#define MEM_SLOTS   PLANNER_MAX_CANDIDATES
#define SLOW_CYCLES 5000
#define FAST_CYCLES 1000

static uint8_t base[MOD_BYTES] __attribute__((aligned(16)));
static uint8_t other[MOD_BYTES] __attribute__((aligned(16)));

/* A minimal valid module: 16 bytes of code whose first byte tells the fake runner its speed. */
static void build(uint8_t *file, const char *name, uint8_t speed, uint32_t features)
{
    struct fluid_mod_header *h = (struct fluid_mod_header *)file;
    memset(file, 0, MOD_BYTES);
    h->magic = FLUID_MOD_MAGIC;
    h->format_version = FLUID_MOD_FORMAT_VERSION;
    h->header_size = sizeof *h;
    strcpy(h->name, name);
    h->code_size = 16;
    h->align = 16;
    h->tier = FLUID_TIER_O2;
    h->required_features = features;
    file[sizeof *h] = speed;
    h->body_crc32 = mod_crc32(file + sizeof *h, 16);
    h->header_crc32 = mod_crc32(file, FLUID_MOD_HEADER_CRC_SPAN);
}

/* Offers' copies: a static pool here, as the kernel heap there. */
static uint8_t pool[64 * 1024] __attribute__((aligned(16)));
static size_t pool_used;

static void *test_alloc(size_t size)
{
    size_t round = (size + 15) / 16 * 16;
    if (round > sizeof pool - pool_used)
        return NULL;
    pool_used += round;
    return pool + pool_used - round;
}

/* Frees are counted (the pool is a bump allocator): a retired offer's copy comes back. */
static uint32_t freed;

static void test_free(void *m)
{
    REQUIRE((uint8_t *)m >= pool && (uint8_t *)m < pool + sizeof pool);
    freed++;
}

static bool known(const char *module)
{
    return strcmp(module, "probe") == 0 || strcmp(module, "other") == 0;
}

TEST(refusals_name_the_reason)
{
    offer_init(test_alloc, test_free, known, FLUID_FEAT_FPU);
    build(base, "probe", 1, 0);
    CHECK(planner_offer("nosuch", base, MOD_BYTES, "test") == PLANNER_OFFER_E_MODULE);
    CHECK_STREQ(planner_offer_detail(), "no module nosuch in the registry");
    CHECK(planner_offer("probe", base, 0, "test") == PLANNER_OFFER_E_SIZE);
    CHECK(planner_offer("probe", base, OFFER_MAX_BYTES + 1, "test") == PLANNER_OFFER_E_SIZE);
    build(other, "other", 1, 0);
    CHECK(planner_offer("probe", other, MOD_BYTES, "test") == PLANNER_OFFER_E_NAME);
    CHECK_STREQ(planner_offer_detail(), "offer for probe holds module other");
    uint8_t bad[MOD_BYTES] __attribute__((aligned(16)));
    memcpy(bad, base, sizeof bad);
    bad[MOD_BYTES - 1] ^= 1;                            /* body CRC no longer matches */
    CHECK(planner_offer("probe", bad, MOD_BYTES, "test") == PLANNER_OFFER_E_INVALID);
    CHECK(planner_offer("probe", bad, MOD_BYTES - 3, "test") == PLANNER_OFFER_E_INVALID);
    build(other, "probe", 1, FLUID_FEAT_SSE2);
    CHECK(planner_offer("probe", other, MOD_BYTES, "test") == PLANNER_OFFER_E_CPU);
    CHECK(planner_offer("probe", NULL, MOD_BYTES, "test") == PLANNER_OFFER_E_INVAL);
    uint32_t acc, ref;
    offer_counts(&acc, &ref);
    CHECK_EQ_U64(acc, 0);
    CHECK_EQ_U64(ref, 8);
    CHECK_EQ_U64(offer_pending(), 0);
    offer_init(NULL, NULL, NULL, 0);
    CHECK(planner_offer("probe", base, MOD_BYTES, "test") == PLANNER_OFFER_E_NOT_READY);
}

TEST(queue_copies_and_keeps_order)
{
    struct offer o;
    offer_init(test_alloc, test_free, known, FLUID_FEAT_FPU);
    build(base, "probe", 1, 0);
    build(other, "other", 2, 0);
    REQUIRE(planner_offer("probe", base, MOD_BYTES, "com2") == PLANNER_OFFER_ACCEPTED);
    REQUIRE(planner_offer("other", other, MOD_BYTES, "com2") == PLANNER_OFFER_ACCEPTED);
    build(base, "probe", 3, 0);
    REQUIRE(planner_offer("probe", base, MOD_BYTES, "com2-second-and-a-very-long-origin")
            == PLANNER_OFFER_ACCEPTED);
    CHECK_EQ_U64(offer_pending(), 3);
    REQUIRE(offer_take("probe", &o));
    CHECK_EQ_U64(o.bytes[sizeof(struct fluid_mod_header)], 1);  /* a copy, taken first */
    CHECK_STREQ(o.origin, "com2");
    REQUIRE(offer_take("probe", &o));
    CHECK_EQ_U64(o.bytes[sizeof(struct fluid_mod_header)], 3);
    CHECK_EQ_U64(strlen(o.origin), OFFER_ORIGIN_LEN - 1);
    CHECK(!offer_take("probe", &o));
    CHECK(offer_take("other", &o));
    CHECK_EQ_U64(offer_pending(), 0);
    for (uint32_t i = 0; i < OFFER_MAX_PENDING; i++)
        planner_offer("probe", base, MOD_BYTES, "x");
    CHECK(planner_offer("probe", base, MOD_BYTES, "x") == PLANNER_OFFER_E_FULL);
}

/* The fake runner: a module's time is its code's first byte times 1000 (read from the slot
 * its entry address names: run addresses are fake, 32-bit, one page per slot), and it
 * answers ANSWER (WRONG_SPEED: a wrong answer); the offers of offer_speeds are queued during
 * call OFFER_AT. Slots are freed in any order, as the kernel's image arena frees pages. */
#define OFFER_AT 5
#define FAKE_RUN_BASE 0x100000u
#define FAKE_PAGE     4096u
#define WRONG_SPEED   0xff
static uint64_t now, pending_cost;
static uint32_t calls_seen;
static uint8_t fast[MOD_BYTES] __attribute__((aligned(16)));
static uint8_t mem[MEM_SLOTS][FAKE_PAGE] __attribute__((aligned(FAKE_PAGE)));
static bool slot_used[MEM_SLOTS];
static uint32_t used, most_used;
static const uint8_t *offer_speeds;
static uint32_t offer_count;

static uint64_t fake_clock(void)
{
    now += pending_cost;
    pending_cost = 0;
    return now;
}

static void *fake_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx, (void)align;
    for (uint32_t i = 0; size <= sizeof mem[0] && i < MEM_SLOTS; i++) {
        if (slot_used[i])
            continue;
        slot_used[i] = true;
        used++;
        most_used = used > most_used ? used : most_used;
        *run_addr = FAKE_RUN_BASE + i * FAKE_PAGE;
        return mem[i];
    }
    return NULL;
}

static void fake_release(void *ctx, void *m, uint32_t size)
{
    (void)ctx, (void)size;
    uint32_t i = (uint32_t)(((uint8_t *)m - mem[0]) / FAKE_PAGE);
    REQUIRE(i < MEM_SLOTS && slot_used[i]);
    slot_used[i] = false;
    used--;
}

static enum suite_call_outcome fake_call(void *ctx, uint32_t entry,
                                         const struct fluid_module_ctx *m, uint32_t *result,
                                         struct suite_fault *fault)
{
    (void)ctx, (void)fault;
    uint8_t speed = mem[(entry - FAKE_RUN_BASE) / FAKE_PAGE][0];
    pending_cost = (uint64_t)speed * FAST_CYCLES;
    *result = speed == WRONG_SPEED ? ANSWER + 1 : ANSWER;
    if (++calls_seen == OFFER_AT + 1 && m->call_index)
        for (uint32_t i = 0; i < offer_count; i++) {
            build(fast, "probe", offer_speeds[i], 0);
            planner_offer("probe", fast, MOD_BYTES, "test");
        }
    return SUITE_CALL_OK;
}

/* The suite's runner over the fakes above: every test calls the module through these. */
static const struct suite_runner fake_runner = {
    .cpu_features = FLUID_FEAT_FPU, .clock = fake_clock, .acquire = fake_acquire,
    .release = fake_release, .call = fake_call,
};

static void fake_reset(const uint8_t *speeds, uint32_t n)
{
    offer_init(test_alloc, test_free, known, FLUID_FEAT_FPU);
    pool_used = 0;
    freed = 0;
    now = pending_cost = 0;
    calls_seen = used = most_used = 0;
    memset(slot_used, 0, sizeof slot_used);
    offer_speeds = speeds;
    offer_count = n;
}

TEST(offer_joins_a_running_module)
{
    static struct suite_adaptive ad;
    struct suite_result r;
    struct planner_config cfg;
    struct suite_entry e = {"probe", base, MOD_BYTES, SUITE_EXPECT_VALUE, ANSWER, 0};
    struct suite_runner rn = fake_runner;
    static const uint8_t speeds[] = {1};
    fake_reset(speeds, 1);
    planner_config_default(&cfg);
    build(base, "probe", SLOW_CYCLES / FAST_CYCLES, 0);
    suite_adapt_init(&ad, base, MOD_BYTES, "embedded");
    REQUIRE(suite_run_adaptive(&rn, &cfg, &e, 20, &ad, &r));
    REQUIRE(ad.count == 2);
    CHECK_STREQ(ad.v[1].source, "offer");
    CHECK_EQ_U64(ad.pm.current, 1);
    REQUIRE(ad.pm.history_count == 1);
    CHECK(ad.pm.history[0].reason == PLANNER_REASON_FASTER);
    CHECK_EQ_U64(ad.pm.history[0].from_median, SLOW_CYCLES);
    CHECK_EQ_U64(ad.pm.history[0].to_median, FAST_CYCLES);
    CHECK_EQ_U64(ad.calls, 20);
    CHECK_EQ_U64(r.result, ANSWER);
    CHECK_EQ_U64(used, 0);                              /* every image released */
}

/* Twelve offers for a table of eight: seven join at once, the other five each take the entry
 * of a loser (the one that answered wrongly first), and the module ends on the fastest of all
 * thirteen builds with every answer checked. */
TEST(offers_past_the_table_retire_losers)
{
    static struct suite_adaptive ad;
    static const uint8_t speeds[] = {8, 3, WRONG_SPEED, 6, 5, 9, 4, 2, 6, 1, 8, 7};
    struct suite_result r;
    struct planner_config cfg;
    struct suite_entry e = {"probe", base, MOD_BYTES, SUITE_EXPECT_VALUE, ANSWER, 0};
    struct suite_runner rn = fake_runner;
    fake_reset(speeds, sizeof speeds);
    planner_config_default(&cfg);
    build(base, "probe", SLOW_CYCLES / FAST_CYCLES, 0);
    suite_adapt_init(&ad, base, MOD_BYTES, "embedded");
    suite_adapt_keys(&ad);                              /* as the kernel's wisdom_store_apply */
    REQUIRE(suite_run_adaptive(&rn, &cfg, &e, 40, &ad, &r));
    CHECK_EQ_U64(ad.count, PLANNER_MAX_CANDIDATES);
    CHECK_EQ_U64(ad.pm.retirements, sizeof speeds - (PLANNER_MAX_CANDIDATES - 1));
    CHECK_EQ_U64(freed, ad.pm.retirements);             /* each retired offer's copy */
    CHECK_EQ_U64(offer_pending(), 0);
    const struct suite_variant *cur = &ad.v[ad.pm.current];
    CHECK_EQ_U64(cur->file[sizeof(struct fluid_mod_header)], 1);   /* the fastest build */
    CHECK_EQ_U64(ad.pm.c[ad.pm.current].median, FAST_CYCLES);
    REQUIRE(ad.pm.retirements >= 1);
    CHECK(ad.retired[0].demoted && ad.retired[0].demoted_for == PLANNER_REASON_WRONG,
          "the wrong one goes first");
    for (uint32_t i = 1; i < ad.pm.retirements; i++)
        CHECK(!ad.retired[i].demoted && ad.retired[i].median > FAST_CYCLES,
              "retired %u: a measured loser", (unsigned)i);
    CHECK_EQ_U64(ad.wrong_answers, 1);
    CHECK_EQ_U64(ad.answers_checked, ad.calls + ad.pm.planner_calls);
    CHECK_EQ_U64(ad.calls, 40);
    CHECK_EQ_U64(r.result, ANSWER);
    CHECK(most_used <= PLANNER_MAX_CANDIDATES);
    CHECK_EQ_U64(used, 0);                              /* every image released */
    for (uint32_t i = 0; i < ad.count; i++)             /* the wisdom keys: the final set */
        CHECK_EQ_U64(ad.keys[i].file_crc, crc32_iso_hdlc(ad.v[i].file, ad.v[i].size));
}

/* A demotion event names an entry; once that entry is retired (at or after the event) and
 * taken by a newcomer, the entry's failure text is the newcomer's, so the event has none. */
TEST(event_error_is_the_demoted_candidates_own)
{
    static struct suite_adaptive ad;
    memset(&ad, 0, sizeof ad);
    strcpy(ad.v[2].error, "newcomer's text");
    strcpy(ad.v[3].error, "module probe: call 7 returned 1");
    struct planner_event wrong_at_3 = {.call = 7, .from = 3, .to = 0,
                                       .reason = PLANNER_REASON_WRONG};
    struct planner_event wrong_at_2 = {.call = 9, .from = 2, .to = 0,
                                       .reason = PLANNER_REASON_WRONG};
    ad.pm.retirements = 2;
    ad.retired[0] = (struct suite_retired){.index = 2, .call = 12, .demoted = true};
    ad.retired[1] = (struct suite_retired){.index = 3, .call = 5};     /* before the event */
    CHECK(suite_adapt_event_error(&ad, &wrong_at_2) == NULL, "entry 2 went to a newcomer");
    CHECK_STREQ(suite_adapt_event_error(&ad, &wrong_at_3), "module probe: call 7 returned 1");
}

int main(void)
{
    check_suite = "test_offer";
    RUN(refusals_name_the_reason);
    RUN(queue_copies_and_keeps_order);
    RUN(offer_joins_a_running_module);
    RUN(offers_past_the_table_retire_losers);
    RUN(event_error_is_the_demoted_candidates_own);
    return check_summary();
}
