/* Kernel console: fans each character out to the serial port and the VGA screen, and polls
 * both input devices. Callers: kprintf (log.c), the interactive pause in stages.c. */
#include "kernel/core/console.h"

static bool console_ready;

void console_init(void)
{
    vga_init();
    serial_init();
    console_ready = true;
}

void console_putc(char c)
{
    if (!console_ready)
        return;
    serial_putc(c);
    vga_putc(c);
}

int console_poll_key(void)
{
    int c = serial_poll_rx();
    if (c >= 0)
        return c;
    return keyboard_poll();
}
