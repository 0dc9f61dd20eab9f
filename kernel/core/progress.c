/* Progress lines (contract in progress.h). Sizes and rates in tenths of a MiB with integer
 * arithmetic: the largest FAT16 file (2^32 bytes) times 10^4 still fits 64 bits. */
#include "kernel/core/progress.h"

#include <string.h>

#include "kernel/core/console.h"
#include "kernel/core/format.h"

#define MIB             (1024u * 1024u)
#define MS_PER_S        1000u
#define LINE_MAX        160

static void copy_label(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void progress_begin(struct progress *p, const char *who, const char *what, uint64_t total,
                    uint64_t now, uint64_t hz)
{
    memset(p, 0, sizeof *p);
    copy_label(p->who, sizeof p->who, who);
    copy_label(p->what, sizeof p->what, what);
    p->total = total;
    p->hz = hz;
    p->start = p->last_screen = p->last_serial = now;
}

static uint64_t elapsed_ms(const struct progress *p, uint64_t now)
{
    return p->hz ? (now - p->start) * MS_PER_S / p->hz : 0;
}

/* "12.3": bytes in MiB with one decimal. */
static void mib(char *buf, size_t cap, uint64_t bytes)
{
    uint64_t tenths = bytes * 10 / MIB;
    fmt_snprintf(buf, cap, "%llu.%llu", (unsigned long long)(tenths / 10),
                 (unsigned long long)(tenths % 10));
}

/* MiB/s with one decimal over ms milliseconds. */
static void rate(char *buf, size_t cap, uint64_t bytes, uint64_t ms)
{
    mib(buf, cap, ms ? bytes * MS_PER_S / ms : 0);
}

static void put(void (*out)(char), const char *s)
{
    while (*s)
        out(*s++);
}

static size_t line(const struct progress *p, uint64_t done, uint64_t now, char *buf)
{
    char have[24], all[24], speed[24];
    mib(have, sizeof have, done);
    mib(all, sizeof all, p->total);
    rate(speed, sizeof speed, done, elapsed_ms(p, now));
    unsigned percent = p->total ? (unsigned)(done * 100 / p->total) : 100;
    return fmt_snprintf(buf, LINE_MAX, "%s: loading %s: %s of %s MiB (%u%%), %s MiB/s", p->who,
                        p->what, have, all, percent, speed);
}

/* True when at least 1/hz_out of a second has passed since *last (then *last = now). */
static bool due(const struct progress *p, uint64_t *last, uint64_t now, unsigned hz_out)
{
    if (!p->hz || now - *last < p->hz / hz_out)
        return false;
    *last = now;
    return true;
}

void progress_update(struct progress *p, uint64_t done, uint64_t now)
{
    char buf[LINE_MAX];
    bool screen = due(p, &p->last_screen, now, PROGRESS_SCREEN_HZ);
    bool serial = due(p, &p->last_serial, now, PROGRESS_SERIAL_HZ);
    if (!screen && !serial)
        return;
    line(p, done, now, buf);
    if (screen) {
        size_t len = strlen(buf);
        vga_putc('\r');
        put(vga_putc, buf);
        for (size_t i = len; i < p->screen_len; i++)     /* blank what a longer line left */
            vga_putc(' ');
        p->screen_len = len;
        p->on_screen = true;
    }
    if (serial) {
        put(serial_putc, buf);
        serial_putc('\n');
    }
}

void progress_end(struct progress *p, uint64_t done, uint64_t now)
{
    char buf[LINE_MAX], speed[24], secs[24];
    uint64_t ms = elapsed_ms(p, now);
    if (p->hz) {
        rate(speed, sizeof speed, done, ms);
        fmt_snprintf(secs, sizeof secs, "%llu.%llu", (unsigned long long)(ms / MS_PER_S),
                     (unsigned long long)(ms % MS_PER_S / 100));
        fmt_snprintf(buf, sizeof buf, "%s: loaded %s, %llu bytes in %s s (%s MiB/s)", p->who,
                     p->what, (unsigned long long)done, secs, speed);
    } else {
        fmt_snprintf(buf, sizeof buf, "%s: loaded %s, %llu bytes", p->who, p->what,
                     (unsigned long long)done);
    }
    size_t len = strlen(buf);
    if (p->on_screen)
        vga_putc('\r');
    put(vga_putc, buf);
    for (size_t i = len; p->on_screen && i < p->screen_len; i++)
        vga_putc(' ');
    vga_putc('\n');
    put(serial_putc, buf);
    serial_putc('\n');
}
