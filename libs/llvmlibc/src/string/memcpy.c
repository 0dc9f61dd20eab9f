/* memcpy: copy n bytes from src to dst (regions must not overlap; C11 §7.24.2.1).
 * Byte copies until dst is word aligned, then whole words when src is aligned too, then the
 * tail. Also the target of clang's implicit struct-copy calls in freestanding builds. */
#include <string.h>
#include "word.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n > 0 && !is_word_aligned(d)) {
        *d++ = *s++;
        n--;
    }
    if (is_word_aligned(s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE)
            *(llvmlibc_word *)d = *(const llvmlibc_word *)s;
    }
    while (n > 0) {
        *d++ = *s++;
        n--;
    }
    return dst;
}
