/* Host stress test of the kernel heap: heap_selftest (kernel/mm/heap_selftest.c, the same
 * randomized workload and shadow model the booted kernel runs) over many seeds, each seed in
 * its own forked child so a panic or a sanitizer report fails that seed only.
 * Seed s runs with guard mode off when s % 4 == 1, toggled during the run when s % 4 == 0,
 * and on otherwise.
 *   test_heap_stress                          the test gate: HEAP_GATE_SEEDS seeds (make test)
 *   test_heap_stress --seeds FIRST COUNT [--steps N]     a sweep (make stress-heap)
 * Prints one PASS/FAIL line per run of seeds, and each failing seed with its exit status. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/check.h"
#include "tests/kernel/mm/test_heap_host.h"

#ifndef HEAP_GATE_SEEDS
#define HEAP_GATE_SEEDS 40      /* -m32 builds run fewer to stay in the time budget */
#endif
#define DEFAULT_STEPS   20000
#define STRESS_REGION   ((size_t)64 << 20)

static int run_seed(uint32_t seed, unsigned steps)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        heap_host_reset(seed, STRESS_REGION, seed % 4 != 1);
        unsigned flags = seed % 4 == 0 ? HEAP_SELFTEST_TOGGLE_GUARD : 0;
        unsigned failures = heap_selftest(seed, steps, flags);
        _exit(failures ? 1 : 0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

/* Runs seeds [first, first+count); returns how many failed. */
static unsigned run_seeds(uint32_t first, unsigned count, unsigned steps)
{
    unsigned failed = 0;
    for (uint32_t s = first; s < first + count; s++) {
        int status = run_seed(s, steps);
        if (status != 0) {
            failed++;
            printf("  seed %u failed (wait status 0x%x)\n", s, (unsigned)status);
        }
    }
    return failed;
}

TEST(gate_seeds)
{
    unsigned failed = run_seeds(1, HEAP_GATE_SEEDS, DEFAULT_STEPS);
    CHECKF(failed == 0, "%u of %d seeds failed", failed, HEAP_GATE_SEEDS);
}

int main(int argc, char **argv)
{
    check_suite = "test_heap_stress";
    if (argc == 1) {
        RUN(gate_seeds);
        return check_summary();
    }
    uint32_t first = 1;
    unsigned count = 0, steps = DEFAULT_STEPS;
    if (!heap_host_sweep_args(argc, argv, &first, &count, &steps))
        return 2;
    unsigned failed = run_seeds(first, count, steps);
    printf("stress-heap: %u seeds from %u, %u steps each: %u failed\n", count, first, steps,
           failed);
    printf("%s: test_heap_stress/seeds_%u_to_%u%s\n", failed ? "FAIL" : "PASS", first,
           first + count - 1, failed ? ": some seeds failed" : "");
    return failed ? 1 : 0;
}
