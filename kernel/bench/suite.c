/* The benchmark suite stage (kernel/bench/suite.h): environment glue around
 * kernel/bench/suite_run.c and, for modules with variants or in the long-running mode,
 * kernel/bench/suite_adapt.c with the planner. Memory is one static arena reused by each
 * module in turn (modules run one at a time, so the profile's code_address is the arena for
 * all of them unless several variants are resident): images take whole pages of it, first
 * fit (kernel/bench/image_arena.h), and are released in any order (a retired candidate's
 * from the middle), each handed to ring 3 while its module runs; calls go to ring 3 through
 * usermode_call; time comes from
 * the serialized tsc_read (kernel/core/tsc.h). The clock's own overhead and the cost of a
 * ring-3 call that returns at once are measured here and subtracted from every sample. */
#include "kernel/bench/suite.h"

#include <string.h>

#include <fluid/kernel_header.h>
#include "kernel/arch/x86/exceptions.h"
#include "kernel/core/arch.h"
#include "kernel/core/bootcheck.h"
#include "kernel/bench/cache.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/core/cpu.h"
#include "kernel/core/e820.h"
#include "kernel/bench/fprof.h"
#include "kernel/bench/guard.h"
#include "kernel/bench/image_arena.h"
#include "kernel/bench/live.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/bench/profile.h"
#include "kernel/bench/suite_adapt.h"
#include "kernel/bench/suite_options.h"
#include "kernel/bench/suite_run.h"
#include "kernel/bench/usermode.h"
#include "kernel/core/tsc.h"
#include "kernel/fs/profile_store.h"
#include "kernel/bench/wisdom_store.h"
#include "kernel/bench/offer.h"
#include "kernel/core/format.h"

#define SUITE_OVERHEAD_ROUNDS   64
#define SUITE_CALL_OVERHEAD_ROUNDS 16
#define SUITE_BAD_OPTION        "test=bad-modules"
#define SUITE_CALLS_OPTION      "suite.calls"
#define SUITE_SECONDS_OPTION    "suite.seconds"
#define SUITE_MODULES_OPTION    "suite.modules"
#define PLANNER_OPTION          "planner"
#define PLANNER_THRESHOLDS_OPTION "planner.thresholds"
#define PLANNER_SWAP_OPTION     "planner.swap"
#define PLANNER_SWAP_EVERY_CALL "every-call"
#define OFFER_ALLOC_ALIGN       16      /* as the registry's embedded .mod bytes */

extern const struct kernel_header kernel_image_header;

#define ARENA_PAGES             (SUITE_ARENA_SIZE / IMAGE_ARENA_PAGE)
_Static_assert(SUITE_ARENA_SIZE % IMAGE_ARENA_PAGE == 0, "the arena is whole pages");

static uint8_t arena_mem[SUITE_ARENA_SIZE] __attribute__((aligned(FLUID_MOD_ALIGN_MAX)));
static uint8_t arena_map[ARENA_PAGES];
static struct image_arena arena;
static struct suite_result results[SUITE_MAX_MODULES];
/* The adaptive records from the heap, freed once the profile is out (results[] points at them). */
static struct suite_adaptive *adaptive_records[SUITE_MAX_MODULES];
/* Why a module's cache build was set aside at run time (the profile's cache_error). */
static char fallback_reason[SUITE_MAX_MODULES][SUITE_ERROR_LEN];

static uint64_t clock_tsc(void)
{
    return tsc_read();
}

/* Pages of the arena for an image (kernel/bench/image_arena.h); NULL when no run of free
 * pages holds it. The arena is set up on first use: the suite stage runs once a boot. */
static void *arena_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx;
    (void)align;        /* every image starts on a page: FLUID_MOD_ALIGN_MAX at most */
    if (!arena.base)
        image_arena_init(&arena, arena_mem, ARENA_PAGES, arena_map);
    uint8_t *mem = image_arena_alloc(&arena, size);
    if (mem)
        *run_addr = (uint32_t)(uintptr_t)mem;
    return mem;
}

/* Takes the image's pages from ring 3, then frees them; a pointer the arena did not hand out
 * is the kernel's own bug, said so and left alone. */
