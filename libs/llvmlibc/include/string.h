/* libs/llvmlibc string functions, usable from freestanding code (-nostdinc -ffreestanding).
 * Every function behaves as ISO C11 §7.24 specifies; no function allocates or fails.
 * Freestanding builds export these names, so clang's implicit memcpy/memset calls for struct
 * copies resolve to them; the host test builds rename them (llvmlibc_memcpy, ...;
 * tests/lib/llvmlibc_host_names.h). */
#ifndef FLUID_LLVMLIBC_STRING_H
#define FLUID_LLVMLIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

#endif
