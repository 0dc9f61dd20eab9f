/* Runs one module (kernel/bench/suite_run.h). The warm-up call fills caches and catches a fault
 * before any timing; a wrong answer on any call marks the module failed whatever its speed. */
#include "kernel/bench/suite_run.h"

#include <string.h>

#include "kernel/arch/x86/exceptions.h"
#include "kernel/bench/fprof.h"
#include "kernel/core/format.h"

static void clear(struct suite_result *r, const struct suite_entry *e, const char *source)
{
    memset(r, 0, sizeof *r);
    r->entry = e;
    r->source = source;
}

bool suite_call_once(const struct suite_runner *rn, struct suite_result *r, uint32_t entry,
                      uint32_t index)
{
    struct fluid_module_ctx mctx = {FLUID_MODULE_ABI_VERSION, sizeof mctx, index,
                                    rn->cpu_features};
    struct suite_fault f = {0, 0, 0, false};
    enum suite_call_outcome out = rn->call(rn->ctx, entry, &mctx, &r->result, &f);
    if (out == SUITE_CALL_OK)
        return true;
    r->status = out == SUITE_CALL_FAULT ? SUITE_FAULT : SUITE_TIMEOUT;
    r->fault = f;
    if (out == SUITE_CALL_FAULT) {
        size_t n = fmt_snprintf(r->error, sizeof r->error,
                                "module %s: CPU exception %s (vector %u) at 0x%08x (image "
                                "offset 0x%x)", r->entry->name, exception_mnemonic(f.vector),
                                (unsigned)f.vector, (unsigned)f.eip,
                                (unsigned)(f.eip - r->code_addr));
        size_t rest = n < sizeof r->error ? sizeof r->error - n : 0;
        if (f.has_addr && rest)
            n += fmt_snprintf(r->error + n, rest, ", address 0x%08x", (unsigned)f.addr);
        rest = n < sizeof r->error ? sizeof r->error - n : 0;
        if (rest)
            fmt_snprintf(r->error + n, rest, " on call %u", (unsigned)index);
    } else
        fmt_snprintf(r->error, sizeof r->error, "module %s: time budget exceeded on call %u",
                     r->entry->name, (unsigned)index);
    return false;
}

bool suite_check_answer(struct suite_result *r, uint32_t index)
{
    if (!suite_expects_value(r->entry) || suite_result_ok(r->entry, r->result))
        return true;
    r->status = SUITE_WRONG_RESULT;
    fmt_snprintf(r->error, sizeof r->error,
                 "module %s: wrong result 0x%08x on call %u (expected 0x%08x +- %u)",
                 r->entry->name, (unsigned)r->result, (unsigned)index,
                 (unsigned)r->entry->expected, (unsigned)r->entry->tolerance);
    return false;
}

/* Warm-up, then the timed calls; stops at the first failure. */
static void run_calls(const struct suite_runner *rn, struct suite_result *r, uint32_t entry)
{
    int slot = FPROF_UNREGISTERED;     /* one profiler entry per module name */
    uint32_t calls = rn->calls < SUITE_MAX_CALLS ? rn->calls : SUITE_MAX_CALLS;
    if (!suite_call_once(rn, r, entry, 0) || !suite_check_answer(r, 0))
        return;
    for (uint32_t i = 1; i <= calls; i++) {
        uint64_t t0 = rn->clock();
        bool ok = suite_call_once(rn, r, entry, i);
        uint64_t dt = rn->clock() - t0;
        if (!ok)
            return;
        uint64_t overhead = rn->timer_overhead + rn->call_overhead;
        r->cycles[r->calls++] = dt > overhead ? dt - overhead : 0;
        fprof_leave(&slot, r->entry->name, t0);
        if (!suite_check_answer(r, i))
            return;
    }
    r->status = SUITE_OK;
}

static bool finish(struct suite_result *r)
{
    suite_stats_finish(r);
    suite_judge(r);
    return r->passed;
}

uint64_t suite_call_overhead(const struct suite_runner *rn, uint32_t null_entry,
                             uint32_t rounds)
{
    struct fluid_module_ctx mctx = {FLUID_MODULE_ABI_VERSION, sizeof mctx, 0,
                                    rn->cpu_features};
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < rounds; i++) {
        uint32_t result;
        struct suite_fault f;
        uint64_t t0 = rn->clock();
        enum suite_call_outcome out = rn->call(rn->ctx, null_entry, &mctx, &result, &f);
        uint64_t dt = rn->clock() - t0;
        if (out != SUITE_CALL_OK)
            return 0;
        if (dt < best)
            best = dt;
    }
    return best != UINT64_MAX && best > rn->timer_overhead ? best - rn->timer_overhead : 0;
}

bool suite_run_one(const struct suite_runner *rn, const struct suite_entry *e,
                   const uint8_t *file, uint32_t size, const char *source,
                   struct suite_result *r)
{
    static int check_slot = FPROF_UNREGISTERED, place_slot = FPROF_UNREGISTERED;
    struct mod_diag d = {MOD_OK, 0, 0};
    clear(r, e, source);
    uint64_t t0 = fprof_enter();
    enum mod_err err = mod_check(file, size, rn->cpu_features, &r->info, &d);
    fprof_leave(&check_slot, "mod_check", t0);
    if (err != MOD_OK) {
        r->status = SUITE_REJECTED;
        mod_format_error(e->name, &d, r->error, sizeof r->error);
        return finish(r);
    }
    void *mem = rn->acquire(rn->ctx, r->info.image_size, r->info.hdr.align, &r->code_addr);
    if (!mem) {
        r->status = SUITE_NO_MEMORY;
        fmt_snprintf(r->error, sizeof r->error, "module %s: no memory for %u bytes", e->name,
                     (unsigned)r->info.image_size);
        return finish(r);
    }
    t0 = fprof_enter();
    err = mod_place(&r->info, mem, r->info.image_size, r->code_addr, &d);
    fprof_leave(&place_slot, "mod_place", t0);
    if (err != MOD_OK) {
        r->status = SUITE_REJECTED;
        mod_format_error(e->name, &d, r->error, sizeof r->error);
    } else if (rn->protect && !rn->protect(rn->ctx, mem, &r->info)) {
        r->status = SUITE_NO_MEMORY;
        fmt_snprintf(r->error, sizeof r->error,
                     "module %s: cannot map its %u bytes at 0x%08x for it to run", e->name,
                     (unsigned)r->info.image_size, (unsigned)r->code_addr);
    } else {
        run_calls(rn, r, mod_entry_addr(&r->info, r->code_addr));
    }
    rn->release(rn->ctx, mem, r->info.image_size);
    return finish(r);
}
