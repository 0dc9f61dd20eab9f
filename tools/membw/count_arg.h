/* The command-line count both bandwidth probes take (membw.c, q8bw.c): a decimal from 1 to
 * max, or the program exits with status 1 and a message naming the option and the text. */
#ifndef FLUID_TOOLS_MEMBW_COUNT_ARG_H
#define FLUID_TOOLS_MEMBW_COUNT_ARG_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static inline unsigned long parse_count(const char *prog, const char *what, const char *text,
                                        unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || end == text || v == 0 || v > max) {
        fprintf(stderr, "%s: %s '%s' is not a number from 1 to %lu\n", prog, what, text, max);
        exit(1);
    }
    return v;
}

#endif
