/* A module's adaptive run (contract in suite_adapt.h): placement of every candidate, the
 * dispatch slot, the planner's run function, demotion with the call run again. The warm-up
 * call runs the baseline and is not timed, as in suite_run.c. */
#include "kernel/bench/suite_adapt.h"

#include <string.h>

#include "kernel/bench/offer.h"
#include "kernel/core/format.h"
#include "kernel/lib/crc32.h"

/* What the planner's run function needs. */
struct adapt_ctx {
    const struct suite_runner *rn;
    struct suite_adaptive *ad;
    struct suite_result *r;
    bool baseline_failed;           /* the baseline failed a planner call: the module failed */
};

void suite_adapt_init(struct suite_adaptive *ad, const uint8_t *file, uint32_t size,
                      const char *source)
{
    memset(ad, 0, sizeof *ad);
    planner_module_init(&ad->pm);
    suite_adapt_offer(ad, file, size, "", NULL, 0);
    ad->v[0].source = source;
}

bool suite_adapt_offer(struct suite_adaptive *ad, const uint8_t *file, uint32_t size,
                       const char *label, const char *path, uint32_t crc)
{
    if (ad->count == PLANNER_MAX_CANDIDATES)
        return false;
    struct suite_variant *v = &ad->v[ad->count++];
    memset(v, 0, sizeof *v);
    *v = (struct suite_variant){.label = label, .source = "variant", .path = path, .crc = crc,
                                .file = file, .size = size};
    return true;
}

static struct wisdom_key key_of(const struct suite_variant *v)
{
    struct mod_info info;
    struct mod_diag d = {MOD_OK, 0, 0};
    bool ok = mod_check(v->file, v->size, FLUID_FEAT_KNOWN, &info, &d) == MOD_OK;
    return (struct wisdom_key){crc32_iso_hdlc(v->file, v->size), ok ? info.hdr.cflags_hash : 0};
}

void suite_adapt_keys(struct suite_adaptive *ad)
{
    for (uint32_t i = 0; i < ad->count; i++)
        ad->keys[i] = key_of(&ad->v[i]);
}

static void publish(struct dispatch_slot *slot, struct suite_variant *v)
{
    __atomic_store_n(&slot->current, v, __ATOMIC_RELEASE);
}

/* Checks, places and protects v; false with v->error set (nothing left acquired). */
static bool place(const struct suite_runner *rn, const char *name, struct suite_variant *v)
{
    struct mod_diag d = {MOD_OK, 0, 0};
    if (mod_check(v->file, v->size, rn->cpu_features, &v->info, &d) != MOD_OK) {
        mod_format_error(name, &d, v->error, sizeof v->error);
        return false;
    }
    void *mem = rn->acquire(rn->ctx, v->info.image_size, v->info.hdr.align, &v->code_addr);
    if (!mem) {
        fmt_snprintf(v->error, sizeof v->error, "module %s: no memory for %u bytes", name,
                     (unsigned)v->info.image_size);
        return false;
    }
    if (mod_place(&v->info, mem, v->info.image_size, v->code_addr, &d) != MOD_OK) {
        mod_format_error(name, &d, v->error, sizeof v->error);
    } else if (rn->protect && !rn->protect(rn->ctx, mem, &v->info)) {
        fmt_snprintf(v->error, sizeof v->error, "module %s: cannot map its %u bytes at 0x%08x",
                     name, (unsigned)v->info.image_size, (unsigned)v->code_addr);
    } else {
        v->mem = mem;
        v->entry = mod_entry_addr(&v->info, v->code_addr);
        return true;
    }
    rn->release(rn->ctx, mem, v->info.image_size);
    return false;
}

/* One timed, checked call of v as the module's call `index`; every answer it checks is
 * counted in ad->answers_checked. */
static enum planner_outcome timed_call(const struct suite_runner *rn, struct suite_result *r,
                                       struct suite_adaptive *ad, const struct suite_variant *v,
                                       uint32_t index, uint64_t *cycles)
{
    r->code_addr = v->code_addr;
    uint64_t t0 = rn->clock();
    bool ok = suite_call_once(rn, r, v->entry, index);
    uint64_t dt = rn->clock() - t0;
    if (!ok)
        return r->status == SUITE_FAULT ? PLANNER_RUN_FAULT : PLANNER_RUN_TIMEOUT;
    uint64_t overhead = rn->timer_overhead + rn->call_overhead;
    *cycles = dt > overhead ? dt - overhead : 0;
    ad->answers_checked++;
    return suite_check_answer(r, index) ? PLANNER_RUN_OK : PLANNER_RUN_WRONG;
}

