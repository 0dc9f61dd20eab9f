/* make test-math-exhaustive: every one of the 2^32 float inputs of each one-argument float
 * function of libs/llvmlibc against the correctly rounded reference (accuracy.c), on all
 * cores (pthreads; chunks handed out through an atomic counter). Prints per function the
 * maximum error in ULP, the number of results not correctly rounded and up to MAX_LISTED of
 * those inputs; progress goes to stderr. Exit status 1 if any error exceeds 1 ULP.
 * Usage: exhaustive [-j THREADS] [FUNC ...]   (default: all functions, one thread per CPU) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/libs/llvmlibc/accuracy.h"

#define ALL_FLOATS   (1ull << 32)
#define CHUNK        (1ull << 22)            /* inputs per work item: 1024 items */
#define N_CHUNKS     (ALL_FLOATS / CHUNK)
#define PROGRESS_EVERY 64                    /* chunks between progress lines (~6%) */
#define MAX_THREADS  64
#define MAX_LISTED   16
#define MAX_ULP      1.0

struct sweep {
    const struct acc_f1_case *c;
    atomic_ullong next_chunk;
    atomic_ullong done_chunks;
};

struct worker {
    struct sweep *sw;
    struct acc_stats st;
    uint32_t listed[MAX_LISTED];
    int n_listed;
};

/* Check one chunk input by input so the non-correctly-rounded ones can be listed. */
static void run_chunk(struct worker *w, uint64_t first)
{
    for (uint64_t b = first; b < first + CHUNK; b++) {
        uint64_t before = w->st.not_cr;
        acc_sweep_f1(w->sw->c, b, b + 1, 1, &w->st);
        if (w->st.not_cr != before && w->n_listed < MAX_LISTED)
            w->listed[w->n_listed++] = (uint32_t)b;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned long long k;

    while ((k = atomic_fetch_add(&w->sw->next_chunk, 1)) < N_CHUNKS) {
        run_chunk(w, k * CHUNK);
        unsigned long long done = atomic_fetch_add(&w->sw->done_chunks, 1) + 1;
        if (done % PROGRESS_EVERY == 0)
            fprintf(stderr, "  %s: %3llu%%\n", w->sw->c->name, done * 100 / N_CHUNKS);
    }
    return NULL;
}

/* Sweep one function on n_threads threads; returns 0 if within MAX_ULP. */
static int sweep_function(const struct acc_f1_case *c, int n_threads)
{
    static struct worker workers[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    struct sweep sw = {.c = c};
    struct acc_stats total;

    acc_init(&total);
    for (int i = 0; i < n_threads; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].sw = &sw;
        if (pthread_create(&tid[i], NULL, worker_main, &workers[i]) != 0) {
            fprintf(stderr, "exhaustive: pthread_create failed for thread %d\n", i);
            exit(2);
        }
    }
    for (int i = 0; i < n_threads; i++) {
        pthread_join(tid[i], NULL);
        acc_merge(&total, &workers[i].st);
    }
    printf("%s: %llu inputs, max %.4f ulp at 0x%08x, %llu not correctly rounded\n", c->name,
           (unsigned long long)total.tested, total.max_ulp, total.worst_bits,
           (unsigned long long)total.not_cr);
    for (int i = 0; i < n_threads; i++)
        for (int j = 0; j < workers[i].n_listed; j++)
            printf("  not correctly rounded: %s(0x%08x)\n", c->name, workers[i].listed[j]);
    fflush(stdout);
    return total.max_ulp <= MAX_ULP ? 0 : 1;
}

int main(int argc, char **argv)
{
    int n_threads = (int)sysconf(_SC_NPROCESSORS_ONLN), failed = 0, named = 0;

    if (argc > 2 && strcmp(argv[1], "-j") == 0) {
        n_threads = atoi(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (n_threads < 1 || n_threads > MAX_THREADS) {
        fprintf(stderr, "exhaustive: thread count %d not in 1..%d\n", n_threads, MAX_THREADS);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const struct acc_f1_case *c = acc_find_f1(argv[i]);
        if (!c) {
            fprintf(stderr, "exhaustive: unknown function '%s'\n", argv[i]);
            return 2;
        }
        failed |= sweep_function(c, n_threads);
        named = 1;
    }
    for (const struct acc_f1_case *c = acc_f1_cases; !named && c->name; c++)
        failed |= sweep_function(c, n_threads);
    return failed;
}
