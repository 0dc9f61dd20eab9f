/* membw: the read bandwidth of this machine, for the roofline of `make bench-smp`.
 *
 * Streams through a buffer far larger than the caches with T threads, each summing its own
 * contiguous share with 32-byte AVX2 loads (16-byte SSE2 loads where the CPU has no AVX2),
 * as a memory-bound matmul reads its weights: sequentially, each byte once per pass. With
 * --streams S each thread cuts its share into S equal parts and reads them side by side,
 * 128 bytes of each in turn, as the Q8_0 kernel reads four bands of rows: one core reads
 * several sequential streams faster than one (more lines in flight), so the roofline takes
 * the best of both (docs/llm.md). The
 * figure is bytes read / the pass's span, from the first thread's start to the last thread's
 * end, best of `--passes` passes (other processes on a shared machine only ever slow a pass
 * down). Not each thread's own time: on a machine whose cores are shared, one thread may run
 * while another waits for a core, and each then reads its share alone, at one thread's rate;
 * the slowest thread's own time would credit two threads with twice that, a rate they never
 * reached together, where the span gives the rate of the pass as a matmul's wall clock sees
 * it. Pages are touched once before timing so page faults are not measured.
 * `--stagger-ms M` starts thread t t*M ms after the barrier, for the test of that rule.
 *
 * usage: membw [--mib N] [--passes P] [--streams S] [--stagger-ms M] T1 [T2 ...]
 * prints one line per thread count: "membw: threads T: G.GG GB/s (best of P, N MiB, S streams)"
 * (GB = 1e9 bytes), and exits 1 with a message on a bad argument or a failed allocation. */
#include <errno.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/llm/huge_pages.h"
#include "tools/membw/count_arg.h"

#define MEMBW_DEFAULT_MIB       1024u   /* far past any last-level cache of a PC */
#define MEMBW_DEFAULT_PASSES    5u
#define MEMBW_MAX_THREADS       256u
#define MEMBW_MAX_STREAMS       16u
#define MEMBW_STRIDE            128u    /* bytes per loop iteration: four 32-byte loads */
#define MEMBW_FILL_BYTE         0x01u   /* every byte of the buffer */
#define MEMBW_FILL_WORD         0x0101010101010101ull   /* a 64-bit lane of fill bytes */
#define MEMBW_MAX_STAGGER_MS    10000u
#define NS_PER_MS               1000000l

struct pass_plan {
    unsigned passes;
    pthread_barrier_t start, done;      /* the workers and the main thread */
};

