/* PS/2 keyboard, polled through the 8042 controller (no IRQ 1): enough to wait for a key in
 * interactive mode. Scan code set 1 as the 8042 translates it by default (IBM PC/AT
 * technical reference); a make code maps to ASCII, anything unmapped to KBD_UNMAPPED. */
#include "kernel/core/console.h"
#include "kernel/arch/x86/io.h"

#define I8042_DATA          0x60
#define I8042_STATUS        0x64
#define I8042_STATUS_OBF    0x01    /* output buffer full: a byte waits at I8042_DATA */
#define I8042_STATUS_AUX    0x20    /* ... and it came from the mouse port */
#define SCANCODE_RELEASE    0x80    /* set 1: break code = make code | 0x80 */
#define SCANCODE_EXTENDED   0xE0
#define KBD_UNMAPPED        '?'

/* Set 1 make codes 0x00..0x39 -> ASCII (0 = unmapped). */
static const char scancode_ascii[] = {
    0,   27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
    'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0,  'a', 's',
    'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,  '\\', 'z', 'x', 'c', 'v',
    'b', 'n', 'm', ',', '.', '/', 0,   '*', 0,   ' ',
};

int keyboard_poll(void)
{
    uint8_t status = inb(I8042_STATUS);
    if (!(status & I8042_STATUS_OBF))
        return -1;
    uint8_t code = inb(I8042_DATA);
    if ((status & I8042_STATUS_AUX) || code == SCANCODE_EXTENDED || (code & SCANCODE_RELEASE))
        return -1;
    if (code < sizeof scancode_ascii && scancode_ascii[code])
        return scancode_ascii[code];
    return KBD_UNMAPPED;
}
