/* memcmp: compare n bytes as unsigned char (C11 §7.24.4.1); returns <0, 0 or >0. */
#include <string.h>

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i])
            return p[i] - q[i];
    }
    return 0;
}