struct worker {
    pthread_t thread;
    struct pass_plan *plan;
    const uint8_t *base;
    size_t bytes;                       /* a multiple of MEMBW_STRIDE * streams */
    unsigned streams;
    unsigned delay_ms;                  /* --stagger-ms times the thread's index */
    double started, ended;              /* now_seconds() around its read, this pass */
    uint64_t checksum;                  /* the lanes' sum: checked, so no load is skipped */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* p[0..bytes) as `streams` parts of bytes / streams read side by side. */
__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t *p, size_t bytes,
                                                         unsigned streams)
{
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    size_t part = bytes / streams;
    for (size_t i = 0; i < part; i += MEMBW_STRIDE) {
        for (const uint8_t *q = p + i; q < p + bytes; q += part) {
            a = _mm256_add_epi64(a, _mm256_load_si256((const __m256i *)q));
            b = _mm256_add_epi64(b, _mm256_load_si256((const __m256i *)(q + 32)));
            c = _mm256_add_epi64(c, _mm256_load_si256((const __m256i *)(q + 64)));
            d = _mm256_add_epi64(d, _mm256_load_si256((const __m256i *)(q + 96)));
        }
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

static uint64_t sum_sse2(const uint8_t *p, size_t bytes, unsigned streams)
{
    __m128i a = _mm_setzero_si128(), b = a, c = a, d = a;
    size_t part = bytes / streams;
    for (size_t i = 0; i < part; i += 64) {
        for (const uint8_t *q = p + i; q < p + bytes; q += part) {
            a = _mm_add_epi64(a, _mm_load_si128((const __m128i *)q));
            b = _mm_add_epi64(b, _mm_load_si128((const __m128i *)(q + 16)));
            c = _mm_add_epi64(c, _mm_load_si128((const __m128i *)(q + 32)));
            d = _mm_add_epi64(d, _mm_load_si128((const __m128i *)(q + 48)));
        }
    }
    __m128i s = _mm_add_epi64(_mm_add_epi64(a, b), _mm_add_epi64(c, d));
    uint64_t lanes[2];
    _mm_storeu_si128((__m128i *)lanes, s);
    return lanes[0] + lanes[1];
}

/* One worker: one read of its share per pass, between the pass's two barriers. The same
 * threads serve every pass of a thread count, as the engine's pool threads serve every
 * token: fresh threads per pass could start on one CPU and be timed before the scheduler
 * spread them. Not pinned, as the engine's threads are not. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    bool avx2 = __builtin_cpu_supports("avx2");
    for (unsigned p = 0; p < w->plan->passes; p++) {
        pthread_barrier_wait(&w->plan->start);
        if (w->delay_ms) {
            struct timespec delay = {w->delay_ms / 1000,
                                     (long)(w->delay_ms % 1000) * NS_PER_MS};
            nanosleep(&delay, NULL);
        }
        w->started = now_seconds();
        w->checksum = avx2 ? sum_avx2(w->base, w->bytes, w->streams)
                           : sum_sse2(w->base, w->bytes, w->streams);
        w->ended = now_seconds();
        pthread_barrier_wait(&w->plan->done);
    }
    return NULL;
}

/* `passes` passes with `threads` workers over buf[0..bytes); returns the best pass's bytes
 * read / its span from the first start to the last end. Exits with a message if a thread
 * cannot start, or if the sums show that the loops did not read every byte of their
 * shares. */
static double best_pass(const uint8_t *buf, size_t bytes, unsigned threads, unsigned streams,
                        unsigned passes, unsigned stagger_ms)
{
    static struct worker w[MEMBW_MAX_THREADS];
    struct pass_plan plan = {.passes = passes};
    size_t unit = (size_t)MEMBW_STRIDE * streams;
    size_t share = bytes / threads / unit * unit;
    pthread_barrier_init(&plan.start, NULL, threads + 1);
    pthread_barrier_init(&plan.done, NULL, threads + 1);
    for (unsigned t = 0; t < threads; t++) {
        w[t] = (struct worker){.plan = &plan,
                               .base = buf + (size_t)t * share, .bytes = share,
                               .streams = streams, .delay_ms = t * stagger_ms};
        int err = pthread_create(&w[t].thread, NULL, worker_main, &w[t]);
        if (err) {
            fprintf(stderr, "membw: cannot start thread %u of %u: %s\n", t, threads, strerror(err));
            exit(1);
        }
    }
    /* Every lane added share / 8 fill words (mod 2^64). */
    uint64_t want = (uint64_t)(share / sizeof(uint64_t)) * MEMBW_FILL_WORD;
    double best = 0;
    for (unsigned p = 0; p < passes; p++) {
        pthread_barrier_wait(&plan.start);
        pthread_barrier_wait(&plan.done);
        double first_start = w[0].started, last_end = w[0].ended;
        for (unsigned t = 0; t < threads; t++) {
            first_start = w[t].started < first_start ? w[t].started : first_start;
            last_end = w[t].ended > last_end ? w[t].ended : last_end;
            if (w[t].checksum != want) {
                fprintf(stderr, "membw: thread %u summed 0x%llx, want 0x%llx\n", t,
                        (unsigned long long)w[t].checksum, (unsigned long long)want);
                exit(1);
            }
        }
        double rate = (double)share * threads / (last_end - first_start);
        best = rate > best ? rate : best;
    }
    for (unsigned t = 0; t < threads; t++)
        pthread_join(w[t].thread, NULL);
    pthread_barrier_destroy(&plan.start);
    pthread_barrier_destroy(&plan.done);
    return best;
}

int main(int argc, char **argv)
{
    unsigned long mib = MEMBW_DEFAULT_MIB, passes = MEMBW_DEFAULT_PASSES, streams = 1;
    unsigned long stagger_ms = 0;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--mib"))
            mib = parse_count("membw", "--mib", argv[i + 1], 1ul << 20);
        else if (!strcmp(argv[i], "--passes"))
            passes = parse_count("membw", "--passes", argv[i + 1], 1000);
        else if (!strcmp(argv[i], "--streams"))
            streams = parse_count("membw", "--streams", argv[i + 1], MEMBW_MAX_STREAMS);
        else if (!strcmp(argv[i], "--stagger-ms"))
            stagger_ms = parse_count("membw", "--stagger-ms", argv[i + 1], MEMBW_MAX_STAGGER_MS);
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: membw [--mib N] [--passes P] [--streams S] [--stagger-ms M] "
                        "THREADS...\n");
        return 1;
    }
    size_t bytes = (size_t)mib << 20;
    uint8_t *buf = huge_pages_alloc(bytes);     /* the pages llm_cli reads its weights from */
    if (!buf) {
        fprintf(stderr, "membw: cannot allocate %lu MiB\n", mib);
        return 1;
    }
    memset(buf, MEMBW_FILL_BYTE, bytes);        /* fault every page in before timing */
    for (; i < argc; i++) {
        unsigned threads =
            (unsigned)parse_count("membw", "thread count", argv[i], MEMBW_MAX_THREADS);
        double best = best_pass(buf, bytes, threads, (unsigned)streams, (unsigned)passes,
                                (unsigned)stagger_ms);
        printf("membw: threads %u: %.2f GB/s (best of %lu, %lu MiB, %lu streams)\n", threads,
               best / 1e9, passes, mib, streams);
    }
    free(buf);
    return 0;
}
