/* libs/llvmlibc's interface for host test code: its <string.h> and <math.h> with the
 * functions under their host names (llvmlibc_memcpy, llvmlibc_sinf, ...;
 * tests/lib/llvmlibc_host_names.h), while memcpy, sinf, ... stay glibc's. Include the C
 * library's <string.h> / <math.h> first (their macros, INFINITY and isnan among them, are
 * the ones the test uses), and this header before anything else includes libs/llvmlibc's. */
#ifndef FLUID_TESTS_LLVMLIBC_HOST_H
#define FLUID_TESTS_LLVMLIBC_HOST_H

#if defined(FLUID_LLVMLIBC_STRING_H) || defined(FLUID_LLVMLIBC_MATH_H)
#error "tests/lib/llvmlibc_host.h must come before libs/llvmlibc's headers"
#endif

#include "tests/lib/llvmlibc_host_names.h"
#include "libs/llvmlibc/include/string.h"
#include "libs/llvmlibc/include/math.h"

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#undef strcpy
#undef strncpy
#undef strchr
#undef strrchr
#undef sinf
#undef cosf
#undef expf
#undef logf
#undef sqrtf
#undef fabsf
#undef powf
#undef sin
#undef cos
#undef exp
#undef log
#undef sqrt
#undef fabs

#endif
