/* The running module's figures for a mid-run PROFILE frame (contract in live_progress.h). */
#include "kernel/bench/live_progress.h"

#include "kernel/bench/suite_adapt.h"
#include "kernel/lib/sort.h"

bool live_progress_due(uint64_t now, uint64_t last, uint64_t interval)
{
    return now >= last && now - last >= interval;
}

uint64_t live_progress_median(const uint64_t *ring, uint32_t calls)
{
    uint64_t sorted[SUITE_MAX_CALLS];
    uint32_t n = calls < SUITE_MAX_CALLS ? calls : SUITE_MAX_CALLS;
    if (n == 0)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        sorted[i] = ring[i];
    sort_u64(sorted, n);
    return sorted[(n - 1) / 2];
}

void live_progress_fill(struct live_progress *p, const struct suite_result *r, uint32_t calls)
{
    const struct suite_adaptive *ad = r->adaptive;
    const struct suite_variant *v = &ad->v[ad->pm.current];
    p->name = r->entry->name;
    p->calls = calls;
    p->variant = ad->pm.current;
    p->candidates = ad->count;
    p->label = v->label && v->label[0] ? v->label : v->mem ? v->info.cflags : "";
    p->source = v->source;
    p->median = live_progress_median(r->cycles, calls);
    p->room = planner_room(&ad->pm);
    p->retired = ad->pm.retirements;
    for (uint32_t i = 0; i < ad->count && i < PLANNER_MAX_CANDIDATES; i++)
        p->present[i] = (struct live_progress_candidate){
            ad->keys[i].file_crc, ad->keys[i].flags_hash, ad->pm.c[i].median, ad->pm.c[i].measured,
            ad->pm.c[i].demoted};
}

void live_progress_write(struct json_out *j, const struct live_progress *p)
{
    json_key(j, "running");
    json_begin_object(j);
    json_key_str(j, "name", p->name);
    json_key_u64(j, "calls", p->calls);
    json_key_u64(j, "planned_calls", p->planned_calls);
    json_key_u64_nonzero(j, "seconds", p->seconds);
    json_key_u64(j, "elapsed_ms", p->elapsed_ms);
    json_key_u64(j, "variant", p->variant);
    json_key_u64(j, "candidates", p->candidates);
    json_key_str(j, "label", p->label);
    json_key_str(j, "source", p->source);
    json_key_u64(j, "median", p->median);
    json_key_u64(j, "room", p->room);
    json_key_u64(j, "retired", p->retired);
    json_key(j, "present");
    json_begin_array(j);
    for (uint32_t i = 0; i < p->candidates && i < PLANNER_MAX_CANDIDATES; i++) {
        json_begin_object(j);
        json_key_hex32(j, "crc32", p->present[i].crc);
        json_key_hex32(j, "flags_hash", p->present[i].flags_hash);
        json_key_u64(j, "median", p->present[i].median);
        json_key(j, "measured");
        json_bool(j, p->present[i].measured);
        json_key(j, "demoted");
        json_bool(j, p->present[i].demoted);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}
