/* bench_threads: one allocator, one threaded workload, timed with the host wall clock
 * (clock_gettime(CLOCK_MONOTONIC)) from the moment all threads are released to the moment
 * the last one is joined. Built once per allocator (mk/heap.mk, -DBENCH_ALLOC_<name>,
 * tools/bench_heap/bench_alloc.h); tools/bench_heap/run.py runs them all.
 *   bench_threads_<alloc> WORKLOAD --threads N [--scale F] [--repeats R]
 * The total work is fixed and split between the threads, so ops/s at 1, 2 and 4 threads
 * compare directly. Workloads (as in mimalloc-bench, same random sequences for every
 * allocator):
 *   larson         server churn (Larson & Krishnan 1998): each thread owns 1000 slots of
 *                  8..1000 B and replaces a random one per step; after each of 8 rounds the
 *                  threads pass their slot arrays on, so most frees hit blocks another thread
 *                  allocated. ops = steps (one free + one malloc each)
 *   xmalloc        allocating threads hand batches of 256 blocks (8..128 B) through a queue
 *                  to freeing threads (one thread: it frees its own batches). ops = mallocs
 *                  + frees
 *   cache-scratch  false sharing (Berger et al., Hoard, 2000): the main thread allocates one
 *                  8-byte object per thread; each thread frees it, then 1000/N times
 *                  allocates an 8-byte object, writes it 100000 times and frees it. ops =
 *                  writes; shared_lines counts threads whose last objects share a 64-byte
 *                  cache line with another thread's (0: no false sharing)
 *   random-mixed   the single-thread random-mixed workload, each thread on its own 8192
 *                  slots of 16..1024 B. ops = steps
 * Thread i is pinned to the (i mod n)-th CPU the process may use (pin_to_cpu).
 * One untimed warm-up run at a quarter of the work, then R timed runs; the best is reported.
 * Every malloc the benchmark makes is counted; with Fluid's heap the heap's own malloc count
 * must equal it (bench_mallocs, heap_mallocs), and every allocator must say that a block the
 * binary got from it is its own (alloc_check). Output: one JSON line. */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "tools/bench_heap/bench_alloc.h"

#define MAX_THREADS     16
#define CACHE_LINE      64      /* bytes; for the false-sharing count */
#define LARSON_SLOTS    1000
#define LARSON_ROUNDS   8
#define XM_BATCH        256     /* blocks per batch handed from allocator to freer */
#define XM_RING         16      /* batches in flight per pair */
#define CS_OBJECT       8       /* bytes of each cache-scratch object */
#define CS_ITERATIONS   1000    /* objects allocated in all, split between the threads */
#define CS_WRITES       100000  /* writes to each object */
#define RM_SLOTS        8192

struct workload {
    const char *name;
    uint64_t default_iters;
    void *(*thread_main)(void *);
};

/* Shared by the threads of one run. */
static struct {
    unsigned threads;
    uint64_t iters;             /* the work of the whole run, split between the threads */
    pthread_barrier_t start, round;
} run_g;

static uint64_t mallocs_total;  /* atomic: every A_MALLOC the binary made */

/* The calling thread is CPU `cpu` of Fluid's heap (heap_tls_set_cpu): its malloc and free
 * bind the thread's share on the first call and read it inline afterwards
 * (heap_set_cpu_hooks(heap_tls_cpu_index, ...)), as the kernels' read the per-CPU block). */
static void bench_set_cpu(uint32_t cpu)
{
#if defined(BENCH_ALLOC_fluid)
    heap_tls_set_cpu(cpu);
#else
    (void)cpu;
#endif
}

/* One per thread, on cache lines of its own: each thread bumps its `mallocs` on every malloc,
 * and two threads' counters on one line would make every allocator's calls pay for the
 * benchmark's false sharing. */
struct thread_arg {
    pthread_t thread;
    void *(*fn)(void *);        /* the workload's thread body */
    unsigned id;
    uint64_t mallocs;
    void *last_object;          /* cache-scratch: the last object written */
} __attribute__((aligned(CACHE_LINE)));

static void die(const char *what)
{
    fprintf(stderr, "bench_threads(%s): %s\n", BENCH_NAME, what);
    exit(1);
}

static void *counted_malloc(struct thread_arg *t, size_t n)
{
    void *p = A_MALLOC(n);
    if (!p)
        die("allocation failed");
    t->mallocs++;
    *(volatile unsigned char *)p = (unsigned char)n;
    return p;
}

static uint64_t share(uint64_t total, const struct thread_arg *t)
{
    return total / run_g.threads + (t->id < total % run_g.threads);
}

/* ---- larson ------------------------------------------------------------------------- */

static void **larson_slots[MAX_THREADS];    /* (threads, LARSON_SLOTS) */

