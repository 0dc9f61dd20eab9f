/* Progress lines (kernel/core/progress.c) with a fake clock of 1000 ticks a second and fake
 * screen and serial outputs: the serial line at most PROGRESS_SERIAL_HZ times a second, the
 * screen line in place (\r, blanking a longer predecessor), sizes and rates to a tenth of a
 * MiB, the last line with the time, and no intermediate lines when the clock rate is unknown. */
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/core/console.h"
#include "kernel/core/progress.h"

#define HZ  1000u
#define MIB (1024u * 1024u)

static char screen[4096], serial[4096];
static size_t screen_len, serial_len;

void vga_putc(char c) { if (screen_len + 1 < sizeof screen) screen[screen_len++] = c; }
void serial_putc(char c) { if (serial_len + 1 < sizeof serial) serial[serial_len++] = c; }

static void reset(void)
{
    memset(screen, 0, sizeof screen);
    memset(serial, 0, sizeof serial);
    screen_len = serial_len = 0;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

TEST(serial_lines_are_throttled_and_the_screen_updates_in_place)
{
    struct progress p;
    reset();
    progress_begin(&p, "llm", "/MODELS/M.BIN", 10 * MIB, 0, HZ);
    for (unsigned ms = 50; ms <= 2000; ms += 50)          /* 40 updates over 2 s */
        progress_update(&p, (uint64_t)ms * 5 * MIB / 1000, ms);
    CHECK(lines(serial) == 2 * PROGRESS_SERIAL_HZ, "%d serial lines:\n%s", lines(serial), serial);
    CHECK(strstr(serial, "llm: loading /MODELS/M.BIN: 2.5 of 10.0 MiB (25%), 5.0 MiB/s\n")
          != NULL, "%s", serial);
    CHECK(lines(screen) == 0 && screen[0] == '\r');
    CHECK(strstr(screen, "\rllm: loading /MODELS/M.BIN: 10.0 of 10.0 MiB (100%), 5.0 MiB/s")
          != NULL);
    progress_end(&p, 10 * MIB, 2000);
    CHECK(strstr(serial, "llm: loaded /MODELS/M.BIN, 10485760 bytes in 2.0 s (5.0 MiB/s)\n")
          != NULL, "%s", serial);
    CHECK(lines(screen) == 1);
}

TEST(a_shorter_line_blanks_the_rest_of_the_longer_one)
{
    struct progress p;
    reset();
    progress_begin(&p, "llm", "X", 2000 * MIB, 0, HZ);
    progress_update(&p, 1000 * MIB, 1000);      /* "1000.0 of 2000.0 MiB (50%), 1000.0 MiB/s" */
    size_t first = screen_len;
    progress_update(&p, 1000 * MIB, 100000);    /* the rate drops to "10.0": 3 characters less */
    CHECK(screen_len - first == first, "the second line is as long as the first, padded");
}

TEST(unknown_clock_rate_gives_only_the_last_line)
{
    struct progress p;
    reset();
    progress_begin(&p, "llm", "/A", 3 * MIB, 0, 0);
    progress_update(&p, MIB, 5000);
    progress_end(&p, 3 * MIB, 9000);
    CHECK_STREQ(serial, "llm: loaded /A, 3145728 bytes\n");
}

int main(void)
{
    check_suite = "test_progress";
    RUN(serial_lines_are_throttled_and_the_screen_updates_in_place);
    RUN(a_shorter_line_blanks_the_rest_of_the_longer_one);
    RUN(unknown_clock_rate_gives_only_the_last_line);
    return check_summary();
}
