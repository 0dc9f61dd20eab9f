/* Threaded stress test of the kernel heap: heap_selftest_threaded (kernel/mm/heap_selftest.c)
 * on 2, 4 and 8 POSIX threads at once, each thread one "CPU" of the heap (a thread-local
 * index, heap_tls_set_cpu, whose share malloc and free bind and then read inline with
 * heap_tls_cpu_index as the hook). Each thread checks its own blocks against its own shadow model and hands blocks to
 * the others, which check them and free, realloc or keep them, so frees and reallocs cross
 * threads all the time. Each (seed, thread count) runs in a forked
 * child: a panic, a sanitizer report (ASan/UBSan builds, or TSan, where a data race is a
 * report and so a failure) fails that run only. After the threads are joined the child runs
 * heap_check() and requires every block back (live blocks 0, bytes in use 0).
 * Seed s runs with guard mode on when s % 3 == 0, toggled by the threads when s % 3 == 1.
 *   test_heap_threads                                 the gate: HEAP_THREADS_GATE_SEEDS seeds
 *   test_heap_threads --seeds FIRST COUNT [--steps N] a sweep (make stress-heap)
 * Prints one PASS/FAIL line per thread count, and each failing run with its exit status. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/check.h"
#include "tests/kernel/mm/test_heap_host.h"

#ifndef HEAP_THREADS_GATE_SEEDS
#define HEAP_THREADS_GATE_SEEDS 3
#endif
#ifndef HEAP_THREADS_GATE_STEPS
#define HEAP_THREADS_GATE_STEPS 3000
#endif
#define THREADS_REGION  HEAP_HOST_REGION_BYTES
#define GUARD_TOGGLES   64u     /* guard-mode switches by the toggling thread, per run */

static const unsigned thread_counts[] = {2, 4, 8};

static void host_yield(void)
{
    sched_yield();
}

struct worker {
    pthread_t thread;
    uint32_t cpu, cpus, seed;
    unsigned steps, failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    heap_tls_set_cpu(w->cpu);   /* bound, then read inline by malloc and free */
    w->failures = heap_selftest_threaded(w->cpu, w->cpus, w->seed, w->steps);
    return NULL;
}

/* Switches guard mode while the workers run (heap_set_guard_mode is callable any time);
 * stops when told or after GUARD_TOGGLES switches. */
static uint32_t toggler_stop;

static void *toggler_main(void *arg)
{
    uint32_t seed = *(uint32_t *)arg;
    for (unsigned i = 0; i < GUARD_TOGGLES && !__atomic_load_n(&toggler_stop, __ATOMIC_ACQUIRE);
         i++) {
        heap_set_guard_mode(((seed >> (i % 32)) ^ i) & 1);
        usleep(200);
    }
    return NULL;
}

/* The child's whole run: the threads, then the quiet-world checks. Returns failures. */
static unsigned run_threads(uint32_t seed, unsigned cpus, unsigned steps)
{
    heap_host_reset(seed, THREADS_REGION, seed % 3 == 0);
    if (heap_set_cpu_hooks(heap_tls_cpu_index, cpus) != HEAP_OK)
        return 1;
    heap_set_yield_hook(host_yield);
    heap_selftest_threaded_prepare(cpus);
    struct worker w[8];
    pthread_t toggler;
    bool toggling = seed % 3 == 1;
    if (toggling && pthread_create(&toggler, NULL, toggler_main, &seed) != 0)
        return 1;
    for (unsigned i = 0; i < cpus; i++) {
        w[i] = (struct worker){.cpu = i, .cpus = cpus, .seed = seed, .steps = steps};
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            return 1;
    }
    unsigned failures = 0;
    for (unsigned i = 0; i < cpus; i++) {
        pthread_join(w[i].thread, NULL);
        failures += w[i].failures;
    }
    if (toggling) {
        __atomic_store_n(&toggler_stop, 1u, __ATOMIC_RELEASE);
        pthread_join(toggler, NULL);
    }
    unsigned problems = heap_check();
    struct heap_stats st;
    heap_get_stats(&st);
    if (problems || st.live_blocks || st.in_use_bytes) {
        printf("  seed %u, %u threads: heap_check %u problems, %zu live blocks, %zu bytes\n",
               seed, cpus, problems, st.live_blocks, st.in_use_bytes);
        failures++;
    }
    return failures;
}

static int run_child(uint32_t seed, unsigned cpus, unsigned steps)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(run_threads(seed, cpus, steps) ? 1 : 0);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

/* Runs seeds [first, first+count) with `cpus` threads; returns how many failed. */
static unsigned run_seeds(uint32_t first, unsigned count, unsigned cpus, unsigned steps)
{
    unsigned failed = 0;
    for (uint32_t s = first; s < first + count; s++) {
        int status = run_child(s, cpus, steps);
        if (status != 0) {
            failed++;
            printf("  seed %u, %u threads failed (wait status 0x%x)\n", s, cpus,
                   (unsigned)status);
        }
    }
    return failed;
}

static void gate(unsigned cpus)
{
    unsigned failed = run_seeds(1, HEAP_THREADS_GATE_SEEDS, cpus, HEAP_THREADS_GATE_STEPS);
    CHECKF(failed == 0, "%u of %d seeds failed at %u threads", failed, HEAP_THREADS_GATE_SEEDS,
           cpus);
}

TEST(gate_2_threads) { gate(2); }
TEST(gate_4_threads) { gate(4); }
TEST(gate_8_threads) { gate(8); }

int main(int argc, char **argv)
{
    check_suite = "test_heap_threads";
    if (argc == 1) {
        RUN(gate_2_threads);
        RUN(gate_4_threads);
        RUN(gate_8_threads);
        return check_summary();
    }
    uint32_t first = 1;
    unsigned count = 0, steps = HEAP_THREADS_GATE_STEPS;
    if (!heap_host_sweep_args(argc, argv, &first, &count, &steps))
        return 2;
    unsigned total = 0;
    for (size_t k = 0; k < sizeof(thread_counts) / sizeof(thread_counts[0]); k++) {
        unsigned cpus = thread_counts[k];
        unsigned failed = run_seeds(first, count, cpus, steps);
        total += failed;
        printf("stress-heap threads: %u seeds from %u, %u threads, %u steps each: %u failed\n",
               count, first, cpus, steps, failed);
        printf("%s: test_heap_threads/threads_%u_seeds_%u_to_%u%s\n", failed ? "FAIL" : "PASS",
               cpus, first, first + count - 1, failed ? ": some seeds failed" : "");
    }
    return total ? 1 : 0;
}
