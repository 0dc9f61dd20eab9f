/* One module's run in the benchmark suite: how it was loaded, its timed calls and what it
 * returned, and the statistics the profile reports. Portable (kernel, tools/hostrun, host
 * tests): filled by the runner (kernel/bench/suite.c or tools/hostrun/hostrun.c), summarised here. */
#ifndef FLUID_KERNEL_SUITE_STATS_H
#define FLUID_KERNEL_SUITE_STATS_H

#include <fluid/types.h>
#include "kernel/bench/module_loader.h"
#include "kernel/bench/suite_registry.h"

struct suite_adaptive;      /* kernel/bench/suite_adapt.h */

/* What stopped a call that faulted (filled by the runner's guarded call). */
struct suite_fault {
    uint32_t vector;            /* exception vector (Intel SDM vol. 3A table 6-1) */
    uint32_t eip;               /* the faulting instruction */
    uint32_t addr;              /* the address it touched, if has_addr (#PF: CR2) */
    bool has_addr;
};

#define SUITE_MAX_CALLS     32      /* timed calls kept per module */
#define SUITE_ERROR_LEN     160

/* How a module's run ended. */
enum suite_status {
    SUITE_OK,               /* every call returned the expected value */
    SUITE_WRONG_RESULT,     /* a call returned something else */
    SUITE_FAULT,            /* a CPU exception stopped it */
    SUITE_TIMEOUT,          /* it ran past its budget and was stopped */
    SUITE_REJECTED,         /* the loader refused the file */
    SUITE_NO_MEMORY,        /* no room to place the image */
    SUITE_STATUS_COUNT
};

struct suite_result {
    const struct suite_entry *entry;
    struct mod_info info;           /* valid if status != SUITE_REJECTED */
    const char *source;             /* "embedded" or "cache" */
    const char *cache_error;        /* NULL, or why this module's cache file was refused */
    uint32_t code_addr;             /* where the image ran */
    uint32_t calls;                 /* timed calls made (the warm-up call is not counted) */
    uint64_t cycles[SUITE_MAX_CALLS];   /* per timed call, timer overhead subtracted */
    uint64_t total, min, max, mean, median;
    uint32_t result;                /* the last value returned */
    enum suite_status status;
    bool passed;                    /* status is what the registry expects */
    struct suite_fault fault;       /* SUITE_FAULT: exception, where, and what it touched */
    char error[SUITE_ERROR_LEN];    /* "" or a one-line reason */
    const struct suite_adaptive *adaptive;  /* NULL, or its adaptive run (variants, planner) */
};

/* True if the entry's calls must return its expected value (checked on every call). */
bool suite_expects_value(const struct suite_entry *e);

/* True if result is within the entry's tolerance of its expected value. */
bool suite_result_ok(const struct suite_entry *e, uint32_t result);

/* Fills total/min/max/mean/median from cycles[0..calls). */
void suite_stats_finish(struct suite_result *r);

/* Sets r->passed from r->status and the entry's expectation. */
void suite_judge(struct suite_result *r);

/* "ok", "wrong_result", "fault", "timeout", "rejected", "no_memory"; "?" otherwise. */
const char *suite_status_name(enum suite_status s);

/* The timer overhead: the smallest of n back-to-back deltas of clock() (n >= 1). */
uint64_t suite_timer_overhead(uint64_t (*clock)(void), uint32_t n);

#endif
