/* Host stand-ins for the kernel's log (tests/lib/kernel_stubs.c): every kprintf line goes to
 * stderr and is also kept, so a test can check that a message names the bad value. */
#ifndef FLUID_TESTS_KERNEL_STUBS_H
#define FLUID_TESTS_KERNEL_STUBS_H

#include <stdbool.h>

/* Forgets what was logged so far. */
void stub_log_reset(void);

/* What was logged since the last stub_log_reset (the first STUB_LOG_BYTES - 1 bytes). */
#define STUB_LOG_BYTES (256 * 1024)
const char *stub_log(void);

#endif
