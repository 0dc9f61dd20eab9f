/* strlen: number of bytes before the terminating NUL (C11 §7.24.6.3). Reads nothing past it. */
#include <string.h>

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}
