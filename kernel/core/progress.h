/* Progress of long work (a model file loading): a line on screen updated in place at most
 * PROGRESS_SCREEN_HZ times a second, the same line on serial at most PROGRESS_SERIAL_HZ times
 * a second, and a last line with the total time and rate:
 *     llm: loading /MODELS/MODEL.BIN: 12.0 of 58.0 MiB (20%), 3.1 MiB/s
 *     llm: loaded /MODELS/MODEL.BIN, 60816028 bytes in 18.7 s (3.1 MiB/s)
 * Time comes from the caller (TSC ticks and their rate), so the logic is pure and host-tested;
 * with the rate unknown (0) only the last line is written, without time. Output goes through
 * vga_putc and serial_putc (kernel/core/console.h). */
#ifndef FLUID_KERNEL_PROGRESS_H
#define FLUID_KERNEL_PROGRESS_H

#include <fluid/types.h>

#define PROGRESS_SCREEN_HZ  10
#define PROGRESS_SERIAL_HZ  2
#define PROGRESS_LABEL_MAX  64

struct progress {
    char who[16];                   /* log prefix: "llm" */
    char what[PROGRESS_LABEL_MAX];  /* what is loading: a path */
    uint64_t total;                 /* bytes */
    uint64_t hz;                    /* ticks per second of the clock, 0 if unknown */
    uint64_t start, last_screen, last_serial;
    bool on_screen;                 /* a line is open on the screen */
    size_t screen_len;              /* its length, to blank the rest of a shorter one */
};

void progress_begin(struct progress *p, const char *who, const char *what, uint64_t total,
                    uint64_t now, uint64_t hz);
void progress_update(struct progress *p, uint64_t done, uint64_t now);
void progress_end(struct progress *p, uint64_t done, uint64_t now);

#endif
