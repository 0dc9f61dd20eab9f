/* Host tests of libs/llvmlibc string functions (built 64-bit with ASan and 32-bit like the
 * kernel). Every source alignment x destination alignment (0..ALIGNS-1) x length (0..MAX_LEN),
 * destinations inside sentinel-filled buffers: the result must match glibc's and no byte
 * outside the destination may change. String arguments sit at the very end of exact-size
 * heap blocks so ASan flags any read past the terminator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/check.h"
#include "tests/lib/llvmlibc_host.h"

#define ALIGNS    16     /* covers every offset within a 4- and an 8-byte word, twice */
#define MAX_LEN   64
#define GUARD     32     /* sentinel bytes on each side of a destination */
#define SENTINEL  0xa5
#define BUF_SIZE  (GUARD + ALIGNS + MAX_LEN + GUARD)

static unsigned char dst_buf[BUF_SIZE], want_buf[BUF_SIZE], src_buf[BUF_SIZE];

/* Source bytes: non-zero, including values >= 0x80 to catch signed-char comparisons. */
static void fill_source(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(1 + (i * 37 + seed * 11) % 255);
}

static void reset_dst(void)
{
    memset(dst_buf, SENTINEL, BUF_SIZE);
    memset(want_buf, SENTINEL, BUF_SIZE);
}

static int dst_matches(void)
{
    return memcmp(dst_buf, want_buf, BUF_SIZE) == 0;
}

/* A NUL-terminated copy of src[0..len) at the end of an exact-size heap block. */
static char *heap_string(const unsigned char *src, size_t len, size_t align)
{
    char *block = malloc(align + len + 1);
    memcpy(block + align, src, len);
    block[align + len] = '\0';
    return block;
}

TEST(memcpy_all_alignments)
{
    fill_source(src_buf, BUF_SIZE, 1);
    for (size_t sa = 0; sa < ALIGNS; sa++)
        for (size_t da = 0; da < ALIGNS; da++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                reset_dst();
                void *r = llvmlibc_memcpy(dst_buf + GUARD + da, src_buf + sa, n);
                memcpy(want_buf + GUARD + da, src_buf + sa, n);
                CHECK(r == dst_buf + GUARD + da && dst_matches(), "sa %zu da %zu n %zu", sa, da, n);
            }
}

TEST(memmove_overlapping)
{
    for (size_t sa = 0; sa < ALIGNS; sa++)
        for (size_t da = 0; da < ALIGNS; da++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                fill_source(dst_buf, BUF_SIZE, (unsigned)n);
                memcpy(want_buf, dst_buf, BUF_SIZE);
                void *r = llvmlibc_memmove(dst_buf + GUARD + da, dst_buf + GUARD + sa, n);
                memmove(want_buf + GUARD + da, want_buf + GUARD + sa, n);
                CHECK(r == dst_buf + GUARD + da && dst_matches(), "sa %zu da %zu n %zu", sa, da, n);
            }
}

