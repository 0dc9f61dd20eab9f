/* Fixed-width integer types for freestanding code (kernel, modules, boot-info layouts).
 * Host builds get the same names from <stdint.h>; freestanding builds use clang's own
 * <stdint.h>/<stddef.h>, which need no libc. */
#ifndef FLUID_TYPES_H
#define FLUID_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#endif
