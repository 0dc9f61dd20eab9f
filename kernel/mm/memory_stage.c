/* The "heap" boot stage (contract in memory.h): gives the heap every free RAM range, applies
 * `heap=guard`, tells the heap how to tell the started CPUs apart, and with `test=heap` runs
 * the heap's randomized self-test in the booted kernel: on the boot CPU alone, then, with
 * more than one CPU started, the threaded self-test on all of them at once. */
#include <fluid/memlayout.h>

#include "kernel/core/bootcheck.h"
#include "kernel/core/cmdline.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/mm/memory.h"
#include "kernel/core/tsc.h"
#include "kernel/smp/smp.h"

#define HEAP_SELFTEST_STEPS     20000u
#define HEAP_THREADED_STEPS     4000u   /* per CPU; cross-CPU hand-offs make each step dearer */
#define KIB                     1024u

/* What the kernel can address: 4 GiB for i686 (paging off or identity-mapped 4 GiB), the
 * identity map stage2 builds for x86-64 (boot/longmode.inc; at least 4 GiB) otherwise. */
#if UINTPTR_MAX == 0xFFFFFFFFu
#define ADDRESS_LIMIT           (1ull << 32)
#else
#define ADDRESS_LIMIT           ((uint64_t)LONG_MODE_MAP_MAX_GIB << 30)
#endif

extern char __kernel_start[], __kernel_end[];

static bool give_ranges_to_heap(const struct boot_info *bi)
{
    struct mem_range ranges[MEMORY_MAX_RANGES];
    int n;
    if (memory_heap_ranges(bi, (uintptr_t)__kernel_start, (uintptr_t)__kernel_end,
                           ADDRESS_LIMIT, ranges, MEMORY_MAX_RANGES, &n) != MEMORY_OK) {
        kprintf("heap: the E820 map splits into more than %d free ranges; no heap\n",
                MEMORY_MAX_RANGES);
        return false;
    }
    for (int i = 0; i < n; i++) {
        uint64_t size = ranges[i].end - ranges[i].base;
        if (size > (uint64_t)SIZE_MAX)
            size = SIZE_MAX;
        if (heap_add_region((uintptr_t)ranges[i].base, (size_t)size) != HEAP_OK)
            kprintf("heap: range 0x%llx-0x%llx not used\n",
                    (unsigned long long)ranges[i].base, (unsigned long long)ranges[i].end);
    }
    return n > 0;
}

static bool run_selftest(uint32_t seed)
{
    unsigned failures = heap_selftest(seed, HEAP_SELFTEST_STEPS, HEAP_SELFTEST_TOGGLE_GUARD);
    kprintf("heap: self-test, %u steps, seed 0x%08x: %u failures\n", HEAP_SELFTEST_STEPS,
            (unsigned)seed, failures);
    unsigned problems = heap_check();
    if (problems)
        kprintf("heap: consistency check after the self-test: %u problems\n", problems);
    return failures == 0 && problems == 0;
}

/* The threaded self-test's shared state: every CPU writes only its own failures slot. */
struct threaded_run {
    uint32_t cpus;                              /* CPUs taking part: 0 .. cpus-1 */
    uint32_t seed;
    unsigned failures[HEAP_SELFTEST_MAX_CPUS];
};

/* smp_run_on_all's job: CPUs past the self-test's maximum sit it out. */
static void threaded_on_this_cpu(void *arg)
{
    struct threaded_run *run = arg;
    uint32_t cpu = cpu_index();
    if (cpu < run->cpus)
        run->failures[cpu] = heap_selftest_threaded(cpu, run->cpus, run->seed,
                                                    HEAP_THREADED_STEPS);
}

static bool run_threaded_selftest(uint32_t seed)
{
    struct threaded_run run = {.seed = seed};
    uint32_t started = cpu_count_started();
    run.cpus = started < HEAP_SELFTEST_MAX_CPUS ? started : HEAP_SELFTEST_MAX_CPUS;
    heap_selftest_threaded_prepare(run.cpus);
    smp_run_on_all(threaded_on_this_cpu, &run);
    unsigned failures = 0;
    for (uint32_t cpu = 0; cpu < run.cpus; cpu++)
        failures += run.failures[cpu];
    kprintf("heap: threaded self-test on %u of %u CPUs, %u steps each, seed 0x%08x: "
            "%u failures\n", (unsigned)run.cpus, (unsigned)started, HEAP_THREADED_STEPS,
            (unsigned)seed, failures);
    unsigned problems = heap_check();
    if (problems)
        kprintf("heap: consistency check after the threaded self-test: %u problems\n",
                problems);
    return failures == 0 && problems == 0;
}

/* Once several CPUs run, each gets its own caches (heap.h, heap_set_cpu_hooks). */
static bool tell_heap_the_cpus(void)
{
    uint32_t started = cpu_count_started();
    if (started <= 1)
        return true;
    enum heap_err err = heap_set_cpu_hooks(cpu_index, started);
    if (err != HEAP_OK) {
        kprintf("heap: cannot serve %u CPUs: %s\n", (unsigned)started, heap_strerror(err));
        return false;
    }
    return true;
}

/* malloc and free find the calling CPU's share of the heap through GS (cpu_heap_gs, valid
 * from arch init on). Once a first call has bound the boot CPU's, the GS-relative read must
 * give what the CPU's block holds; if GS pointed anywhere else, every call would read a
 * pointer from wherever it points. */
static bool heap_share_found_through_gs(void)
{
    free(malloc(1));
    void *through_gs = cpu_heap_gs(), *in_block = cpu_local()->heap;
    if (in_block != NULL && through_gs == in_block)
        return true;
    kprintf("heap: the per-CPU block read through GS gives share %p, the block holds %p: GS "
            "does not address this CPU's block\n", through_gs, in_block);
    return false;
}

bool memory_stage(void)
{
    uint32_t seed = (uint32_t)tsc_read();
    heap_init(seed);
    if (cmdline_has("heap=guard"))
        heap_set_guard_mode(true);
    if (!give_ranges_to_heap(kernel_boot_info())) {
        kprintf("heap: no usable RAM above the kernel\n");
        return false;
    }
    struct heap_stats st;
    heap_get_stats(&st);
    kprintf("heap: %llu KiB in free RAM ranges, guard mode %s\n",
            (unsigned long long)(st.total_bytes / KIB), st.guard_mode ? "on" : "off");
    if (!heap_share_found_through_gs() || !tell_heap_the_cpus())
        return false;
    if (cmdline_has("test=heap")) {
        bool ok = run_selftest(seed);
        if (cpu_count_started() > 1)
            ok = run_threaded_selftest(seed) && ok;
        return ok;
    }
    return true;
}