static void larson_fill(struct thread_arg *main_arg)
{
    uint64_t seed = 0x1A25011;
    for (unsigned t = 0; t < run_g.threads; t++) {
        larson_slots[t] = calloc(LARSON_SLOTS, sizeof(void *));
        if (!larson_slots[t])
            die("out of memory for the slot arrays");
        for (unsigned i = 0; i < LARSON_SLOTS; i++)
            larson_slots[t][i] = counted_malloc(main_arg, 8 + xorshift64(&seed) % 993);
    }
}

static void larson_empty(void)
{
    for (unsigned t = 0; t < run_g.threads; t++) {
        for (unsigned i = 0; i < LARSON_SLOTS; i++)
            A_FREE(larson_slots[t][i]);
        free(larson_slots[t]);
    }
}

static void *larson_main(void *arg)
{
    struct thread_arg *t = arg;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (t->id + 1) * 0x100000001B3ull;
    uint64_t per_round = share(run_g.iters, t) / LARSON_ROUNDS;
    for (unsigned r = 0; r < LARSON_ROUNDS; r++) {
        void **slots = larson_slots[(t->id + r) % run_g.threads];
        for (uint64_t i = 0; i < per_round; i++) {
            uint64_t x = xorshift64(&seed);
            unsigned idx = (unsigned)(x % LARSON_SLOTS);
            A_FREE(slots[idx]);
            slots[idx] = counted_malloc(t, 8 + (x >> 32) % 993);
        }
        pthread_barrier_wait(&run_g.round);
    }
    return NULL;
}

/* ---- xmalloc ------------------------------------------------------------------------ */

/* A single-producer single-consumer ring of batches per pair: head and tail atomics, the
 * release store of head publishing the batch (and the blocks' first bytes) to the freer. */
struct xm_ring {
    uint32_t head __attribute__((aligned(CACHE_LINE)));
    uint32_t tail __attribute__((aligned(CACHE_LINE)));
    void *batch[XM_RING][XM_BATCH];
};
static struct xm_ring *xm_rings;

static void xm_wait(void)
{
    sched_yield();              /* threads may outnumber cores: let the other side run */
}

static void xm_produce(struct thread_arg *t, struct xm_ring *q, uint64_t blocks)
{
    uint64_t seed = 0xA110C ^ (t->id + 1) * 0x9E3779B97F4A7C15ull;
    for (uint64_t done = 0; done < blocks; done += XM_BATCH) {
        uint32_t head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
        while (head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) == XM_RING)
            xm_wait();
        for (unsigned i = 0; i < XM_BATCH; i++)
            q->batch[head % XM_RING][i] = counted_malloc(t, 8 + xorshift64(&seed) % 121);
        __atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
    }
}

static void xm_consume(struct xm_ring *q, uint64_t blocks)
{
    for (uint64_t done = 0; done < blocks; done += XM_BATCH) {
        uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
        while (__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == tail)
            xm_wait();
        for (unsigned i = 0; i < XM_BATCH; i++)
            A_FREE(q->batch[tail % XM_RING][i]);
        __atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
    }
}

/* One thread: allocate a batch, free it. More: thread 2k allocates for thread 2k+1; an odd
 * last thread works alone. Blocks per pair: the run's share, rounded to whole batches. */
static void *xmalloc_main(void *arg)
{
    struct thread_arg *t = arg;
    unsigned pairs = run_g.threads / 2, pair = t->id / 2;
    if (pair >= pairs) {
        struct xm_ring *q = &xm_rings[MAX_THREADS / 2];
        uint64_t blocks = run_g.iters / 2 / run_g.threads / XM_BATCH * XM_BATCH;
        for (uint64_t done = 0; done < blocks; done += XM_BATCH) {
            xm_produce(t, q, XM_BATCH);
            xm_consume(q, XM_BATCH);
        }
        return NULL;
    }
    uint64_t blocks = run_g.iters / 2 / pairs / XM_BATCH * XM_BATCH;
    if (run_g.threads % 2)      /* the lone thread takes its share out of the pairs' */
        blocks = blocks * pairs / (pairs + 0.5) / XM_BATCH * XM_BATCH;
    if (t->id % 2 == 0)
        xm_produce(t, &xm_rings[pair], blocks);
    else
        xm_consume(&xm_rings[pair], blocks);
    return NULL;
}

/* ---- cache-scratch ------------------------------------------------------------------ */

static void *cs_given[MAX_THREADS];

