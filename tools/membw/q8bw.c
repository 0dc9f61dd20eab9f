/* q8bw: how close the engine's Q8_0 matmul comes to a plain read of the same memory, on one
 * thread, for `make bench-q8`.
 *
 * One buffer holds a Q8_0 matrix (int8 values, then one fp32 scale per group, as a version-2
 * file stores it) of rows n long and as many rows as --mib allows. Each repetition runs the
 * chosen kernel set's matmul_q8 over the whole matrix, then a summing loop (32-byte AVX2
 * loads, one sequential stream, as tools/membw reads) over the same bytes, and prints both
 * rates and their ratio. Alternating inside one process within a fraction of a second, both
 * halves of a pair see nearly the same load from other processes, so on a shared machine the
 * median ratio is steadier than either rate; the best rates are printed too. With --mib far
 * past the last-level cache this is the DRAM-bound case of token generation; with a matrix
 * that fits in L2 it is the kernel's compute ceiling.
 *
 * With --rows R the kernel is called on R rows at a time, front to back, as a worker of
 * a threaded pool runs the chunks of its range (kernel/llm/llm_pool.h, dealing): each call
 * reads its four bands R / 4 rows apart instead of a quarter of the matrix apart.
 *
 * usage: q8bw [--mib N] [--reps R] [--n N] [--gs G] [--rows R] [KERNELS...]   (names as llm_cli -k;
 * none: every SIMD set this CPU runs, llm_kernels_nth(1) on). Needs AVX2 for the read loop.
 * Prints one line per repetition and a summary per kernel set:
 *   "q8bw: KERNELS n N gs G: kernel K.KK GB/s, read R.RR GB/s (best of R), median ratio X.XXX"
 * and exits 1 with a message on a bad argument, an unknown kernel set or a failed allocation. */
#include <errno.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/llm/huge_pages.h"
#include "tools/membw/count_arg.h"

#include "kernel/llm/llm.h"