static void arena_release(void *ctx, void *mem, uint32_t size)
{
    (void)ctx;
    usermode_unmap_image((uintptr_t)mem, size);
    enum image_arena_err err = image_arena_free(&arena, mem, size);
    if (err != IMAGE_ARENA_OK)
        kprintf("suite: image at %p (%u bytes) not freed: %s\n", mem, (unsigned)size,
                image_arena_strerror(err));
}

static bool arena_protect(void *ctx, void *mem, const struct mod_info *info)
{
    (void)ctx;
    return usermode_map_image((uintptr_t)mem, info->hdr.code_size, info->image_size);
}

static enum suite_call_outcome in_ring3(void *ctx, uint32_t entry,
                                        const struct fluid_module_ctx *mctx, uint32_t *result,
                                        struct suite_fault *fault)
{
    (void)ctx;
    struct guard_report rep;
    enum guard_outcome out = usermode_call(entry, mctx, sizeof *mctx, SUITE_BUDGET_MS, result,
                                           &rep);
    *fault = (struct suite_fault){rep.vector, rep.eip, rep.cr2,
                                  rep.vector == VECTOR_PAGE_FAULT};
    return out == GUARD_OK ? SUITE_CALL_OK : out == GUARD_FAULT ? SUITE_CALL_FAULT
                                                               : SUITE_CALL_TIMEOUT;
}

/* CPUID features (kernel/core/cpu.h) -> FLUID_FEAT_*; SSE counts only if the kernel enabled it. */
static uint32_t module_features(void)
{
    static const struct { enum cpu_feature cpu; uint32_t feat; bool needs_sse; } map[] = {
        {CPU_FEAT_FPU, FLUID_FEAT_FPU, false}, {CPU_FEAT_TSC, FLUID_FEAT_TSC, false},
        {CPU_FEAT_CMOV, FLUID_FEAT_CMOV, false}, {CPU_FEAT_MMX, FLUID_FEAT_MMX, false},
        {CPU_FEAT_SSE, FLUID_FEAT_SSE, true}, {CPU_FEAT_SSE2, FLUID_FEAT_SSE2, true},
        {CPU_FEAT_SSE3, FLUID_FEAT_SSE3, true}, {CPU_FEAT_SSSE3, FLUID_FEAT_SSSE3, true},
        {CPU_FEAT_SSE4_1, FLUID_FEAT_SSE41, true}, {CPU_FEAT_SSE4_2, FLUID_FEAT_SSE42, true},
    };   /* AVX/AVX2 stay off: the kernel does not enable AVX state (kernel/core/cpu.h) */
    uint32_t feats = 0;
    bool sse_on = cpu_info()->sse_enabled;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (cpu_has(map[i].cpu) && (sse_on || !map[i].needs_sse))
            feats |= map[i].feat;
    return feats;
}

static void serial_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        serial_putc(s[i]);
}

/* The JSON kept in memory for the disk copy: len counts every byte offered, so a document
 * longer than cap is seen as such (profile_store_save refuses it, said so). */
struct mem_sink {
    char *buf;
    uint32_t len, cap;
};

static void mem_sink_put(void *ctx, const char *s, size_t n)
{
    struct mem_sink *m = ctx;
    for (size_t i = 0; i < n; i++, m->len++)
        if (m->len < m->cap)
            m->buf[m->len] = s[i];
}

/* The same document to the boot stick's /PROFILE ring (kernel/fs/profile_store.h). */
static void save_to_disk(const struct boot_info *bi, const struct profile_env *env,
                         uint32_t n)
{
    struct mem_sink m = {malloc(PROFILE_STORE_MAX_JSON), 0, PROFILE_STORE_MAX_JSON};
    if (!m.buf) {
        kprintf("profile: no memory for %u bytes: not saved to disk\n",
                PROFILE_STORE_MAX_JSON);
        return;
    }
    if (profile_write_json(mem_sink_put, &m, env, results, n))
        profile_store_save(PROFILE_STORE_SUITE, m.buf, m.len, bi);
    free(m.buf);
}

static void log_result(const struct suite_result *r)
{
    if (r->error[0])
        kprintf("suite: %s: %s%s\n", r->entry->name, r->error,
                r->passed ? " (expected)" : "");
    else
        kprintf("suite: %s ok, %u calls, median %llu cycles\n", r->entry->name,
                (unsigned)r->calls, (unsigned long long)r->median);
}