static void *cache_scratch_main(void *arg)
{
    struct thread_arg *t = arg;
    A_FREE(cs_given[t->id]);
    uint64_t objects = share(run_g.iters / CS_WRITES, t);
    if (objects == 0)
        objects = 1;            /* every thread ends holding one object: shared_lines */
    for (uint64_t i = 0; i < objects; i++) {
        volatile unsigned char *p = counted_malloc(t, CS_OBJECT);
        for (unsigned w = 0; w < CS_WRITES; w++)
            p[w % CS_OBJECT] = (unsigned char)(p[w % CS_OBJECT] + 1);
        t->last_object = (void *)p;
        if (i + 1 < objects)
            A_FREE((void *)p);
    }
    return NULL;
}

/* Threads whose last object shares a cache line with another thread's last object. */
static unsigned shared_lines(struct thread_arg *args)
{
    unsigned n = 0;
    for (unsigned a = 0; a < run_g.threads; a++)
        for (unsigned b = 0; b < run_g.threads; b++)
            if (a != b && args[a].last_object && args[b].last_object &&
                (uintptr_t)args[a].last_object / CACHE_LINE ==
                    (uintptr_t)args[b].last_object / CACHE_LINE) {
                n++;
                break;
            }
    return n;
}

/* ---- random-mixed ------------------------------------------------------------------- */

static void *random_mixed_main(void *arg)
{
    struct thread_arg *t = arg;
    void **slots = calloc(RM_SLOTS, sizeof(void *));
    if (!slots)
        die("out of memory for the slot array");
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (t->id + 1) * 0xC2B2AE3D27D4EB4Full;
    uint64_t steps = share(run_g.iters, t);
    for (uint64_t i = 0; i < steps; i++) {
        uint64_t r = xorshift64(&seed);
        unsigned idx = (unsigned)(r % RM_SLOTS);
        if (slots[idx]) {
            A_FREE(slots[idx]);
            slots[idx] = NULL;
        } else {
            slots[idx] = counted_malloc(t, 16 + (size_t)((r >> 32) % 1009));
        }
    }
    for (unsigned i = 0; i < RM_SLOTS; i++)
        if (slots[i])
            A_FREE(slots[i]);
    free(slots);
    return NULL;
}

/* ---- driver ------------------------------------------------------------------------- */

static const struct workload workloads[] = {
    {"larson", 8000000, larson_main},
    {"xmalloc", 8000000, xmalloc_main},
    {"cache-scratch", (uint64_t)CS_ITERATIONS * CS_WRITES, cache_scratch_main},
    {"random-mixed", 8000000, random_mixed_main},
};

static void *thread_entry(void *arg)
{
    struct thread_arg *t = arg;
    bench_set_cpu(t->id);
    pthread_barrier_wait(&run_g.start);
    return t->fn(arg);
}

struct result {
    double seconds;
    unsigned shared_lines;
};

/* The CPUs this process may run on, in order (sched_getaffinity), filled by main. */
static int usable_cpu[CPU_SETSIZE];
static int usable_cpus;

static void find_usable_cpus(void)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        die("sched_getaffinity failed");
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed))
            usable_cpu[usable_cpus++] = c;
    if (usable_cpus == 0)
        die("no usable CPU");
}

/* Thread i runs on the (i mod n)-th usable CPU and stays there: with more threads than
 * CPUs (4 on this 2-core machine) the scheduler would otherwise place them differently
 * from run to run, which moved xmalloc's rate by up to six times for every allocator; and
 * the kernel's CPUs, which the heap's per-CPU shares model, never migrate. */
static int pin_to_cpu(pthread_attr_t *attr, unsigned i)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(usable_cpu[i % (unsigned)usable_cpus], &one);
    return pthread_attr_setaffinity_np(attr, sizeof one, &one);
}

/* One run: set up (main thread), release the threads together, time until all are joined. */
static struct result run_once(const struct workload *w, unsigned threads, uint64_t iters)
{
    static struct thread_arg args[MAX_THREADS + 1];
    struct thread_arg *main_arg = &args[MAX_THREADS];
    run_g.threads = threads;
    run_g.iters = iters;
    main_arg->mallocs = 0;
    if (w->thread_main == larson_main)
        larson_fill(main_arg);
    if (w->thread_main == cache_scratch_main)
        for (unsigned i = 0; i < threads; i++)
            cs_given[i] = counted_malloc(main_arg, CS_OBJECT);   /* side by side, likely */
    if (w->thread_main == xmalloc_main)
        memset(xm_rings, 0, sizeof(struct xm_ring) * (MAX_THREADS / 2 + 1));
    pthread_barrier_init(&run_g.start, NULL, threads + 1);
    pthread_barrier_init(&run_g.round, NULL, threads);
    for (unsigned i = 0; i < threads; i++) {
        args[i] = (struct thread_arg){.id = i, .fn = w->thread_main};
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) != 0 || pin_to_cpu(&attr, i) != 0 ||
            pthread_create(&args[i].thread, &attr, thread_entry, &args[i]) != 0)
            die("pthread_create (pinned to a CPU) failed");
        pthread_attr_destroy(&attr);
    }
    pthread_barrier_wait(&run_g.start);
    double t0 = now_s();
    uint64_t mallocs = main_arg->mallocs;
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(args[i].thread, NULL);
        mallocs += args[i].mallocs;
    }
    struct result r = {now_s() - t0, 0};
    if (w->thread_main == cache_scratch_main) {
        r.shared_lines = shared_lines(args);
        for (unsigned i = 0; i < threads; i++)
            A_FREE(args[i].last_object);   /* never NULL: jemalloc's dallocx rejects it */
    }
    if (w->thread_main == larson_main)
        larson_empty();
    pthread_barrier_destroy(&run_g.start);
    pthread_barrier_destroy(&run_g.round);
    __atomic_fetch_add(&mallocs_total, mallocs, __ATOMIC_RELAXED);
    return r;
}

