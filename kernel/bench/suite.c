/* The benchmark suite stage (kernel/bench/suite.h): environment glue around
 * kernel/bench/suite_run.c. Memory is one static arena reused by each module in turn (modules
 * run one at a time, so the profile's code_address is the arena for all of them), handed to
 * ring 3 while its module runs; calls go to ring 3 through usermode_call; time comes from
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
#include "kernel/bench/live.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/bench/profile.h"
#include "kernel/bench/suite_run.h"
#include "kernel/bench/usermode.h"
#include "kernel/core/tsc.h"
#include "kernel/fs/profile_store.h"

#define SUITE_OVERHEAD_ROUNDS   64
#define SUITE_CALL_OVERHEAD_ROUNDS 16
#define SUITE_BAD_OPTION        "test=bad-modules"

extern const struct kernel_header kernel_image_header;

static uint8_t arena[SUITE_ARENA_SIZE] __attribute__((aligned(FLUID_MOD_ALIGN_MAX)));
static struct suite_result results[SUITE_MAX_MODULES];
/* Why a module's cache build was set aside at run time (the profile's cache_error). */
static char fallback_reason[SUITE_MAX_MODULES][SUITE_ERROR_LEN];

static uint64_t clock_tsc(void)
{
    return tsc_read();
}

static void *arena_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx;
    (void)align;        /* the arena is aligned to FLUID_MOD_ALIGN_MAX */
    if (size > SUITE_ARENA_SIZE)
        return NULL;
    *run_addr = (uint32_t)(uintptr_t)arena;
    return arena;
}

static void arena_release(void *ctx, void *mem, uint32_t size)
{
    (void)ctx;
    usermode_unmap_image((uintptr_t)mem, size);
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
                   uint32_t n, uint64_t boot)
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
        .calls_per_module = SUITE_CALLS, .runner = "kernel-i686", .heap = &heap,
    };
    if (!profile_write(serial_sink, NULL, &env, results, n))
        kprintf("suite: profile JSON writer misuse (bug in kernel/bench/profile.c)\n");
    save_to_disk(bi, &env, n);
}

int suite_run_and_report(const struct boot_info *bi)
{
    arch_timer_restart();       /* ticks fall at the same instructions in every icount run */
    uint64_t boot = tsc_read();
    bool bad = cmdline_has(SUITE_BAD_OPTION);
    fprof_clock = clock_tsc;
    struct suite_runner rn = {
        .cpu_features = module_features(), .calls = SUITE_CALLS,
        .timer_overhead = suite_timer_overhead(clock_tsc, SUITE_OVERHEAD_ROUNDS),
        .clock = clock_tsc, .acquire = arena_acquire, .release = arena_release,
        .protect = arena_protect, .call = in_ring3,
    };
    rn.call_overhead = suite_call_overhead(&rn, usermode_null_entry(),
                                           SUITE_CALL_OVERHEAD_ROUNDS);
    uint32_t n = 0, failed = 0;
    for (uint32_t i = 0; i < suite_registry_count; i++) {
        const struct suite_entry *e = &suite_registry[i];
        if (e->expect != SUITE_EXPECT_VALUE && !bad)
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
        bool ok = suite_run_one(&rn, e, file, size, source, &results[n]);
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
    export(bi, rn.timer_overhead, rn.call_overhead, n, boot);
    return (int)failed;
}

bool suite_stage(void)
{
    return suite_run_and_report(kernel_boot_info()) == 0;
}
