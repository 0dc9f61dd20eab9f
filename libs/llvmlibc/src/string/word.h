/* Word-at-a-time access for the mem* functions: a machine word that may alias any object
 * (clang's may_alias attribute, so word copies of char buffers are not undefined aliasing). */
#ifndef FLUID_LLVMLIBC_WORD_H
#define FLUID_LLVMLIBC_WORD_H

#include <stddef.h>
#include <stdint.h>

typedef size_t __attribute__((__may_alias__)) llvmlibc_word;

#define WORD_SIZE   sizeof(llvmlibc_word)
#define WORD_MASK   (WORD_SIZE - 1)

static inline int is_word_aligned(const void *p)
{
    return ((uintptr_t)p & WORD_MASK) == 0;
}

#endif
