/* Token sampling (llm.h): greedy argmax, temperature + multinomial, temperature + top-p,
 * driven by llama2.c's xorshift* generator so seeded runs repeat run.c's exactly.
 * Origin: karpathy/llama2.c run.c random_u32/random_f32, sample_argmax, sample_mult,
 * sample_topp (cutoff (1 - topp) / (n - 1), descending sort, first index whose cumulative
 * probability exceeds topp). run.c sorts with glibc qsort, a stable merge sort for these
 * sizes; the merge sort here is stable too, so equal probabilities keep index order. */
#include "kernel/llm/llm_impl.h"
#include "kernel/llm/llm_math.h"

#define XORSHIFT_MULT   0x2545F4914F6CDD1Dull /* xorshift* multiplier (Vigna 2016) */
#define F32_MANTISSA    16777216.0f           /* 2^24: 24 random bits -> [0, 1) */

uint32_t llm_random_u32(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * XORSHIFT_MULT) >> 32);
}

float llm_random_f32(uint64_t *state)
{
    return (float)(llm_random_u32(state) >> 8) / F32_MANTISSA;
}

/* run.c softmax(): max subtraction, expf, then division by the sum, all in float. */
void llm_softmax(float *x, int n)
{
    float max_val = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] > max_val)
            max_val = x[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max_val);
        sum += x[i];
    }
    for (int i = 0; i < n; i++)
        x[i] /= sum;
}

enum llm_err llm_sampler_init(struct llm_sampler *s, int32_t vocab_size, float temperature,
                              float topp, uint64_t seed, struct llm_arena *arena,
                              const struct llm_io *io)
{
    memset(s, 0, sizeof *s);
    if (vocab_size <= 0 || !(temperature >= 0.0f) || !isfinite(temperature) ||
        !(topp == topp) || seed == 0) {
        llm_diag(io, "sampler: vocab_size %d, temperature or top-p invalid, or seed 0",
                 vocab_size);
        return LLM_E_ARG;
    }
    s->vocab_size = vocab_size;
    s->temperature = temperature;
    s->topp = topp;
    s->rng_state = seed;
    s->probindex = llm_arena_alloc(arena, (size_t)vocab_size * sizeof *s->probindex, 8);
    s->sort_tmp = llm_arena_alloc(arena, (size_t)vocab_size * sizeof *s->sort_tmp, 8);
    if (!s->probindex || !s->sort_tmp) {
        llm_diag(io, "sampler: out of memory for %d entries", vocab_size);
        return LLM_E_NOMEM;
    }
    return LLM_OK;
}

static int32_t sample_argmax(const float *p, int32_t n)
{
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (p[i] > p[best])
            best = i;
    return best;
}

/* Index where the cumulative probability first exceeds coin; n - 1 on rounding. */
static int32_t sample_mult(const float *p, int32_t n, float coin)
{
    float cdf = 0.0f;
    for (int32_t i = 0; i < n; i++) {
        cdf += p[i];
        if (coin < cdf)
            return i;
    }
    return n - 1;
}

/* Stable merge sort, descending by probability. */
static void sort_desc(struct llm_prob_index *a, struct llm_prob_index *tmp, int32_t n)
{
    for (int32_t width = 1; width < n; width *= 2) {
        for (int32_t lo = 0; lo < n; lo += 2 * width) {
            int32_t mid = lo + width < n ? lo + width : n;
            int32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[j].prob > a[i].prob ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
}

/* Nucleus sampling: the smallest prefix of the sorted distribution whose mass exceeds topp.
 * Values below (1 - topp) / (n - 1) cannot be in that prefix, so they are dropped before
 * sorting (run.c's optimisation, kept because it changes nothing but speed). */
static int32_t sample_topp(struct llm_sampler *s, const float *p, float coin)
{
    int32_t n = s->vocab_size, n0 = 0;
    const float cutoff = (1.0f - s->topp) / (float)(n - 1);
    for (int32_t i = 0; i < n; i++) {
        if (p[i] >= cutoff) {
            s->probindex[n0].index = i;
            s->probindex[n0].prob = p[i];
            n0++;
        }
    }
    if (n0 == 0) /* vocab_size 1, or NaN logits: nothing passed the cutoff */
        return sample_mult(p, n, coin);
    sort_desc(s->probindex, s->sort_tmp, n0);
    float cumulative = 0.0f;
    int32_t last = n0 - 1;
    for (int32_t i = 0; i < n0; i++) {
        cumulative += s->probindex[i].prob;
        if (cumulative > s->topp) {
            last = i;
            break;
        }
    }
    float r = coin * cumulative;
    float cdf = 0.0f;
    for (int32_t i = 0; i <= last; i++) {
        cdf += s->probindex[i].prob;
        if (r < cdf)
            return s->probindex[i].index;
    }
    return s->probindex[last].index;
}

int32_t llm_sample(struct llm_sampler *s, float *logits)
{
    if (s->temperature == 0.0f)
        return sample_argmax(logits, s->vocab_size);
    for (int32_t i = 0; i < s->vocab_size; i++)
        logits[i] /= s->temperature;
    llm_softmax(logits, s->vocab_size);
    float coin = llm_random_f32(&s->rng_state);
    if (s->topp <= 0.0f || s->topp >= 1.0f)
        return sample_mult(logits, s->vocab_size, coin);
    return sample_topp(s, logits, coin);
}
