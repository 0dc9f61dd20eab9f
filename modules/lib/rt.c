/* Fallback freestanding runtime for modules: memcpy/memset/memmove/memcmp, which clang may
 * emit calls to even under -fno-builtin (struct copies, zero initialisers). Linked after
 * libs/llvmlibc, so the llvm-libc versions win when that library is built. Byte loops on
 * purpose: these are for correctness, not speed; modules do their heavy work themselves. */
#include <fluid_module.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
