/* strcpy: copy src including its NUL to dst (C11 §7.24.2.3); returns dst. */
#include <string.h>

char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;

    while ((*d++ = *src++) != '\0')
        ;
    return dst;
}
