/* Array helpers for fixed tables: ARRAY_SIZE gives the element count of an array (not of a
 * pointer: the compiler rejects a pointer argument through the type check below). */
#ifndef FLUID_KERNEL_LIB_ARRAY_H
#define FLUID_KERNEL_LIB_ARRAY_H

/* Fails to compile when a is a pointer: &(a)[0] and a then have the same type. */
#define ARRAY_SIZE_CHECK(a) \
    (sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0]))]) - 1)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]) + ARRAY_SIZE_CHECK(a))

#endif
