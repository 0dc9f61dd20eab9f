/* strops: classic string routines (strlen, strcpy, strrev, strcmp) on 400
 * generated strings of 100..149 characters, written here so that the module measures its
 * own code. A running hash of lengths, comparison signs and first characters is returned.
 * Expected value from tests/modules/reference.py. */
#include <fluid_module.h>

#define STR_ROUNDS  400
#define STR_MINLEN  100
#define STR_SPREAD  50
#define STR_STRIDE  7

/* WORD: 1 = str_len, str_copy and str_compare go four bytes at a time while no byte of the
 * word is zero (the zero-byte test of Hacker's Delight §6.1), over buffers aligned and sized
 * to whole words so no access leaves them; the word holding the NUL is finished byte by
 * byte. The same results either way. */
#ifndef WORD
#define WORD 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x23595742, 0);
FLUID_PARAM(WORD, 0, 0, 1);

static const char base[] = "the quick brown fox jumps over the lazy dog 0123456789";
#define BASE_LEN (sizeof base - 1)

#if WORD
#define STR_WORD_BYTES  4
#define STR_CAP  ((STR_MINLEN + STR_SPREAD + STR_WORD_BYTES) / STR_WORD_BYTES * STR_WORD_BYTES)
#define STR_ONES        0x01010101u
#define STR_HIGHS       0x80808080u
#define STR_HAS_ZERO(v) (((v) - STR_ONES) & ~(v) & STR_HIGHS)
typedef uint32_t __attribute__((may_alias)) str_word;
static char s[STR_CAP] __attribute__((aligned(STR_WORD_BYTES)));
static char t[STR_CAP] __attribute__((aligned(STR_WORD_BYTES)));

/* p is word-aligned (s or t) and its buffer a whole number of words: the word holding the
 * NUL is inside it. */
static uint32_t str_len(const char *p)
{
    const str_word *w = (const str_word *)p;
    while (!STR_HAS_ZERO(*w))
        w++;
    const char *q = (const char *)w;
    while (*q)
        q++;
    return (uint32_t)(q - p);
}

/* dst and src word-aligned (s and t); whole words until the one holding the NUL. */
static void str_copy(char *dst, const char *src)
{
    str_word *d = (str_word *)dst;
    const str_word *w = (const str_word *)src;
    while (!STR_HAS_ZERO(*w))
        *d++ = *w++;
    dst = (char *)d, src = (const char *)w;
    while ((*dst++ = *src++))
        ;
}

static int str_compare(const char *x, const char *y)
{
    const str_word *a = (const str_word *)x, *b = (const str_word *)y;
    while (*a == *b && !STR_HAS_ZERO(*a))
        a++, b++;
    x = (const char *)a, y = (const char *)b;
    while (*x && *x == *y)
        x++, y++;
    return (unsigned char)*x - (unsigned char)*y;
}
#else
static char s[STR_MINLEN + STR_SPREAD + 1], t[STR_MINLEN + STR_SPREAD + 1];

static uint32_t str_len(const char *p)
{
    const char *q = p;
    while (*q)
        q++;
    return (uint32_t)(q - p);
}

static void str_copy(char *dst, const char *src)
{
    while ((*dst++ = *src++))
        ;
}
#endif

static void str_reverse(char *p)
{
    uint32_t n = str_len(p);
    for (uint32_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
        char c = p[i];
        p[i] = p[j];
        p[j] = c;
    }
}

#if !WORD
static int str_compare(const char *x, const char *y)
{
    while (*x && *x == *y)
        x++, y++;
    return (unsigned char)*x - (unsigned char)*y;
}
#endif

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t acc = 0;
    for (uint32_t r = 0; r < STR_ROUNDS; r++) {
        uint32_t len = STR_MINLEN + r % STR_SPREAD;
        for (uint32_t i = 0; i < len; i++)
            s[i] = base[(i * STR_STRIDE + r) % BASE_LEN];
        s[len] = '\0';
        str_copy(t, s);
        str_reverse(t);
        int c = str_compare(s, t);
        acc = acc * 31u + str_len(s) + (c < 0 ? 1u : c > 0 ? 2u : 0u) + (unsigned char)t[0];
    }
    return acc;
}
