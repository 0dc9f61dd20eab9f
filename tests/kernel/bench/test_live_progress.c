/* Host tests of the running module's figures for the live line's mid-run PROFILE frame
 * (kernel/bench/live_progress.c): the rate limit (due after the interval, never on a clock
 * that went back), the median of the ring of the latest calls before and after it wraps,
 * the fill from a result and its adaptive run (the slot's candidate, its label and source,
 * the room for newcomers and each candidate's CRC and median), and the "running" JSON object, exact text, within LIVE_PROGRESS_JSON_MAX bytes at the
 * widest values. */
#include <stdint.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/live_progress.h"
#include "kernel/bench/suite_adapt.h"

static char buf[LIVE_PROGRESS_JSON_MAX];
static struct text_buf tb;

TEST(due_after_the_interval_only)
{
    CHECK(!live_progress_due(100, 100, 50));
    CHECK(!live_progress_due(149, 100, 50));
    CHECK(live_progress_due(150, 100, 50));
    CHECK(live_progress_due(UINT64_MAX, 0, UINT64_MAX));
    CHECK(!live_progress_due(99, 100, 0), "a clock that went back is no time passed");
    CHECK(live_progress_due(100, 100, 0));
}

TEST(median_of_the_latest_calls)
{
    uint64_t ring[SUITE_MAX_CALLS] = {0};
    CHECK_EQ_U64(live_progress_median(ring, 0), 0);
    ring[0] = 7;
    CHECK_EQ_U64(live_progress_median(ring, 1), 7);
    ring[1] = 3;
    CHECK_EQ_U64(live_progress_median(ring, 2), 3);     /* the lower middle */
    ring[2] = 5;
    CHECK_EQ_U64(live_progress_median(ring, 3), 5);
    for (uint32_t i = 0; i < SUITE_MAX_CALLS; i++)
        ring[i] = 1000 + i;
    /* past SUITE_MAX_CALLS the ring holds the latest calls: all of it counts, no more */
    CHECK_EQ_U64(live_progress_median(ring, SUITE_MAX_CALLS), 1000 + (SUITE_MAX_CALLS - 1) / 2);
    CHECK_EQ_U64(live_progress_median(ring, 4000000000u), 1000 + (SUITE_MAX_CALLS - 1) / 2);
    CHECK(ring[0] == 1000 && ring[SUITE_MAX_CALLS - 1] == 1000 + SUITE_MAX_CALLS - 1,
          "the ring is not reordered");
}

static const struct suite_entry entry = {.name = "gemm_tile"};

static void fake_run(struct suite_result *r, struct suite_adaptive *ad)
{
    memset(r, 0, sizeof *r);
    memset(ad, 0, sizeof *ad);
    r->entry = &entry;
    r->adaptive = ad;
    ad->count = 3;
    ad->v[0] = (struct suite_variant){.label = "", .source = "embedded"};
    ad->v[1] = (struct suite_variant){.label = "-O3 -msse2", .source = "variant"};
    ad->v[2] = (struct suite_variant){.label = "", .source = "offer"};
    strcpy(ad->v[2].info.cflags, "-O3 -msse3 -DTILE=8");
    ad->v[2].mem = ad;      /* placed: its header's flags are the label */
    for (uint32_t i = 0; i < 5; i++)
        r->cycles[i] = 50 - i;
}

TEST(fill_names_the_slot_candidate)
{
    struct suite_result r;
    struct suite_adaptive ad;
    struct live_progress p;
    fake_run(&r, &ad);
    ad.pm.current = 1;
    live_progress_fill(&p, &r, 5);
    CHECK_STREQ(p.name, "gemm_tile");
    CHECK(p.calls == 5 && p.variant == 1 && p.candidates == 3);
    CHECK_STREQ(p.label, "-O3 -msse2");
    CHECK_STREQ(p.source, "variant");
    CHECK_EQ_U64(p.median, 48);
    ad.pm.current = 2;
    live_progress_fill(&p, &r, 5);
    CHECK_STREQ(p.label, "-O3 -msse3 -DTILE=8");
    CHECK_STREQ(p.source, "offer");
    ad.v[2].mem = NULL;
    live_progress_fill(&p, &r, 5);
    CHECK_STREQ(p.label, "");     /* no label and not placed: none */
}

