/* memmove: copy n bytes from src to dst; the regions may overlap (C11 §7.24.2.2).
 * Copies forwards when dst is below src, backwards otherwise, byte by byte. */
#include <string.h>
#include <stdint.h>

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    if ((uintptr_t)d < (uintptr_t)s) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    }
    return dst;
}
