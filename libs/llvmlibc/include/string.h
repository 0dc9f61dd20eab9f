/* libs/llvmlibc string functions, usable from freestanding code (-nostdinc -ffreestanding).
 * Every function behaves as ISO C11 §7.24 specifies; no function allocates or fails.
 * Under LLVMLIBC_HOST_TEST the names carry an llvmlibc_ prefix (see llvmlibc_defs.h). */
#ifndef FLUID_LLVMLIBC_STRING_H
#define FLUID_LLVMLIBC_STRING_H

#include <stddef.h>
#include "llvmlibc_defs.h"

void *LLVMLIBC_FN(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *LLVMLIBC_FN(memmove)(void *dst, const void *src, size_t n);
void *LLVMLIBC_FN(memset)(void *dst, int c, size_t n);
int LLVMLIBC_FN(memcmp)(const void *a, const void *b, size_t n);
size_t LLVMLIBC_FN(strlen)(const char *s);
int LLVMLIBC_FN(strcmp)(const char *a, const char *b);
int LLVMLIBC_FN(strncmp)(const char *a, const char *b, size_t n);
char *LLVMLIBC_FN(strcpy)(char *restrict dst, const char *restrict src);
char *LLVMLIBC_FN(strncpy)(char *restrict dst, const char *restrict src, size_t n);
char *LLVMLIBC_FN(strchr)(const char *s, int c);
char *LLVMLIBC_FN(strrchr)(const char *s, int c);

#endif
