/* The JSON profile (docs/profile-format.md): the run's environment, one record per module
 * and the per-function profiler table, written between PROFILE_BEGIN/PROFILE_END marker lines
 * so that tools/fluid_profile.py and the tests can cut it out of a serial log. Portable: the kernel
 * writes it to COM1, tools/hostrun to stdout. */
#ifndef FLUID_KERNEL_PROFILE_H
#define FLUID_KERNEL_PROFILE_H

#include <fluid/types.h>
#include "kernel/bench/json.h"
#include "kernel/bench/suite_stats.h"

struct heap_stats;

#define PROFILE_FORMAT_VERSION  "2.5"
#define PROFILE_BEGIN           "=====BEGIN FLUID PROFILE JSON====="
#define PROFILE_END             "=====END FLUID PROFILE JSON====="

/* What the runner knows about the machine and the clock. */
struct profile_env {
    const char *build_id;           /* git revision of the kernel (or host runner) */
    uint32_t boot_id;               /* random per boot (TSC low bits at boot) */
    const char *cpu_vendor, *cpu_brand, *hypervisor;   /* "" when unknown / none */
    const char *const *features;    /* CPU feature names */
    uint32_t feature_count;
    const char *clock;              /* "icount", "tcg", "hw", "host-rdtsc", "unspecified" */
    bool clock_is_cycles;           /* false for plain TCG: deltas follow host time */
    uint64_t tsc_hz;                /* 0 if unknown */
    uint64_t timer_overhead;        /* cycles subtracted from every sample */
    uint64_t call_overhead;         /* cycles of a call that returns at once, subtracted too */
    const char *isolation;          /* how modules are kept apart from the runner: "ring3"
                                     * (kernel) or "process" (hostrun) */
    bool isolation_paged;           /* memory outside the module's pages is out of reach */
    uint64_t memory_bytes;
    uint32_t calls_per_module;      /* timed calls per module (after one warm-up call); under
                                     * suite.seconds, the cap on them */
    uint32_t seconds_per_module;    /* suite.seconds=S: each module ran S s; 0: by calls */
    const char *runner;             /* "kernel-i686" or "hostrun" */
    const struct heap_stats *heap;  /* the kernel heap after the run; NULL: no "heap" key */
};

/* Writes the whole document (markers included) through sink. Returns false if the JSON
 * writer reported misuse (a bug here, never caused by the data). */
bool profile_write(json_sink_fn sink, void *ctx, const struct profile_env *env,
                   const struct suite_result *results, uint32_t count);

/* The JSON document alone, without the marker lines (what the kernel saves to disk,
 * kernel/fs/profile_store.h). Same result as profile_write. */
bool profile_write_json(json_sink_fn sink, void *ctx, const struct profile_env *env,
                        const struct suite_result *results, uint32_t count);

#endif
