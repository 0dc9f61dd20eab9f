/* The Linux CLI's worker pool (kernel/llm/llm_pool.h) on POSIX threads. */
#ifndef FLUID_LLM_POOL_PTHREAD_H
#define FLUID_LLM_POOL_PTHREAD_H

#include "kernel/llm/llm_pool.h"

#define LLM_POOL_MAX_THREADS 64     /* --threads bound; more than any machine we run on */

/* A pool of `threads` workers (the caller counts as one, so threads - 1 are started),
 * 1..LLM_POOL_MAX_THREADS. Returns NULL, with an "llm: ..." line on stderr, when the count is
 * out of range or a thread cannot be started. */
struct llm_pool *llm_pool_pthread_create(int threads);
/* Stops and joins the workers and frees the pool; NULL is ignored. */
void llm_pool_pthread_destroy(struct llm_pool *pool);

#endif
