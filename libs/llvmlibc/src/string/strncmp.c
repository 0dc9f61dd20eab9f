/* strncmp: compare at most n bytes of two strings as unsigned char, stopping at a NUL
 * (C11 §7.24.4.4); returns <0, 0 or >0, and 0 when n is 0. */
#include <string.h>

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

    if (n == 0)
        return 0;
    while (n > 1 && *p && *p == *q) {
        p++;
        q++;
        n--;
    }
    return *p - *q;
}