/* A failed call of a candidate other than the baseline: its message moves to the candidate,
 * the module's own status is untouched by it. */
static void set_aside(struct suite_adaptive *ad, struct suite_result *r, uint32_t which,
                      enum planner_outcome o)
{
    memcpy(ad->v[which].error, r->error, sizeof r->error);
    r->error[0] = 0;
    r->status = SUITE_OK;
    ad->wrong_answers += o == PLANNER_RUN_WRONG;
}

static enum planner_outcome planner_call(void *ctx, uint32_t cand, uint32_t call,
                                         uint64_t *cycles)
{
    struct adapt_ctx *c = ctx;
    enum planner_outcome o = timed_call(c->rn, c->r, c->ad, &c->ad->v[cand], call + 1,
                                           cycles);
    if (o != PLANNER_RUN_OK && cand != 0)
        set_aside(c->ad, c->r, cand, o);
    else if (o != PLANNER_RUN_OK)
        c->baseline_failed = true;
    return o;
}

static enum planner_reason reason_of(enum planner_outcome o)
{
    return o == PLANNER_RUN_WRONG ? PLANNER_REASON_WRONG
         : o == PLANNER_RUN_FAULT ? PLANNER_REASON_FAULT : PLANNER_REASON_TIMEOUT;
}

/* Places every candidate; those that cannot be placed stay out of the planner's race. */
static bool place_all(const struct suite_runner *rn, const struct suite_entry *e,
                      struct suite_adaptive *ad)
{
    for (uint32_t i = 0; i < ad->count; i++) {
        uint32_t idx;
        planner_add(&ad->pm, ad->v[i].label, &idx);
        if (!place(rn, e->name, &ad->v[i]))
            ad->pm.c[i].demoted = true;     /* never offered to the slot */
    }
    return ad->v[0].mem != NULL;
}

static void release_all(const struct suite_runner *rn, struct suite_adaptive *ad)
{
    for (uint32_t i = ad->count; i-- > 0;)
        if (ad->v[i].mem)
            rn->release(rn->ctx, ad->v[i].mem, ad->v[i].info.image_size);
}

/* Candidate i leaves the table for a newcomer at `call`: its record is kept, its image
 * released. Its code is unreachable when this runs: it is not in the slot (planner_retire
 * refuses the slot's candidate and the fallback a demotion would publish), this runs between
 * two calls, so no call of it is in flight, and release takes its pages from ring 3. */
static bool retire(const struct suite_runner *rn, struct suite_adaptive *ad, uint32_t i,
                   uint32_t call)
{
    const struct planner_candidate *c = &ad->pm.c[i];
    struct suite_variant *v = &ad->v[i];
    struct suite_retired rec = {i, call, v->crc, c->median, c->demoted, c->demoted_for,
                                v->source, ""};
    fmt_snprintf(rec.label, sizeof rec.label, "%s",
                 v->label && v->label[0] ? v->label : v->mem ? v->info.cflags : "");
    if (!planner_retire(&ad->pm, i, call))
        return false;
    ad->retired[ad->pm.retirements - 1] = rec;
    if (v->mem)
        rn->release(rn->ctx, v->mem, v->info.image_size);
    if (strcmp(v->source, "offer") == 0)
        offer_release(v->file);     /* its copy: the key and record above are all that stay */
    memset(v, 0, sizeof *v);
    return true;
}

/* The entry a newcomer takes: the next free one, else a retired loser's; PLANNER_NONE when
 * neither (the offer then waits in the queue). */
static uint32_t entry_for_newcomer(const struct suite_adaptive *ad)
{
    return ad->count < PLANNER_MAX_CANDIDATES ? ad->count : planner_retire_choice(&ad->pm);
}

/* Takes the module's queued offers as new candidates, each in a free entry or one a loser
 * left (retire); true if one could be placed. Offers that find no entry stay queued: the next
 * call's measurement makes this round's newcomers retirable. */
static bool adopt_offers(const struct suite_runner *rn, struct adapt_ctx *c, uint32_t call)
{
    struct suite_adaptive *ad = c->ad;
    const char *name = c->r->entry->name;
    struct offer o;
    bool placed = false;
    for (uint32_t i; (i = entry_for_newcomer(ad)) != PLANNER_NONE && offer_take(name, &o);) {
        if (i == ad->count) {
            uint32_t idx;
            suite_adapt_offer(ad, o.bytes, o.size, "", NULL, 0);
            planner_add(&ad->pm, "", &idx);
        } else if (!retire(rn, ad, i, call)) {
            offer_release(o.bytes);             /* cannot happen: i is the planner's choice */
            break;
        }
        struct suite_variant *v = &ad->v[i];
        *v = (struct suite_variant){.source = "offer", .file = o.bytes, .size = o.size};
        fmt_snprintf(v->own_label, sizeof v->own_label, "%s", o.label);
        v->label = v->own_label;
        ad->keys[i] = key_of(v);
        v->crc = ad->keys[i].file_crc;          /* the host names what it sent by this CRC */
        planner_reuse(&ad->pm, i, v->label);
        if (place(rn, name, v))
            placed = true;
        else
            ad->pm.c[i].demoted = true;
    }
    return placed;
}

