/* Persistent pthreads workers behind the engine's pool interface (kernel/llm/llm_pool.h),
 * for the Linux CLI (--threads N). Workers are started once and parked between jobs: a job
 * is published by bumping a generation counter, which workers first poll (a forward pass
 * runs about 50 jobs of tens of microseconds each; with workers that only slept on the
 * condition variable, stories15M Q8_0 on 2 threads ran about 640 tok/s instead of about
 * 1000 on a 2-core host) and, after POOL_SPIN_ROUNDS polls without a job, wait for on a
 * condition variable, so an idle CLI does not burn a core. Each job is dealt out in chunks
 * (llm_pool_deal_work): every thread does its own range and then helps with the others';
 * the caller is worker 0, and once no chunk is left it closes the job and waits only for
 * the workers that joined it (a worker that had not run by then skips it). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/llm/llm_pool_pthread.h"

/* Polls of the job counter before a worker sleeps: with a pause of tens to ~140 cycles
 * each, about 0.1-1 ms, longer than the gap between two matmuls or two tokens (sampling)
 * and short enough that a finished run leaves no core spinning for long. */
#define POOL_SPIN_ROUNDS    (1 << 14)
/* Polls of the job's worker count (about 0.1 ms) before the caller sleeps until the last worker
 * wakes it: a worker that was preempted (more runnable threads than cores, other processes
 * on the machine) gets the caller's core only if the caller leaves it idle; yielding kept
 * it busy, and two-thread runs under load ran at a third of one thread's speed. */
#define POOL_WAIT_ROUNDS    (1 << 12)

/* Job kinds --pool-stats tells apart; a kind is (fn, n_items, align), which in a forward
 * pass names each matmul shape and the attention. Later kinds share the last slot. */
#define POOL_STAT_KINDS     24
#define NS_PER_US           1000.0

/* Totals of one kind of job, in time-stamp counter ticks. */
struct pool_stat {
    llm_pool_fn fn;
    int n_items, align;
    uint64_t jobs;
    uint64_t gap;               /* caller, from the previous job's end to this one's start */
    uint64_t caller_busy;       /* caller inside its own range */
    uint64_t caller_wait;       /* caller after its range until the last worker is done */
    uint64_t caller_wait_max;   /* the longest of those waits */
    uint64_t worker_wake;       /* workers, from publication to starting their range */
    uint64_t worker_busy;       /* workers inside their ranges */
    uint64_t worker_skips;      /* workers that found the job closed (not counted above) */
};

/* One worker's time stamps of the job it joined, written before it leaves the job. */
struct worker_stamp {
    uint64_t start, end;
    unsigned job;
} __attribute__((aligned(64)));     /* a line each: workers write them concurrently */

struct worker_arg {
    struct pthread_pool *p;
    int w;                      /* 1..workers-1; the caller is worker 0 */
};

struct pthread_pool {
    struct llm_pool base;
    pthread_t tid[LLM_POOL_MAX_THREADS];
    struct worker_arg args[LLM_POOL_MAX_THREADS];
    int started;                /* worker threads running (base.workers - 1 once set up) */
    pthread_mutex_t mu;         /* orders job publication against sleeping workers */
    pthread_cond_t wake;
    pthread_cond_t done;        /* the last worker of a job signals it (under mu) */
    atomic_uint gen;            /* job number; changed (under mu) to publish a job */
    /* The current job's entry: its number (the gen that published it) in the high 32 bits,
     * ENTRY_CLOSED once the caller has run out of chunks, and the workers inside it in the
     * low bits. A worker joins only while it is open, so the caller waits for the workers
     * that took part and not for one that has not run since the job was published (its
     * core taken by another process): that one finds the job closed and skips it. */
    _Atomic uint64_t entry;
    bool quit;                  /* published like a job: workers leave */
    llm_pool_fn fn;             /* the current job, valid while it has workers inside */
    void *ctx;
    struct llm_pool_deal deal;  /* its chunks, taken by whoever is free */
    /* --pool-stats (llm_pool_pthread_stats): off unless asked for */
    bool stats;
    uint64_t published, last_end;
    struct worker_stamp stamp[LLM_POOL_MAX_THREADS];
    struct pool_stat kind[POOL_STAT_KINDS];
    int kinds;
    uint64_t tsc0, ns0;         /* at llm_pool_pthread_stats(): the tick rate's baseline */
};


static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause(); /* spin-wait hint: frees the sibling hyperthread's resources */
#endif
}

