/* The x86-64 kernel's worker pool (kernel/llm/llm_pool.h) over the started CPUs: each
 * parallel-for is one smp_run_on_all job (kernel/smp/smp.h) in which CPU i does range i of
 * llm_pool_range, the boot CPU included; the APs wait for jobs parked on their spin barrier,
 * and take neither the heap nor the console lock. Kernel only (not in the Linux llm_cli,
 * whose pool is tools/llm/llm_pool_pthread.c). */
#ifndef FLUID_LLM_POOL_SMP_H
#define FLUID_LLM_POOL_SMP_H

#include "kernel/llm/llm_pool.h"

/* The pool over cpu_count_started() workers, or &llm_pool_serial when only the boot CPU runs
 * (also with the boot option smp=1, which starts no AP). Call after the cpus stage. */
struct llm_pool *llm_pool_smp(void);

#endif
