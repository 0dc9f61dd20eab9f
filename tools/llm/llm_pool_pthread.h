/* The Linux CLI's worker pool (kernel/llm/llm_pool.h) on POSIX threads. */
#ifndef FLUID_LLM_POOL_PTHREAD_H
#define FLUID_LLM_POOL_PTHREAD_H

#include <stdio.h>

#include "kernel/llm/llm_pool.h"

#define LLM_POOL_MAX_THREADS LLM_POOL_MAX_WORKERS /* --threads bound; more than any machine we run on */

/* A pool of `threads` workers (the caller counts as one, so threads - 1 are started),
 * 1..LLM_POOL_MAX_THREADS. Returns NULL, with an "llm: ..." line on stderr, when the count is
 * out of range or a thread cannot be started. */
struct llm_pool *llm_pool_pthread_create(int threads);
/* Starts timing every job (llm_cli --pool-stats): time stamps around each part, summed per
 * kind of job (the function, n_items and align). */
void llm_pool_pthread_stats(struct llm_pool *pool);
/* One JSON line per kind of job on f, every figure divided by `per` (say, the positions
 * run): jobs, the caller's time before the job (work outside the pool), in its own range
 * and waiting for the workers, and the mean worker's wake-up and time in its range, in
 * microseconds. Nothing unless llm_pool_pthread_stats was called. */
void llm_pool_pthread_print_stats(struct llm_pool *pool, FILE *f, long per);
/* Stops and joins the workers and frees the pool; NULL is ignored. */
void llm_pool_pthread_destroy(struct llm_pool *pool);

#endif
