/* The `test=guard` self-test: runs functions that return, fault, hang and overflow the stack
 * under guard_call and checks each outcome. */
#ifndef FLUID_KERNEL_GUARDTEST_H
#define FLUID_KERNEL_GUARDTEST_H

#include <fluid/types.h>

/* Logs "guard-test: <case> ... ok|FAILED" per case; true if every case behaved. */
bool guard_selftest(void);

#endif