/* The calls through the slot; stops only when the baseline itself fails. */
static void run_slot(const struct suite_runner *rn, const struct planner_config *cfg,
                     uint32_t calls, struct adapt_ctx *c)
{
    struct suite_adaptive *ad = c->ad;
    struct suite_result *r = c->r;
    struct dispatch_slot slot;
    publish(&slot, &ad->v[ad->pm.current]);
    bool rerun = false;                     /* call i again on the tier the slot went back to */
    uint64_t start = rn->clock();
    uint32_t i = 0;
    while (i < calls) {
        if (!rerun && i > 0 && rn->run_ticks && rn->clock() - start >= rn->run_ticks)
            break;                          /* suite.seconds: the module's time is up */
        if (rn->between_calls)
            rn->between_calls(rn->ctx, r, i);
        if (rerun)
            ;
        else if (offer_pending() && adopt_offers(rn, c, i) && cfg->enabled && !cfg->swap_every_call)
            publish(&slot, &ad->v[planner_measure_now(&ad->pm, cfg, i, planner_call, c)]);
        else if (cfg->enabled && cfg->swap_every_call)
            publish(&slot, &ad->v[planner_rotate(&ad->pm)]);
        else if (planner_due(&ad->pm, cfg, i))
            publish(&slot, &ad->v[planner_measure(&ad->pm, cfg, i, planner_call, c)]);
        if (c->baseline_failed)
            return;
        struct suite_variant *v = __atomic_load_n(&slot.current, __ATOMIC_ACQUIRE);
        uint32_t which = (uint32_t)(v - ad->v);
        uint64_t cycles = 0;
        enum planner_outcome o = timed_call(rn, r, ad, v, i + 1, &cycles);
        ad->calls++;
        rerun = o != PLANNER_RUN_OK;
        if (o == PLANNER_RUN_OK) {
            r->cycles[i % SUITE_MAX_CALLS] = cycles;
            ad->cycles += cycles;
            i++;
            continue;
        }
        if (which == 0)
            return;                         /* the module's own failure */
        set_aside(ad, r, which, o);
        publish(&slot, &ad->v[planner_demote(&ad->pm, which, reason_of(o), i)]);
        ad->reruns++;
    }
    ad->run_cycles = rn->clock() - start;
    r->calls = i < SUITE_MAX_CALLS ? i : SUITE_MAX_CALLS;
    r->status = SUITE_OK;
}

bool suite_run_adaptive(const struct suite_runner *rn, const struct planner_config *cfg,
                        const struct suite_entry *e, uint32_t calls, struct suite_adaptive *ad,
                        struct suite_result *r)
{
    if (!place_all(rn, e, ad)) {
        release_all(rn, ad);
        bool ok = suite_run_one(rn, e, ad->v[0].file, ad->v[0].size, ad->v[0].source, r);
        r->adaptive = ad;
        return ok;
    }
    memset(r, 0, sizeof *r);
    r->entry = e;
    r->adaptive = ad;
    if (ad->wisdom_fixed && planner_select(&ad->pm, ad->wisdom_start, PLANNER_REASON_WISDOM, 0))
        ad->pm.next_threshold = cfg->threshold_count;      /* decided: never due this boot */
    struct adapt_ctx c = {rn, ad, r, false};
    r->code_addr = ad->v[0].code_addr;
    if (suite_call_once(rn, r, ad->v[0].entry, 0) && suite_check_answer(r, 0))
        run_slot(rn, cfg, calls, &c);
    const struct suite_variant *cur = &ad->v[ad->pm.current];
    r->info = cur->info;
    r->code_addr = cur->code_addr;
    r->source = cur->source;
    release_all(rn, ad);
    suite_stats_finish(r);
    suite_judge(r);
    return r->passed;
}

const char *suite_adapt_event_error(const struct suite_adaptive *ad,
                                    const struct planner_event *ev)
{
    for (uint32_t i = 0; i < ad->pm.retirements && i < PLANNER_MAX_RETIREMENTS; i++)
        if (ad->retired[i].index == ev->from && ad->retired[i].call >= ev->call)
            return NULL;
    return ad->v[ev->from].error;
}