#define Q8BW_DEFAULT_MIB    1024ul      /* far past any last-level cache of a PC */
#define Q8BW_DEFAULT_REPS   8ul
#define Q8BW_DEFAULT_N      2048ul      /* TinyLlama's dim: wq, wk, wv, w1, w3 rows */
#define Q8BW_DEFAULT_GS     64ul        /* TinyLlama-shaped files' group size */
#define Q8BW_MAX_REPS       1000ul
#define Q8BW_MAX_N          65536ul     /* llm_model.c's hidden_dim limit */
#define Q8BW_MAX_MIB        (1ul << 16)
#define Q8BW_STRIDE         128u        /* bytes per read-loop step: four 32-byte loads */
#define Q8BW_SCALE          0.001f      /* every weight scale: keeps the sums finite */
#define MIB                 (1ul << 20)

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The read loop of tools/membw/membw.c over p[0..bytes), bytes a multiple of Q8BW_STRIDE. */
__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t *p, size_t bytes)
{
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t i = 0; i < bytes; i += Q8BW_STRIDE) {
        a = _mm256_add_epi64(a, _mm256_load_si256((const __m256i *)(p + i)));
        b = _mm256_add_epi64(b, _mm256_load_si256((const __m256i *)(p + i + 32)));
        c = _mm256_add_epi64(c, _mm256_load_si256((const __m256i *)(p + i + 64)));
        d = _mm256_add_epi64(d, _mm256_load_si256((const __m256i *)(p + i + 96)));
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

static const struct llm_kernels *kernels_named(const char *name)
{
    for (int i = 0; llm_kernels_nth(i); i++)
        if (!strcmp(llm_kernels_nth(i)->name, name))
            return llm_kernels_nth(i);
    return NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    unsigned long mib = Q8BW_DEFAULT_MIB, reps = Q8BW_DEFAULT_REPS, n = Q8BW_DEFAULT_N;
    unsigned long gs = Q8BW_DEFAULT_GS, chunk = 0;     /* chunk 0: the whole matrix per call */
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (!strcmp(argv[a], "--mib"))
            mib = parse_count("q8bw", "--mib", argv[a + 1], Q8BW_MAX_MIB);
        else if (!strcmp(argv[a], "--reps"))
            reps = parse_count("q8bw", "--reps", argv[a + 1], Q8BW_MAX_REPS);
        else if (!strcmp(argv[a], "--n"))
            n = parse_count("q8bw", "--n", argv[a + 1], Q8BW_MAX_N);
        else if (!strcmp(argv[a], "--gs"))
            gs = parse_count("q8bw", "--gs", argv[a + 1], Q8BW_MAX_N);
        else if (!strcmp(argv[a], "--rows"))
            chunk = parse_count("q8bw", "--rows", argv[a + 1], INT32_MAX);
        else
            break;
    }
    if (a < argc && argv[a][0] == '-') {
        fprintf(stderr, "usage: q8bw [--mib N] [--reps R] [--n N] [--gs G] [--rows R] "
                        "[KERNELS...]\n");
        return 1;
    }
    if (!__builtin_cpu_supports("avx2")) {
        fprintf(stderr, "q8bw: the read loop needs AVX2, which this CPU lacks\n");
        return 1;
    }
    if (n % gs || n % Q8BW_STRIDE) {
        fprintf(stderr, "q8bw: row length %lu must be a multiple of the group size %lu and "
                "of %u\n", n, gs, Q8BW_STRIDE);
        return 1;
    }
    /* Rows that fit: n int8 values and n / gs fp32 scales each; all sizes in 64 bits. */
    uint64_t row_bytes = (uint64_t)n + (uint64_t)(n / gs) * sizeof(float);
    uint64_t d = (uint64_t)mib * MIB / row_bytes;
    if (d == 0 || d > INT32_MAX) {
        fprintf(stderr, "q8bw: %lu MiB holds %llu rows of %llu bytes; need 1 to %d\n", mib,
                (unsigned long long)d, (unsigned long long)row_bytes, INT32_MAX);
        return 1;
    }
    size_t values = (size_t)(d * n), groups = (size_t)(d * (n / gs));
    size_t bytes = (values + groups * sizeof(float)) / Q8BW_STRIDE * Q8BW_STRIDE;
    uint8_t *buf = huge_pages_alloc(values + groups * sizeof(float));
    int8_t *xq = malloc(n);
    float *xs = malloc(n / gs * sizeof(float)), *out = malloc((size_t)d * sizeof(float));
    double *ratios = malloc(reps * sizeof(double));
    if (!buf || !xq || !xs || !out || !ratios) {
        fprintf(stderr, "q8bw: cannot allocate %lu MiB\n", mib);
        return 1;
    }
    int8_t *wq = (int8_t *)buf;
    float *ws = (float *)(buf + values);
    for (size_t i = 0; i < values; i++)         /* also faults every page in before timing */
        wq[i] = (int8_t)(i % 255 - 127);
    for (size_t i = 0; i < groups; i++)
        ws[i] = Q8BW_SCALE;
    for (unsigned long i = 0; i < n; i++)
        xq[i] = (int8_t)(i % 201 - 100);
    for (unsigned long i = 0; i < n / gs; i++)
        xs[i] = Q8BW_SCALE;

    int status = 0, all = a == argc;
    for (int i = all ? 1 : a; all ? llm_kernels_nth(i) != NULL : i < argc; i++) {
        const struct llm_kernels *k = all ? llm_kernels_nth(i) : kernels_named(argv[i]);
        if (!k) {
            fprintf(stderr, "q8bw: no kernel set '%s' on this CPU\n", argv[i]);
            status = 1;
            continue;
        }
        double best_k = 0, best_r = 0;
        uint64_t sink = 0;
        for (unsigned long r = 0; r < reps; r++) {
            double t0 = now_seconds();
            uint64_t step = chunk ? chunk : d;
            for (uint64_t r0 = 0; r0 < d; r0 += step) {
                uint64_t rows = d - r0 < step ? d - r0 : step;
                k->matmul_q8(out + r0, xq, xs, wq + r0 * n, ws + r0 * (n / gs), (int)n,
                             (int)rows, (int)gs);
            }
            double t1 = now_seconds();
            sink += sum_avx2(buf, bytes);
            double t2 = now_seconds();
            double rk = (double)bytes / (t1 - t0) / 1e9, rr = (double)bytes / (t2 - t1) / 1e9;
            best_k = rk > best_k ? rk : best_k;
            best_r = rr > best_r ? rr : best_r;
            ratios[r] = rk / rr;
            printf("q8bw: %s rep %lu: kernel %.2f GB/s, read %.2f GB/s, ratio %.3f\n", k->name,
                   r, rk, rr, ratios[r]);
        }
        qsort(ratios, reps, sizeof *ratios, compare_double);
        double median = reps % 2 ? ratios[reps / 2]
                                  : (ratios[reps / 2 - 1] + ratios[reps / 2]) / 2;
        /* out[] and sink printed so neither loop can be dropped */
        printf("q8bw: %s n %lu gs %lu rows %llu: kernel %.2f GB/s, read %.2f GB/s (best of %lu, "
               "%lu MiB), median ratio %.3f (check %g %llu)\n", k->name, n, gs,
               (unsigned long long)(chunk ? chunk : d), best_k, best_r, reps, mib, median,
               (double)out[0], (unsigned long long)(sink & 1));
    }
    free(buf);
    free(xq);
    free(xs);
    free(out);
    free(ratios);
    return status;
}
