/* memset: fill n bytes at dst with (unsigned char)c (C11 §7.24.6.1).
 * A block is a 16-byte vector on SSE2 targets (x86-64, the i686-sse2 build) and a machine
 * word elsewhere. Fills shorter than a block go byte by byte. Longer ones store one unaligned
 * block at the start, continue with aligned blocks (four a loop iteration) from the first
 * block boundary after dst, and finish with one unaligned block that ends at dst + n, so the
 * head and tail cost one store each however dst is aligned. */
#include <string.h>
#include "word.h"

#ifdef __SSE2__
typedef unsigned char __attribute__((__vector_size__(16), __may_alias__)) fill_block;
#else
typedef llvmlibc_word fill_block;
#endif

#define BLOCK_SIZE  sizeof(fill_block)
#define BLOCK_MASK  (BLOCK_SIZE - 1)
#define UNROLL      4   /* aligned blocks stored per iteration of the main loop */
/* The loops are already shaped; clang's own unrolling and vectorising of them added
 * remainder code that cost more instructions than it saved on the short fills callers do. */
#define AS_WRITTEN  _Pragma("clang loop unroll(disable) vectorize(disable)")

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;

    if (n < BLOCK_SIZE) {
        AS_WRITTEN
        while (n > 0) {
            *d++ = b;
            n--;
        }
        return dst;
    }

    llvmlibc_word w = (llvmlibc_word)-1 / 0xff * b;   /* b in every byte */
    fill_block block;
    for (size_t i = 0; i < BLOCK_SIZE / WORD_SIZE; i++)     /* constant trip count */
        __builtin_memcpy((unsigned char *)&block + i * WORD_SIZE, &w, WORD_SIZE);

    unsigned char *end = d + n;
    __builtin_memcpy(d, &block, BLOCK_SIZE);                /* head, any alignment */
    d = (unsigned char *)(((uintptr_t)d + BLOCK_SIZE) & ~(uintptr_t)BLOCK_MASK);
    AS_WRITTEN
    for (; (size_t)(end - d) >= UNROLL * BLOCK_SIZE; d += UNROLL * BLOCK_SIZE) {
        fill_block *p = (fill_block *)d;
        p[0] = block;
        p[1] = block;
        p[2] = block;
        p[3] = block;
    }
    AS_WRITTEN
    for (; (size_t)(end - d) >= BLOCK_SIZE; d += BLOCK_SIZE)
        *(fill_block *)d = block;
    if (d != end)
        __builtin_memcpy(end - BLOCK_SIZE, &block, BLOCK_SIZE);  /* tail, overlapping */
    return dst;
}
