/* Host names of libs/llvmlibc's public functions. The host builds of the library
 * (mk/llvmlibc.mk: host, host32, hostopt) are compiled with
 * `-include tests/lib/llvmlibc_host_names.h`, so the functions the sources spell memcpy,
 * sinf, ... are defined as llvmlibc_memcpy, llvmlibc_sinf, ... and a test or benchmark calls
 * ours and glibc's side by side in one process. Freestanding builds never see this file: they
 * export the C names. Function-like macros: only calls and declarations are renamed. Test
 * code gets the renamed declarations from tests/lib/llvmlibc_host.h. */
#ifndef FLUID_TESTS_LLVMLIBC_HOST_NAMES_H
#define FLUID_TESTS_LLVMLIBC_HOST_NAMES_H

/* <string.h> */
#define memcpy(dst, src, n)     llvmlibc_memcpy(dst, src, n)
#define memmove(dst, src, n)    llvmlibc_memmove(dst, src, n)
#define memset(dst, c, n)       llvmlibc_memset(dst, c, n)
#define memcmp(a, b, n)         llvmlibc_memcmp(a, b, n)
#define strlen(s)               llvmlibc_strlen(s)
#define strcmp(a, b)            llvmlibc_strcmp(a, b)
#define strncmp(a, b, n)        llvmlibc_strncmp(a, b, n)
#define strcpy(dst, src)        llvmlibc_strcpy(dst, src)
#define strncpy(dst, src, n)    llvmlibc_strncpy(dst, src, n)
#define strchr(s, c)            llvmlibc_strchr(s, c)
#define strrchr(s, c)           llvmlibc_strrchr(s, c)

/* <math.h> */
#define sinf(x)                 llvmlibc_sinf(x)
#define cosf(x)                 llvmlibc_cosf(x)
#define expf(x)                 llvmlibc_expf(x)
#define logf(x)                 llvmlibc_logf(x)
#define sqrtf(x)                llvmlibc_sqrtf(x)
#define fabsf(x)                llvmlibc_fabsf(x)
#define powf(x, y)              llvmlibc_powf(x, y)
#define sin(x)                  llvmlibc_sin(x)
#define cos(x)                  llvmlibc_cos(x)
#define exp(x)                  llvmlibc_exp(x)
#define log(x)                  llvmlibc_log(x)
#define sqrt(x)                 llvmlibc_sqrt(x)
#define fabs(x)                 llvmlibc_fabs(x)

#endif