/* Time stamp counter (Intel SDM vol. 3B §18.17: constant rate on CPUs reporting invariant
 * TSC); elsewhere CLOCK_MONOTONIC nanoseconds. Only --pool-stats reads it. */
static inline uint64_t stamp_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define ENTRY_JOB_SHIFT 32
#define ENTRY_CLOSED    (1ull << 31)
#define ENTRY_COUNT     (ENTRY_CLOSED - 1)

/* Enters the current job unless it is closed; its number in *job. The acquire pairs with
 * the caller's release of gen, so the job's fields are those of the entry joined. */
static bool join(struct pthread_pool *p, unsigned *job)
{
    uint64_t e = atomic_load_explicit(&p->entry, memory_order_acquire);
    do {
        if (e & ENTRY_CLOSED)
            return false;
    } while (!atomic_compare_exchange_weak_explicit(&p->entry, &e, e + 1,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire));
    *job = (unsigned)(e >> ENTRY_JOB_SHIFT);
    return true;
}

/* Leaves the job (release: its rows are written); the last one out of a closed job wakes
 * the caller, which may be asleep in finish(). */
static void leave(struct pthread_pool *p)
{
    uint64_t e = atomic_fetch_sub_explicit(&p->entry, 1, memory_order_release);
    if ((e & ENTRY_CLOSED) && (e & ENTRY_COUNT) == 1) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Waits for a generation other than `seen` and returns it. */
static unsigned await_job(struct pthread_pool *p, unsigned seen)
{
    for (int i = 0; i < POOL_SPIN_ROUNDS; i++) {
        unsigned g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != seen)
            return g;
        cpu_relax();
    }
    unsigned g;
    pthread_mutex_lock(&p->mu);
    while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen)
        pthread_cond_wait(&p->wake, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void do_range(struct pthread_pool *p, int w)
{
    llm_pool_deal_work(&p->deal, w, p->fn, p->ctx);
}

static void *worker_main(void *arg)
{
    const struct worker_arg *a = arg;
    struct pthread_pool *p = a->p;
    unsigned seen = 0;
    for (;;) {
        seen = await_job(p, seen);
        if (p->quit)
            return NULL;
        unsigned job;
        if (!join(p, &job))
            continue;   /* done without it; a newer job, if any, is still to be seen */
        seen = job;
        if (p->stats)
            p->stamp[a->w].start = stamp_now();
        do_range(p, a->w);
        if (p->stats) {
            p->stamp[a->w].end = stamp_now();
            p->stamp[a->w].job = job;
        }
        leave(p);
    }
}

/* The job's fields are written before the release store of gen, which every worker reads
 * with acquire before it reads them; the bump is made under mu so a worker about to sleep
 * either sees it or is already waiting when the broadcast comes. */
static void publish(struct pthread_pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned job = atomic_load_explicit(&p->gen, memory_order_relaxed) + 1;
    /* release: a worker that saw an older gen and joins this entry sees this job's fields */
    atomic_store_explicit(&p->entry, (uint64_t)job << ENTRY_JOB_SHIFT, memory_order_release);
    atomic_store_explicit(&p->gen, job, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

/* Closes the job (no chunk is left to take) and waits for the workers inside it to leave:
 * polls, then sleeps on `done`. The last worker out leaves before it takes mu to signal,
 * and the caller tests the count under mu before each wait, so the signal cannot come
 * between the test and the wait unseen. */
static void finish(struct pthread_pool *p)
{
    uint64_t e = atomic_fetch_or_explicit(&p->entry, ENTRY_CLOSED, memory_order_acq_rel);
    for (int i = 0; (e & ENTRY_COUNT) != 0; i++) {
        if (i == POOL_WAIT_ROUNDS) {
            pthread_mutex_lock(&p->mu);
            while (atomic_load_explicit(&p->entry, memory_order_acquire) & ENTRY_COUNT)
                pthread_cond_wait(&p->done, &p->mu);
            pthread_mutex_unlock(&p->mu);
            return;
        }
        cpu_relax();
        e = atomic_load_explicit(&p->entry, memory_order_acquire);
    }
}

static struct pool_stat *stat_of(struct pthread_pool *p, llm_pool_fn fn, int n_items,
                                  int align)
{
    for (int i = 0; i < p->kinds; i++)
        if (p->kind[i].fn == fn && p->kind[i].n_items == n_items && p->kind[i].align == align)
            return &p->kind[i];
    if (p->kinds == POOL_STAT_KINDS)
        return &p->kind[POOL_STAT_KINDS - 1];
    struct pool_stat *k = &p->kind[p->kinds++];
    k->fn = fn;
    k->n_items = n_items;
    k->align = align;
    return k;
}

/* Adds one finished job: published at p->published, the caller's part done at mine, every
 * worker's at done. The stamps of the workers that joined it carry its number and were
 * released by their leave(), which the caller read with acquire. */
static void count_job(struct pthread_pool *p, llm_pool_fn fn, int n_items, int align,
                      uint64_t mine, uint64_t done)
{
    struct pool_stat *k = stat_of(p, fn, n_items, align);
    k->jobs++;
    if (p->last_end)
        k->gap += p->published - p->last_end;
    k->caller_busy += mine - p->published;
    k->caller_wait += done - mine;
    if (done - mine > k->caller_wait_max)
        k->caller_wait_max = done - mine;
    unsigned job = atomic_load_explicit(&p->gen, memory_order_relaxed);
    for (int w = 1; w <= p->started; w++) {
        if (p->stamp[w].job != job) {
            k->worker_skips++;
            continue;
        }
        k->worker_wake += p->stamp[w].start - p->published;
        k->worker_busy += p->stamp[w].end - p->stamp[w].start;
    }
    p->last_end = done;
}

static void run_threads(struct llm_pool *pool, llm_pool_fn fn, void *ctx, int n_items,
                        int align)
{
    struct pthread_pool *p = pool->impl;
    if (n_items <= 0)
        return;
    if (p->stats)
        p->published = stamp_now();
    if (p->started == 0) {
        fn(ctx, 0, n_items);
        if (p->stats) {
            uint64_t t = stamp_now();
            count_job(p, fn, n_items, align, t, t);
        }
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    llm_pool_deal_init(&p->deal, n_items, align, p->base.workers);
    publish(p);
    do_range(p, 0);
    uint64_t mine = p->stats ? stamp_now() : 0;
    finish(p);
    if (p->stats) {
        uint64_t t = stamp_now();
        count_job(p, fn, n_items, align, mine, t);
    }
}

void llm_pool_pthread_stats(struct llm_pool *pool)
{
    struct pthread_pool *p = pool->impl;
    p->tsc0 = stamp_now();
    p->ns0 = monotonic_ns();
    p->stats = true;
}

void llm_pool_pthread_print_stats(struct llm_pool *pool, FILE *f, long per)
{
    struct pthread_pool *p = pool->impl;
    if (!p->stats || per <= 0)
        return;
    uint64_t ns = monotonic_ns() - p->ns0, ticks = stamp_now() - p->tsc0;
    double us = ticks ? (double)ns / (double)ticks / NS_PER_US / (double)per : 0.0;
    int workers = p->started ? p->started : 1;
    for (int i = 0; i < p->kinds; i++) {
        const struct pool_stat *k = &p->kind[i];
        fprintf(f, "{\"pool_job\": %d, \"n_items\": %d, \"align\": %d, \"jobs\": %.2f, "
                   "\"gap_us\": %.2f, \"caller_busy_us\": %.2f, \"caller_wait_us\": %.2f, "
                   "\"caller_wait_max_us\": %.2f, \"worker_wake_us\": %.2f, "
                   "\"worker_busy_us\": %.2f, \"worker_skips\": %.2f}\n",
                i, k->n_items, k->align, (double)k->jobs / (double)per, (double)k->gap * us,
                (double)k->caller_busy * us, (double)k->caller_wait * us,
                (double)k->caller_wait_max * us * (double)per,
                (double)k->worker_wake * us / workers, (double)k->worker_busy * us / workers, (double)k->worker_skips / (double)per);
    }
}

void llm_pool_pthread_destroy(struct llm_pool *pool)
{
    if (!pool)
        return;
    struct pthread_pool *p = pool->impl;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

struct llm_pool *llm_pool_pthread_create(int threads)
{
    if (threads < 1 || threads > LLM_POOL_MAX_THREADS) {
        fprintf(stderr, "llm: threads %d out of range 1..%d\n", threads, LLM_POOL_MAX_THREADS);
        return NULL;
    }
    struct pthread_pool *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "llm: no memory for a pool of %d threads\n", threads);
        return NULL;
    }
    p->base = (struct llm_pool){ run_threads, threads, p };
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int w = 1; w < threads; w++) {
        p->args[w] = (struct worker_arg){ p, w };
        int err = pthread_create(&p->tid[p->started], NULL, worker_main, &p->args[w]);
        if (err) {
            fprintf(stderr, "llm: cannot start worker thread %d: %s\n", w, strerror(err));
            llm_pool_pthread_destroy(&p->base);
            return NULL;
        }
        p->started++;
    }
    return &p->base;
}