TEST(memset_all_alignments)
{
    static const int values[] = {0, 0x5a, 0xff, 0x180 /* only the low byte counts */};
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        for (size_t da = 0; da < ALIGNS; da++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                reset_dst();
                void *r = llvmlibc_memset(dst_buf + GUARD + da, values[v], n);
                memset(want_buf + GUARD + da, values[v], n);
                CHECK(r == dst_buf + GUARD + da && dst_matches(), "c %d da %zu n %zu", values[v], da, n);
            }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

TEST(memcmp_every_difference)
{
    unsigned char a[ALIGNS + MAX_LEN], b[ALIGNS + MAX_LEN];
    for (size_t al = 0; al < ALIGNS; al++)
        for (size_t n = 0; n <= MAX_LEN; n++)
            for (size_t d = 0; d <= n; d++) {          /* d == n: equal */
                fill_source(a, sizeof a, 3);
                memcpy(b, a, sizeof b);
                if (d < n)
                    b[al + d] = (unsigned char)(a[al + d] ^ 0x80);
                CHECK(sign(llvmlibc_memcmp(a + al, b + al, n)) == sign(memcmp(a + al, b + al, n)),
                      "al %zu n %zu d %zu", al, n, d);
            }
}

TEST(strlen_all_alignments)
{
    fill_source(src_buf, BUF_SIZE, 4);
    for (size_t al = 0; al < ALIGNS; al++)
        for (size_t n = 0; n <= MAX_LEN; n++) {
            char *block = heap_string(src_buf, n, al);
            CHECK(llvmlibc_strlen(block + al) == n, "al %zu n %zu", al, n);
            free(block);
        }
}

/* strcmp / strncmp on strings differing at position d (or d == n: a prefix / equal). */
TEST(strcmp_strncmp_every_difference)
{
    fill_source(src_buf, BUF_SIZE, 5);
    for (size_t al = 0; al < ALIGNS; al += 3)
        for (size_t n = 0; n <= MAX_LEN; n++)
            for (size_t d = 0; d <= n; d++) {
                char *a = heap_string(src_buf, n, al);
                char *b = heap_string(src_buf, d, 0);  /* b is a's prefix of length d ... */
                if (d < n) {
                    free(b);
                    b = heap_string(src_buf, n, 0);
                    b[d] = (char)(b[d] ^ 0x80);         /* ... or differs at d */
                }
                CHECK(sign(llvmlibc_strcmp(a + al, b)) == sign(strcmp(a + al, b)), "n %zu d %zu", n, d);
                for (size_t k = 0; k <= n + 1; k++)
                    CHECK(sign(llvmlibc_strncmp(a + al, b, k)) == sign(strncmp(a + al, b, k)),
                          "n %zu d %zu k %zu", n, d, k);
                free(a);
                free(b);
            }
}

TEST(strcpy_all_alignments)
{
    fill_source(src_buf, BUF_SIZE, 6);
    for (size_t sa = 0; sa < ALIGNS; sa++)
        for (size_t da = 0; da < ALIGNS; da++)
            for (size_t n = 0; n <= MAX_LEN - 1; n++) {
                char *s = heap_string(src_buf, n, sa);
                reset_dst();
                char *r = llvmlibc_strcpy((char *)dst_buf + GUARD + da, s + sa);
                strcpy((char *)want_buf + GUARD + da, s + sa);
                CHECK(r == (char *)dst_buf + GUARD + da && dst_matches(), "sa %zu da %zu n %zu", sa, da, n);
                free(s);
            }
}

TEST(strncpy_lengths_and_padding)
{
    fill_source(src_buf, BUF_SIZE, 7);
    for (size_t da = 0; da < ALIGNS; da += 3)
        for (size_t len = 0; len <= MAX_LEN; len++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                char *s = heap_string(src_buf, len, 0);
                reset_dst();
                char *r = llvmlibc_strncpy((char *)dst_buf + GUARD + da, s, n);
                strncpy((char *)want_buf + GUARD + da, s, n);
                CHECK(r == (char *)dst_buf + GUARD + da && dst_matches(), "da %zu len %zu n %zu", da, len, n);
                free(s);
            }
}

TEST(strchr_strrchr_every_position)
{
    for (size_t al = 0; al < ALIGNS; al++)
        for (size_t n = 0; n <= MAX_LEN; n++) {
            unsigned char text[MAX_LEN];
            for (size_t i = 0; i < n; i++)
                text[i] = (unsigned char)("ab\x80xy"[i % 5]);
            char *s = heap_string(text, n, al) + al;
            static const int needles[] = {'a', 'y', 0x80, 0x180, '\0', 'z'};
            for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
                CHECK(llvmlibc_strchr(s, needles[k]) == strchr(s, needles[k]), "n %zu c %#x", n, needles[k]);
                CHECK(llvmlibc_strrchr(s, needles[k]) == strrchr(s, needles[k]), "n %zu c %#x", n, needles[k]);
            }
            free(s - al);
        }
}

int main(void)
{
    check_suite = sizeof(void *) == 8 ? "llvmlibc_string" : "llvmlibc_string_i386";
    RUN(memcpy_all_alignments);
    RUN(memmove_overlapping);
    RUN(memset_all_alignments);
    RUN(memcmp_every_difference);
    RUN(strlen_all_alignments);
    RUN(strcmp_strncmp_every_difference);
    RUN(strcpy_all_alignments);
    RUN(strncpy_lengths_and_padding);
    RUN(strchr_strrchr_every_position);
    return check_summary();
}
