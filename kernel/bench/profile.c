/* Writes the JSON profile (kernel/bench/profile.h, docs/profile-format.md). Field names are the
 * format's contract: tools/fluid/profiles.py and tests/kernel/bench/test_suite.py read them.
 * Addresses and 32-bit results are hex strings; cycle counts are plain integers (u64). */
#include "kernel/bench/profile.h"

#include <string.h>

#include "kernel/arch/x86/exceptions.h"
#include "kernel/bench/fprof.h"
#include "kernel/bench/suite_adapt.h"
#include "kernel/mm/heap.h"

/* What one tick of the named clock is: the profile says what was measured, not only how. */
static const char *clock_unit(const char *source)
{
    static const struct { const char *source, *unit; } units[] = {
        {"icount", "guest instructions (QEMU -icount shift=0: exact and repeatable, not cycles)"},
        {"hw", "CPU cycles (hardware TSC)"},
        {"host-rdtsc", "CPU cycles (host TSC, same module bytes in a Linux process)"},
        {"tcg", "none: QEMU TCG's TSC follows host time, it is not a clock"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(source, units[i].source) == 0)
            return units[i].unit;
    return "unknown: no clock= option was given (icount, tcg or hw)";
}

static const char *const tier_names[FLUID_TIER_COUNT] = {"O0", "O1", "O2", "O3", "Os", "Oz"};
static const char *const expect_names[SUITE_EXPECT_COUNT] = {
    [SUITE_EXPECT_VALUE] = "value", [SUITE_EXPECT_FAULT] = "fault",
    [SUITE_EXPECT_TIMEOUT] = "timeout", [SUITE_EXPECT_REJECTED] = "rejected",
    [SUITE_EXPECT_TEST_OK] = "test_ok",
};

/* The heap's counters (kernel/mm/heap.h), so a profile shows what the run cost in memory. */
static void write_heap(struct json_out *j, const struct heap_stats *h)
{
    json_key(j, "heap");
    json_begin_object(j);
    json_key_u64(j, "total_bytes", h->total_bytes);
    json_key_u64(j, "in_use_bytes", h->in_use_bytes);
    json_key_u64(j, "peak_held_bytes", h->peak_held_bytes);
    json_key_u64(j, "free_bytes", h->free_bytes);
    json_key_u64(j, "largest_free_bytes", h->largest_free_bytes);
    json_key_u64(j, "live_blocks", h->live_blocks);
    json_key_u64(j, "free_blocks", h->free_blocks);
    json_key_u64(j, "mallocs", h->mallocs);
    json_key_u64(j, "frees", h->frees);
    json_key_u64(j, "failed", h->failed);
    json_key(j, "guard_mode");
    json_bool(j, h->guard_mode);
    json_end_object(j);
}
static void write_env(struct json_out *j, const struct profile_env *e)
{
    json_key_str(j, "format_version", PROFILE_FORMAT_VERSION);
    json_key_str(j, "runner", e->runner);
    json_key_str(j, "build_id", e->build_id);
    json_key_hex32(j, "boot_id", e->boot_id);
    json_key(j, "cpu");
    json_begin_object(j);
    json_key_str(j, "vendor", e->cpu_vendor);
    json_key_str(j, "brand", e->cpu_brand);
    json_key_str(j, "hypervisor", e->hypervisor);
    json_key(j, "features");
    json_begin_array(j);
    for (uint32_t i = 0; i < e->feature_count; i++)
        json_str(j, e->features[i]);
    json_end_array(j);
    json_end_object(j);
    json_key(j, "clock");
    json_begin_object(j);
    json_key_str(j, "source", e->clock);
    json_key_str(j, "unit", clock_unit(e->clock));
    json_key(j, "is_cycles");
    json_bool(j, e->clock_is_cycles);
    json_key_u64(j, "tsc_hz", e->tsc_hz);
    json_key_u64(j, "timer_overhead_cycles", e->timer_overhead);
    json_key_u64(j, "call_overhead_cycles", e->call_overhead);
    json_end_object(j);
    json_key(j, "isolation");
    json_begin_object(j);
    json_key_str(j, "mode", e->isolation ? e->isolation : "none");
    json_key(j, "paged");
    json_bool(j, e->isolation_paged);
    json_end_object(j);
    json_key_u64(j, "memory_bytes", e->memory_bytes);
    if (e->heap)
        write_heap(j, e->heap);
    json_key_u64(j, "calls_per_module", e->calls_per_module);
    json_key_u64_nonzero(j, "seconds_per_module", e->seconds_per_module);
}

static void write_header_facts(struct json_out *j, const struct suite_result *r)
{
    const struct fluid_mod_header *h = &r->info.hdr;
    bool loaded = r->status != SUITE_REJECTED;
    json_key_u64(j, "version", loaded ? h->module_version : 0);
    json_key_str(j, "tier", loaded && h->tier < FLUID_TIER_COUNT ? tier_names[h->tier] : "");
    json_key_str(j, "flags", loaded ? r->info.cflags : "");
    json_key_hex32(j, "flags_hash", loaded ? h->cflags_hash : 0);
    json_key_hex32(j, "required_features", loaded ? h->required_features : 0);
    json_key_str(j, "source", r->source);
    json_key_hex32(j, "code_address", r->code_addr);
    json_key_u64(j, "code_size", loaded ? h->code_size : 0);
    json_key_u64(j, "data_size", loaded ? h->data_size : 0);
    json_key_u64(j, "bss_size", loaded ? h->bss_size : 0);
}

static void write_timing(struct json_out *j, const struct suite_result *r)
{
    json_key_u64(j, "calls", r->calls);
    json_key_u64(j, "total_cycles", r->total);
    json_key_u64(j, "min_cycles", r->min);
    json_key_u64(j, "max_cycles", r->max);
    json_key_u64(j, "mean_cycles", r->mean);
    json_key_u64(j, "median_cycles", r->median);
    json_key(j, "samples");
    json_begin_array(j);
    for (uint32_t i = 0; i < r->calls && i < SUITE_MAX_CALLS; i++)
        json_u64(j, r->cycles[i]);
    json_end_array(j);
}

/* A module's adaptive run (kernel/bench/suite_adapt.h): the candidates, the slot's history
 * and what the planner cost. */
static void write_variant(struct json_out *j, const struct suite_adaptive *ad, uint32_t i)
{
    const struct suite_variant *v = &ad->v[i];
    const struct planner_candidate *c = &ad->pm.c[i];
    json_begin_object(j);
    json_key_u64(j, "index", i);
    json_key_str(j, "source", v->source);
    json_key_str(j, "label", v->label[0] ? v->label : (v->mem ? v->info.cflags : ""));
    json_key_str(j, "path", v->path);
    json_key_hex32(j, "crc32", v->crc);
    json_key(j, "placed");
    json_bool(j, v->mem != NULL);
    json_key(j, "demoted");
    json_bool(j, v->mem != NULL && c->demoted);
    json_key_str(j, "demoted_for",
                 v->mem && c->demoted ? planner_reason_name(c->demoted_for) : NULL);
    json_key_u64(j, "median_cycles", c->median);
    json_key_str(j, "error", v->error[0] ? v->error : NULL);
    json_end_object(j);
}

static void write_history(struct json_out *j, const struct planner_module *pm)
{
    json_key(j, "history");
    json_begin_array(j);
    for (uint32_t i = 0; i < pm->history_count; i++) {
        const struct planner_event *ev = &pm->history[i];
        json_begin_object(j);
        json_key_u64(j, "call", ev->call);
        json_key_u64(j, "from", ev->from);
        json_key_u64(j, "to", ev->to);
        json_key_u64(j, "from_median_cycles", ev->from_median);
        json_key_u64(j, "to_median_cycles", ev->to_median);
        json_key_str(j, "reason", planner_reason_name(ev->reason));
        json_end_object(j);
    }
    json_end_array(j);
    json_key_u64(j, "history_dropped", pm->history_dropped);
}

/* The candidates that left the table for newcomers, in order (suite_adapt.h). */
static void write_retired(struct json_out *j, const struct suite_adaptive *ad)
{
    json_key_u64(j, "retirements", ad->pm.retirements);
    json_key(j, "retired");
    json_begin_array(j);
    for (uint32_t i = 0; i < ad->pm.retirements && i < PLANNER_MAX_RETIREMENTS; i++) {
        const struct suite_retired *rec = &ad->retired[i];
        json_begin_object(j);
        json_key_u64(j, "index", rec->index);
        json_key_u64(j, "call", rec->call);
        json_key_str(j, "source", rec->source);
        json_key_str(j, "label", rec->label);
        json_key_hex32(j, "crc32", rec->crc);
        json_key_str(j, "demoted_for",
                     rec->demoted ? planner_reason_name(rec->demoted_for) : NULL);
        json_key_u64(j, "median_cycles", rec->median);
        json_end_object(j);
    }
    json_end_array(j);
}

static void write_adaptive(struct json_out *j, const struct suite_adaptive *ad)
{
    json_key(j, "adaptive");
    json_begin_object(j);
    json_key_u64(j, "calls", ad->calls);
    json_key_u64(j, "call_cycles", ad->cycles);
    json_key_u64(j, "reruns", ad->reruns);
    json_key_u64(j, "wrong_answers", ad->wrong_answers);
    json_key_u64(j, "answers_checked", ad->answers_checked);
    json_key_u64(j, "current", ad->pm.current);
    json_key_u64(j, "measurements", ad->pm.measurements);
    json_key_u64(j, "planner_calls", ad->pm.planner_calls);
    json_key_u64(j, "planner_cycles", ad->pm.planner_cycles);
    json_key_u64(j, "swaps", ad->pm.swaps);
    json_key_u64(j, "run_cycles", ad->run_cycles);
    json_key_u64_nonzero(j, "seconds", ad->seconds);
    if (ad->live.received) {    /* a variant came from the live line (docs/live.md) */
        json_key(j, "live");
        json_begin_object(j);
        json_key_u64(j, "frames", ad->live.frames);
        json_key_u64(j, "received", ad->live.received);
        json_key_u64(j, "accepted", ad->live.accepted);
        json_key_u64(j, "rejected", ad->live.rejected);
        json_end_object(j);
    }
    json_key_str(j, "wisdom", ad->wisdom);
    json_key(j, "variants");
    json_begin_array(j);
    for (uint32_t i = 0; i < ad->count; i++)
        write_variant(j, ad, i);
    json_end_array(j);
    write_retired(j, ad);
    write_history(j, &ad->pm);
    json_end_object(j);
}

static void write_module(struct json_out *j, const struct suite_result *r)
{
    const struct suite_entry *e = r->entry;
    json_begin_object(j);
    json_key_str(j, "name", e->name);
    write_header_facts(j, r);
    write_timing(j, r);
    json_key_str(j, "expect", (unsigned)e->expect < SUITE_EXPECT_COUNT ? expect_names[e->expect]
                                                                  : "?");
    json_key_hex32(j, "result", r->result);
    json_key_hex32(j, "expected", e->expected);
    json_key_u64(j, "tolerance", e->tolerance);
    json_key_str(j, "status", suite_status_name(r->status));
    json_key(j, "passed");
    json_bool(j, r->passed);
    json_key_str(j, "error", r->error[0] ? r->error : NULL);
    /* kernel/bench/cache.h: a refused cache file, embedded ran */
    json_key_str(j, "cache_error", r->cache_error);
    if (r->status == SUITE_FAULT) {
        json_key(j, "fault");
        json_begin_object(j);
        json_key_u64(j, "vector", r->fault.vector);
        json_key_str(j, "mnemonic", exception_mnemonic(r->fault.vector));
        json_key_hex32(j, "eip", r->fault.eip);
        json_key(j, "address");
        if (r->fault.has_addr)
            json_hex32(j, r->fault.addr);
        else
            json_null(j);
        json_end_object(j);
    }
    if (r->adaptive)
        write_adaptive(j, r->adaptive);
    json_end_object(j);
}

static void write_summary(struct json_out *j, const struct suite_result *r, uint32_t n)
{
    uint32_t passed = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        passed += r[i].passed;
        total += r[i].total;
    }
    json_key(j, "summary");
    json_begin_object(j);
    json_key_u64(j, "modules", n);
    json_key_u64(j, "passed", passed);
    json_key_u64(j, "failed", n - passed);
    json_key_u64(j, "total_cycles", total);
    json_end_object(j);
}