TEST(fill_lists_the_candidates_and_the_room)
{
    struct suite_result r;
    struct suite_adaptive ad;
    struct live_progress p;
    fake_run(&r, &ad);
    ad.pm.count = 3;
    ad.keys[2] = (struct wisdom_key){0xabcdef01u, 0x12345678u};
    ad.pm.c[1] = (struct planner_candidate){.measured = true, .median = 70};
    ad.pm.c[2] = (struct planner_candidate){.measured = true, .median = 40};
    ad.pm.current = 2;
    live_progress_fill(&p, &r, 5);
    /* 5 free entries, and candidate 1 (measured, neither the slot's nor the baseline) could
     * leave; it is also the fallback tier only once the slot moved from it (none recorded) */
    CHECK_EQ_U64(p.room, PLANNER_MAX_CANDIDATES - 3 + 1);
    CHECK_EQ_U64(p.present[2].crc, 0xabcdef01u);
    CHECK_EQ_U64(p.present[2].flags_hash, 0x12345678u);
    CHECK_EQ_U64(p.present[2].median, 40);
    CHECK(p.present[1].measured && !p.present[0].measured);
    ad.pm.previous[ad.pm.depth++] = 1;          /* the slot came from 1: 1 is the fallback */
    live_progress_fill(&p, &r, 5);
    CHECK_EQ_U64(p.room, PLANNER_MAX_CANDIDATES - 3);
    ad.pm.retirements = 5;
    live_progress_fill(&p, &r, 5);
    CHECK_EQ_U64(p.retired, 5);
}

static const char *write(const struct live_progress *p)
{
    struct json_out j;
    text_init(&tb, buf, sizeof buf);
    json_init(&j, text_sink, &tb);
    json_begin_object(&j);
    live_progress_write(&j, p);
    json_end_object(&j);
    return json_finish(&j) && !tb.overflow ? buf : "(misuse or overflow)";
}

TEST(running_object_text)
{
    struct live_progress p = {"sum", 12, 100000000, 30, 1000, 1, 2, "-O3 -msse3", "offer", 290885,
                              6, 1, {{0x1234abcdu, 7, 0, false, false},
                                     {0xffu, 0xfedcba98u, 290885, true, false}}};
    CHECK_STREQ(write(&p), "{\"running\":{\"name\":\"sum\",\"calls\":12,\"planned_calls\":100000000,"
                           "\"seconds\":30,\"elapsed_ms\":1000,\"variant\":1,\"candidates\":2,"
                           "\"label\":\"-O3 -msse3\",\"source\":\"offer\",\"median\":290885,"
                           "\"room\":6,\"retired\":1,\"present\":["
                           "{\"crc32\":\"0x1234abcd\",\"flags_hash\":\"0x00000007\",\"median\":0,"
                           "\"measured\":false,\"demoted\":false},"
                           "{\"crc32\":\"0x000000ff\",\"flags_hash\":\"0xfedcba98\",\"median\":290885,"
                           "\"measured\":true,\"demoted\":false}]}}\n");
    p.seconds = 0;
    CHECK(strstr(write(&p), "\"seconds\":null,") != NULL, "%s", buf);
}

TEST(widest_values_fit_the_frame_bound)
{
    static char label[FLUID_MOD_CFLAGS_LEN];
    memset(label, '"', sizeof label - 1);   /* every byte escaped: twice the length */
    struct live_progress p = {"abcdefghijklmnopqrstuvw", UINT32_MAX, UINT32_MAX, UINT32_MAX,
                              UINT64_MAX, UINT32_MAX, UINT32_MAX, label, "embedded",
                              UINT64_MAX, UINT32_MAX, UINT32_MAX, {{0}}};
    for (uint32_t i = 0; i < PLANNER_MAX_CANDIDATES; i++)
        p.present[i] = (struct live_progress_candidate){UINT32_MAX, UINT32_MAX, UINT64_MAX, false,
                                                        false};
    struct json_out j;
    text_init(&tb, buf, sizeof buf);
    json_init(&j, text_sink, &tb);
    json_begin_object(&j);
    json_key_bool(&j, "done", false);
    json_key_str(&j, "clock", "tsc-invariant");
    live_progress_write(&j, &p);
    json_end_object(&j);
    CHECK(json_finish(&j) && !tb.overflow, "%zu bytes", tb.len);
}

int main(void)
{
    check_suite = "test_live_progress";
    RUN(due_after_the_interval_only);
    RUN(median_of_the_latest_calls);
    RUN(fill_names_the_slot_candidate);
    RUN(fill_lists_the_candidates_and_the_room);
    RUN(running_object_text);
    RUN(widest_values_fit_the_frame_bound);
    return check_summary();
}
