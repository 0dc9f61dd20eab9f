/* strcmp: compare two strings as unsigned char (C11 §7.24.4.2); returns <0, 0 or >0. */
#include <string.h>

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

    while (*p && *p == *q) {
        p++;
        q++;
    }
    return *p - *q;
}