static void export(const struct boot_info *bi, uint64_t overhead, uint64_t call_overhead,
                   uint32_t n, uint64_t boot, uint32_t calls, uint32_t seconds)
{
    static const char *names[CPU_FEAT_COUNT];
    static char build_id[sizeof kernel_image_header.build_id + 1];
    uint32_t nfeat = 0;
    for (int f = 0; f < CPU_FEAT_COUNT; f++)
        if (cpu_has((enum cpu_feature)f))
            names[nfeat++] = cpu_feature_name((enum cpu_feature)f);
    for (size_t i = 0; i < sizeof kernel_image_header.build_id; i++)
        build_id[i] = (char)kernel_image_header.build_id[i];
    enum tsc_clock mode = tsc_clock_mode();
    struct heap_stats heap;
    heap_get_stats(&heap);
    struct profile_env env = {
        .build_id = build_id, .boot_id = (uint32_t)boot, .cpu_vendor = cpu_info()->vendor,
        .cpu_brand = cpu_info()->brand, .hypervisor = cpu_info()->hypervisor,
        .features = names, .feature_count = nfeat, .clock = tsc_clock_name(mode),
        .clock_is_cycles = mode == TSC_CLOCK_HW,     /* icount counts instructions */
        .tsc_hz = tsc_hz(), .timer_overhead = overhead, .call_overhead = call_overhead,
        .isolation = "ring3", .isolation_paged = usermode_info()->paged,
        .memory_bytes = bi ? e820_usable_bytes(bi->e820, bi->e820_count) : 0,
        .calls_per_module = calls, .seconds_per_module = seconds, .runner = "kernel-i686",
        .heap = &heap,
    };
    if (!profile_write(serial_sink, NULL, &env, results, n))
        kprintf("suite: profile JSON writer misuse (bug in kernel/bench/profile.c)\n");
    save_to_disk(bi, &env, n);
}

/* suite.calls=N: timed calls per module in the long-running mode; 0 (the short run of
 * SUITE_CALLS) when absent or not a call count in 1..SUITE_MAX_LONG_CALLS (said so). */
static uint32_t long_calls(void)
{
    const char *v = cmdline_value(SUITE_CALLS_OPTION);
    uint32_t n = 0;
    if (v && !suite_parse_count(v, SUITE_MAX_LONG_CALLS, &n))
        kprintf("suite: %s=%s is not a call count in 1..%u: the short run\n",
                SUITE_CALLS_OPTION, v, (unsigned)SUITE_MAX_LONG_CALLS);
    return n;
}

/* suite.seconds=S: the long-running mode by time, each module S seconds of the calibrated
 * TSC; 0 when absent or not a number of seconds in 1..SUITE_MAX_SECONDS (said so). */
static uint32_t long_seconds(void)
{
    const char *v = cmdline_value(SUITE_SECONDS_OPTION);
    uint32_t s = 0;
    if (v && !suite_parse_count(v, SUITE_MAX_SECONDS, &s))
        kprintf("suite: %s=%s is not a number of seconds in 1..%u: ignored\n",
                SUITE_SECONDS_OPTION, v, (unsigned)SUITE_MAX_SECONDS);
    if (s && !tsc_hz()) {
        kprintf("suite: %s=%s: the TSC is not calibrated, so there is no clock for it: "
                "ignored\n", SUITE_SECONDS_OPTION, v);
        s = 0;
    }
    return s;
}

/* The planner's options: planner=on|off, planner.thresholds=A,B,..., planner.swap=every-call
 * (the swap test). A bad value is named and the default kept. */
