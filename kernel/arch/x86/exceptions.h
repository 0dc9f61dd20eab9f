/* Names of the 32 x86 exception vectors (Intel SDM vol. 3A table 6-1), for the exception
 * reports of both kernels. */
#ifndef FLUID_KERNEL_ARCH_X86_EXCEPTIONS_H
#define FLUID_KERNEL_ARCH_X86_EXCEPTIONS_H

#include <fluid/types.h>

#define EXCEPTION_VECTORS   32
#define VECTOR_PAGE_FAULT   14      /* #PF: CR2 holds the address it touched */

/* "#DE", "#PF", ...; "#??" beyond the exception vectors. */
const char *exception_mnemonic(uint32_t vector);

/* "divide error", "page fault", ...; "not an exception" beyond them. */
const char *exception_name(uint32_t vector);

#endif
