/* strncpy: copy at most n bytes of src to dst and pad with NULs up to n (C11 §7.24.2.4);
 * dst is not terminated when src has n or more bytes. Returns dst. */
#include <string.h>

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i] != '\0'; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = '\0';
    return dst;
}