static void planner_setup(struct planner_config *cfg)
{
    planner_config_default(cfg);
    cfg->clock = clock_tsc;
    const char *v = cmdline_value(PLANNER_OPTION);
    if (v && strcmp(v, "off") == 0)
        cfg->enabled = false;
    else if (v && strcmp(v, "on") != 0)
        kprintf("planner: %s=%s: want on or off; on\n", PLANNER_OPTION, v);
    v = cmdline_value(PLANNER_THRESHOLDS_OPTION);
    enum planner_err err = v ? planner_parse_thresholds(v, cfg) : PLANNER_OK;
    if (err != PLANNER_OK)
        kprintf("planner: %s=%s: %s; the default %s\n", PLANNER_THRESHOLDS_OPTION, v,
                planner_strerror(err), PLANNER_THRESHOLDS_DEFAULT);
    v = cmdline_value(PLANNER_SWAP_OPTION);
    if (v && strcmp(v, PLANNER_SWAP_EVERY_CALL) == 0)
        cfg->swap_every_call = true;
    else if (v)
        kprintf("planner: %s=%s: only %s is known; ignored\n", PLANNER_SWAP_OPTION, v,
                PLANNER_SWAP_EVERY_CALL);
    kprintf("planner: %s, %u thresholds from %u to %u calls, %u samples a candidate "
            "(each the last call of a warm burst of at most %u)%s\n",
            cfg->enabled ? "on" : "off", (unsigned)cfg->threshold_count,
            (unsigned)cfg->thresholds[0], (unsigned)cfg->thresholds[cfg->threshold_count - 1],
            (unsigned)PLANNER_SAMPLES, (unsigned)PLANNER_MAX_BURST_CALLS,
            cfg->swap_every_call ? ", swapping every call" : "");
}

