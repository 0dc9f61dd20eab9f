/* memset: fill n bytes at dst with (unsigned char)c (C11 §7.24.6.1).
 * Bytes until dst is word aligned, then whole words of the replicated byte, then the tail. */
#include <string.h>
#include "word.h"

void *LLVMLIBC_FN(memset)(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    llvmlibc_word w = (llvmlibc_word)-1 / 0xff * b;   /* b in every byte */

    while (n > 0 && !is_word_aligned(d)) {
        *d++ = b;
        n--;
    }
    for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE)
        *(llvmlibc_word *)d = w;
    while (n > 0) {
        *d++ = b;
        n--;
    }
    return dst;
}
