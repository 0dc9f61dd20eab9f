/* The suite's numeric boot options (suite.calls=N, suite.seconds=S; docs/adaptive.md): one
 * rule for both, so each refuses the same way. Pure: kernel/bench/suite.c reads the command
 * line and words the refusal; host tests drive the parser. */
#ifndef FLUID_KERNEL_SUITE_OPTIONS_H
#define FLUID_KERNEL_SUITE_OPTIONS_H

#include <fluid/types.h>

#define SUITE_MAX_SECONDS       3600u   /* suite.seconds=S: at most an hour per module */
/* suite.seconds without suite.calls: the calls a module may make before its time is up (a
 * bound that a cheap module on a fast machine could reach, so the run always ends). */
#define SUITE_SECONDS_MAX_CALLS 100000000u

/* v as a decimal count in 1..max: true with *out set; false for NULL, an empty value, a
 * non-digit, 0, or a value over max (read in 64 bits, so a long number is seen, not
 * wrapped), *out then untouched. */
bool suite_parse_count(const char *v, uint32_t max, uint32_t *out);

#endif