/* suite.modules=a,b,...: only those modules run (the tests' short boots); all when absent. */
static bool selected(const char *name)
{
    const char *p = cmdline_value(SUITE_MODULES_OPTION);
    size_t n = strlen(name);
    if (!p)
        return true;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

/* Whether entry e runs this boot: a module with a value to check (the test modules too with
 * test=bad-modules), named by suite.modules= if that is given. */
static bool runs_entry(const struct suite_entry *e, bool bad)
{
    return (e->expect == SUITE_EXPECT_VALUE || bad) && selected(e->name);
}

bool suite_runs_module(const char *name)
{
    bool bad = cmdline_has(SUITE_BAD_OPTION);
    for (uint32_t i = 0; i < suite_registry_count; i++)
        if (strcmp(suite_registry[i].name, name) == 0)
            return runs_entry(&suite_registry[i], bad);
    return false;
}

static const char *variant_label(const struct suite_variant *v)
{
    return v->label && v->label[0] ? v->label : v->mem ? v->info.cflags : "";
}

/* What the adaptive run did, after it: candidates left out, every change of the slot (a
 * demotion with the failure that caused it), the totals. */
static void log_adaptive(const char *name, const struct suite_adaptive *ad)
{
    const struct planner_module *pm = &ad->pm;
    for (uint32_t i = 1; i < ad->count; i++)
        if (!ad->v[i].mem)
            kprintf("planner: %s: variant %u (%s) not placed: %s\n", name, (unsigned)i,
                    ad->v[i].path ? ad->v[i].path : variant_label(&ad->v[i]), ad->v[i].error);
    for (uint32_t i = 0; i < pm->retirements && i < PLANNER_MAX_RETIREMENTS; i++)
        kprintf("planner: %s: call %u: variant %u \"%s\" retired for a newcomer "
                "(median %llu%s%s)\n", name, (unsigned)ad->retired[i].call, (unsigned)ad->retired[i].index,
                ad->retired[i].label, (unsigned long long)ad->retired[i].median,
                ad->retired[i].demoted ? ", demoted for " : "",
                ad->retired[i].demoted ? planner_reason_name(ad->retired[i].demoted_for) : "");
    for (uint32_t i = 0; i < pm->history_count; i++) {
        const struct planner_event *ev = &pm->history[i];
        if (ev->reason == PLANNER_REASON_RETIRED)
            continue;                   /* said above, with its label */
        bool demoted = ev->reason != PLANNER_REASON_FASTER && ev->reason != PLANNER_REASON_WISDOM;
        const char *why = demoted ? suite_adapt_event_error(ad, ev) : "";
        kprintf("planner: %s: call %u: variant %u -> %u (%s, medians %llu -> %llu)%s%s\n",
                name, (unsigned)ev->call, (unsigned)ev->from, (unsigned)ev->to,
                planner_reason_name(ev->reason), (unsigned long long)ev->from_median,
                (unsigned long long)ev->to_median, demoted ? "; demoted, call re-run: " : "",
                why ? why : "(its entry went to a newcomer: see its retired line)");
    }
    const struct suite_variant *cur = &ad->v[pm->current];
    kprintf("planner: %s: %u calls, variant %u \"%s\" in the slot, %u measurements (%u calls, "
            "%llu cycles), %u re-runs, %llu swaps\n", name, (unsigned)ad->calls,
            (unsigned)pm->current, variant_label(cur), (unsigned)pm->measurements,
            (unsigned)pm->planner_calls, (unsigned long long)pm->planner_cycles,
            (unsigned)ad->reruns, (unsigned long long)pm->swaps);
}

/* Runs module e through its dispatch slot: the build cache_pick chose as the baseline, its
 * variants from the cache as the other candidates. */
static bool run_adaptive(const struct suite_runner *rn, const struct planner_config *cfg,
                         const struct suite_entry *e, const uint8_t *file, uint32_t size,
                         const char *source, uint32_t calls, uint32_t seconds,
                         struct suite_adaptive *ad, uint32_t n)
{
    const struct cache_variant *vars[PLANNER_MAX_CANDIDATES - 1];
    uint32_t nv = cache_pick_variants(e->name, rn->cpu_features, vars,
                                      PLANNER_MAX_CANDIDATES - 1);
    suite_adapt_init(ad, file, size, source);
    for (uint32_t i = 0; i < nv; i++)
        suite_adapt_offer(ad, vars[i]->bytes, vars[i]->size, vars[i]->m.flags, vars[i]->m.path,
                          vars[i]->m.crc);
    wisdom_store_apply(e->name, ad, cfg);
    ad->seconds = seconds;
    live_run_begin(e->name, calls, seconds);
    bool ok = suite_run_adaptive(rn, cfg, e, calls, ad, &results[n]);
    struct live_module_counts lc;
    live_run_end(&lc);
    ad->live.frames = lc.frames;
    ad->live.received = lc.received;
    ad->live.accepted = lc.accepted;
    ad->live.rejected = lc.rejected;
    log_adaptive(e->name, ad);
    wisdom_store_note(e->name, ad);
    return ok;
}

static void *offer_alloc(size_t size)
{
    return aligned_alloc(OFFER_ALLOC_ALIGN, size);
}

/* The live line's checked variants go to the planner (kernel/bench/offer.h): queued for their
 * module and measured as candidates between two of its calls. The bytes are copied there. */
static int offer_from_live(const char *module, const uint8_t *bytes, uint32_t size,
                           const char *origin)
{
    return (int)planner_offer(module, bytes, size, origin);
}

static const char *offer_refusal(int code)
{
    (void)code;                 /* planner_offer_detail names the refused value */
    return planner_offer_detail();
}

static const struct live_offer_handler live_to_planner = {"planner", offer_from_live,
                                                          offer_refusal};

static uint32_t suite_cpu_features;

/* suite_runner.between_calls: the live line, between two calls of a slot's module. */
static void live_between_calls(void *ctx, const struct suite_result *r, uint32_t calls)
{
    (void)ctx;
    live_poll_between_calls(suite_cpu_features, r, calls);
}

/* planner_offer's test of a module name: one of the registry's. */
static bool in_registry(const char *module)
{
    for (uint32_t i = 0; i < suite_registry_count; i++)
        if (strcmp(suite_registry[i].name, module) == 0)
            return true;
    return false;
}

int suite_run_and_report(const struct boot_info *bi)
{
    /* Only when a module will run through its slot: a boot without variants reads no more
     * than before. Before the timer restart: polling a disk takes a number of instructions
     * that varies from run to run, even under icount. */
    if (cache_variant_total() || cmdline_value(SUITE_CALLS_OPTION) ||
        cmdline_value(SUITE_SECONDS_OPTION))
        wisdom_store_load(bi, module_features());
    arch_timer_restart();       /* ticks fall at the same instructions in every icount run */
    uint64_t boot = tsc_read();
    bool bad = cmdline_has(SUITE_BAD_OPTION);
    fprof_clock = clock_tsc;
    struct suite_runner rn = {
        .cpu_features = module_features(), .calls = SUITE_CALLS,
        .timer_overhead = suite_timer_overhead(clock_tsc, SUITE_OVERHEAD_ROUNDS),
        .clock = clock_tsc, .acquire = arena_acquire, .release = arena_release,
        .protect = arena_protect, .call = in_ring3, .between_calls = live_between_calls,
    };
    suite_cpu_features = rn.cpu_features;
    rn.call_overhead = suite_call_overhead(&rn, usermode_null_entry(),
                                           SUITE_CALL_OVERHEAD_ROUNDS);
    struct planner_config cfg;
    planner_setup(&cfg);
    offer_init(offer_alloc, free, in_registry, rn.cpu_features);
    live_register_offer(&live_to_planner);
    uint32_t calls = long_calls(), seconds = long_seconds(), n = 0, failed = 0;
    if (seconds) {
        rn.run_ticks = tsc_hz() * seconds;      /* 64-bit: an hour at 10 GHz fits */
        calls = calls ? calls : SUITE_SECONDS_MAX_CALLS;
        kprintf("suite: each module runs %u s (the calibrated TSC), at most %u calls\n",
                (unsigned)seconds, (unsigned)calls);
    }
    for (uint32_t i = 0; i < suite_registry_count; i++) {
        const struct suite_entry *e = &suite_registry[i];
        if (!runs_entry(e, bad))
            continue;
        if (n == SUITE_MAX_MODULES) {
            kprintf("suite: %s and later modules not run: at most %u module runs a boot\n",
                    e->name, SUITE_MAX_MODULES);
            failed++;
            break;
        }
        const uint8_t *file = e->mod;
        uint32_t size = e->mod_size;
        const char *why, *source = cache_pick(e->name, rn.cpu_features, &file, &size, &why);
        const struct cache_variant *any;
        bool ok;
        /* A module's adaptive record (about 4.5 KiB) comes from the heap, only for the
         * modules that run through a slot; it lives until the profile is written. */
        struct suite_adaptive *ad = NULL;
        if (calls || cache_pick_variants(e->name, rn.cpu_features, &any, 1)) {
            ad = adaptive_records[n] = malloc(sizeof *ad);
            if (!ad)
                kprintf("suite: %s: no memory for its adaptive record (%u bytes); it runs "
                        "without variants\n", e->name, (unsigned)sizeof *ad);
        }
        if (ad) {
            ok = run_adaptive(&rn, &cfg, e, file, size, source, calls ? calls : SUITE_CALLS,
                              seconds, ad, n);
            results[n].cache_error = why;
            failed += !ok;
            log_result(&results[n++]);
            live_poll(rn.cpu_features, results, n);
            continue;
        }
        ok = suite_run_one(&rn, e, file, size, source, &results[n]);
        if (!ok && results[n].status == SUITE_NO_MEMORY && file != e->mod) {
            /* A valid cache module this machine cannot place: the embedded build runs
             * instead, and the profile says why (cache_error), as for a rejected file. */
            memcpy(fallback_reason[n], results[n].error, sizeof fallback_reason[n]);
            kprintf("suite: %s: cache module not run: %s; running the embedded module\n",
                    e->name, fallback_reason[n]);
            ok = suite_run_one(&rn, e, e->mod, e->mod_size, "embedded", &results[n]);
            why = fallback_reason[n];
        }
        failed += !ok;
        results[n].cache_error = why;
        log_result(&results[n++]);
        live_poll(rn.cpu_features, results, n);     /* the host's frames, bounded in time */
    }
    kprintf("suite: %u modules, %u passed, %u failed (clock %s, timer overhead %llu, ring-3 "
            "call overhead %llu)\n", (unsigned)n, (unsigned)(n - failed), (unsigned)failed,
            tsc_clock_name(tsc_clock_mode()), (unsigned long long)rn.timer_overhead,
            (unsigned long long)rn.call_overhead);
    wisdom_store_log_counts();
    wisdom_store_save(bi, rn.cpu_features);
    uint32_t offers_accepted, offers_refused;
    offer_counts(&offers_accepted, &offers_refused);
    if (offers_accepted + offers_refused)
        kprintf("planner: offers: %u accepted, %u refused, %u never taken\n",
                (unsigned)offers_accepted, (unsigned)offers_refused, (unsigned)offer_pending());
    export(bi, rn.timer_overhead, rn.call_overhead, n, boot, calls ? calls : SUITE_CALLS,
           seconds);
    for (uint32_t i = 0; i < n; i++) {
        results[i].adaptive = NULL;
        free(adaptive_records[i]);
        adaptive_records[i] = NULL;
    }
    return (int)failed;
}

bool suite_stage(void)
{
    return suite_run_and_report(kernel_boot_info()) == 0;
}