#if defined(BENCH_ALLOC_fluid)
static void fluid_yield(void)
{
    sched_yield();
}
#endif

/* Fluid's heap over one mmap'd region; the main thread is CPU `threads`, the workers 0..N-1. */
static void fluid_setup(unsigned threads)
{
#if defined(BENCH_ALLOC_fluid)
    size_t bytes = (size_t)512 << 20;   /* one chunk: HEAP_CHUNK_MAX */
    void *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED)
        die("mmap of the heap region failed");
    heap_init(0x5EED);
    heap_set_guard_mode(false);
    if (heap_add_region((uintptr_t)region, bytes) != HEAP_OK)
        die("heap_add_region failed");
    if (heap_set_cpu_hooks(heap_tls_cpu_index, threads + 1) != HEAP_OK)
        die("heap_set_cpu_hooks failed");
    heap_set_yield_hook(fluid_yield);
    bench_set_cpu(threads);
#else
    (void)threads;
#endif
}

static void fluid_report(void)
{
#if defined(BENCH_ALLOC_fluid)
    struct heap_stats s;
    heap_get_stats(&s);
    printf(", \"heap_mallocs\": %llu, \"heap_live_blocks\": %zu, \"heap_check_problems\": %u",
           (unsigned long long)s.mallocs, s.live_blocks, heap_check());
#endif
}

int main(int argc, char **argv)
{
    const struct workload *w = NULL;
    double scale = 1.0;
    int repeats = 3;
    unsigned threads = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = (unsigned)atoi(argv[++i]);
        else
            for (size_t k = 0; k < sizeof(workloads) / sizeof(workloads[0]); k++)
                if (!strcmp(argv[i], workloads[k].name))
                    w = &workloads[k];
    }
    if (!w || repeats < 1 || threads < 1 || threads > MAX_THREADS || !(scale > 0 && scale <= 100))
        die("usage: bench_threads_<alloc> larson|xmalloc|cache-scratch|random-mixed "
            "[--threads 1..16] [--scale 0..100] [--repeats R]");
    uint64_t iters = (uint64_t)((double)w->default_iters * scale);
    if (iters < (uint64_t)CS_WRITES * MAX_THREADS)
        iters = (uint64_t)CS_WRITES * MAX_THREADS;  /* enough for a batch and an object each */
    find_usable_cpus();
    fluid_setup(threads);
    bool owns = alloc_check();
    mallocs_total++;
    xm_rings = calloc(MAX_THREADS / 2 + 1, sizeof(struct xm_ring));
    if (!xm_rings)
        die("out of memory for the queues");
    run_once(w, threads, iters / 4);     /* warm-up, not timed */
    struct result best = {1e30, 0};
    unsigned shared_max = 0;
    for (int r = 0; r < repeats; r++) {
        struct result res = run_once(w, threads, iters);
        if (res.seconds < best.seconds)
            best = res;
        if (res.shared_lines > shared_max)
            shared_max = res.shared_lines;
    }
    free(xm_rings);
    printf("{\"allocator\": \"%s\", \"version\": \"%s\", \"workload\": \"%s\", "
           "\"threads\": %u, \"iters\": %llu, \"best_seconds\": %.6f, \"ops_per_s\": %.0f, "
           "\"clock\": \"CLOCK_MONOTONIC\", \"alloc_check\": %s, \"bench_mallocs\": %llu, "
           "\"shared_lines\": %u",
           BENCH_NAME, alloc_version(), w->name, threads, (unsigned long long)iters,
           best.seconds, (double)iters / best.seconds, owns ? "true" : "false",
           (unsigned long long)__atomic_load_n(&mallocs_total, __ATOMIC_RELAXED), shared_max);
    fluid_report();
    printf("}\n");
    return 0;
}
