/* Naming shared by libs/llvmlibc's public headers and sources.
 * Freestanding builds (kernel, modules, x86-64 path) export the C names (memcpy, sinf, ...), so
 * clang's implicit calls for struct copies resolve to them. Host test builds define
 * LLVMLIBC_HOST_TEST and get llvmlibc_memcpy, llvmlibc_sinf, ... so a test can call ours and
 * glibc's side by side in one process. */
#ifndef FLUID_LLVMLIBC_DEFS_H
#define FLUID_LLVMLIBC_DEFS_H

#ifdef LLVMLIBC_HOST_TEST
#define LLVMLIBC_FN(name) llvmlibc_##name
#else
#define LLVMLIBC_FN(name) name
#endif

#endif
