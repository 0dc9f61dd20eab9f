/* The benchmark suite stage: runs every module of the registry (kernel/bench/suite_registry.h)
 * in ring 3 (kernel/bench/usermode.h), checks each answer, and writes the JSON profile to COM1 between the
 * kernel/bench/profile.h marker lines. A module with variants in the cache, and every module
 * in the long-running mode (suite.calls=N, or suite.seconds=S: S seconds per module), runs
 * through its dispatch slot with the planner
 * (kernel/bench/suite_adapt.h; options planner=off, planner.thresholds=A,B,...,
 * planner.swap=every-call, suite.modules=a,b to run only some). Test modules (tests/modules/bad/) run only with the
 * command-line option `test=bad-modules`. Needs the IDT, PIT, TSC calibration and CPU
 * identification done (kernel_main does them before the stages). */
#ifndef FLUID_KERNEL_SUITE_H
#define FLUID_KERNEL_SUITE_H

#include <fluid/bootinfo.h>
#include <fluid/types.h>

#define SUITE_CALLS         5       /* timed calls per module, after one warm-up call */
#define SUITE_MAX_LONG_CALLS 1000000u   /* suite.calls=N: at most this many per module */
#define SUITE_BUDGET_MS     1000    /* PIT watchdog per call */
/* Every image of the module running (its candidates, page-aligned, stacked); a candidate
 * that does not fit is left out, logged with its size. Room for a slot's eight candidates
 * (PLANNER_MAX_CANDIDATES) of the largest module, sum's 135,168-byte image (its data). */
#define SUITE_ARENA_SIZE    (2u * 1024u * 1024u)
#define SUITE_MAX_MODULES   64      /* module runs per boot; more is a failed run, said so */

/* Runs the suite and exports the profile; returns the number of module runs that did not
 * end as the registry expects (0: all correct). bi gives the memory size for the profile. */
int suite_run_and_report(const struct boot_info *bi);

/* Whether the suite runs module `name` this boot (the registry, test=bad-modules and
 * suite.modules=): the live line refuses variants for any other. */
bool suite_runs_module(const char *name);

/* Stage-table wrapper (kernel/main_i686.c): true when suite_run_and_report returned 0. */
bool suite_stage(void);

#endif