static void write_functions(struct json_out *j)
{
    uint32_t n, dropped;
    const struct fprof_slot *s = fprof_table(&n, &dropped);
    json_key(j, "functions");
    json_begin_array(j);
    for (uint32_t i = 0; i < n; i++) {
        json_begin_object(j);
        json_key_str(j, "name", s[i].name);
        json_key_u64(j, "calls", s[i].calls);
        json_key_u64(j, "cycles", s[i].cycles);
        json_key_u64(j, "max_cycles", s[i].max_cycles);
        json_end_object(j);
    }
    json_end_array(j);
    json_key_u64(j, "functions_dropped_calls", dropped);
}

bool profile_write(json_sink_fn sink, void *ctx, const struct profile_env *env,
                   const struct suite_result *results, uint32_t count)
{
    sink(ctx, PROFILE_BEGIN "\n", sizeof PROFILE_BEGIN);
    bool ok = profile_write_json(sink, ctx, env, results, count);
    sink(ctx, PROFILE_END "\n", sizeof PROFILE_END);
    return ok;
}

bool profile_write_json(json_sink_fn sink, void *ctx, const struct profile_env *env,
                        const struct suite_result *results, uint32_t count)
{
    struct json_out j;
    json_init(&j, sink, ctx);
    json_begin_object(&j);
    write_env(&j, env);
    write_summary(&j, results, count);
    json_key(&j, "modules");
    json_begin_array(&j);
    for (uint32_t i = 0; i < count; i++)
        write_module(&j, &results[i]);
    json_end_array(&j);
    write_functions(&j);
    json_end_object(&j);
    return json_finish(&j);
}
