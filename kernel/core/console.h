/* The kernel console: every character goes to COM1 (when present) and the VGA text screen.
 * console_init() must run first in kernel_main; before it, output is dropped. The drivers
 * behind it live in kernel/arch/x86/serial.c and vga.c. */
#ifndef FLUID_KERNEL_CONSOLE_H
#define FLUID_KERNEL_CONSOLE_H

#include <fluid/types.h>

/* Brings up COM1 (115200 8N1, FIFO; skipped if no UART answers) and clears the screen. */
void console_init(void);

/* Writes one character to both outputs. */
void console_putc(char c);

/* Returns a key pressed on the PS/2 keyboard or received on COM1, or -1 if none is waiting. */
int console_poll_key(void);

/* COM1 16550 driver (serial.c). serial_init returns false if no UART answered. */
bool serial_init(void);
bool serial_present(void);
void serial_putc(char c);
int serial_poll_rx(void);

/* COM2 16550 driver (serial.c), the live line (kernel/bench/live.h). com2_init returns false
 * if no UART answered; the other calls then do nothing. com2_listen raises RTS while the
 * kernel takes bytes; com2_poll_rx returns a byte or -1 at once; com2_write returns false
 * once the line stopped draining (bounded wait per byte), and the port is then given up. */
bool com2_init(void);
bool com2_present(void);
void com2_listen(bool on);
int com2_poll_rx(void);
bool com2_rx_ready(void);       /* a received byte is waiting (LSR data ready); no read */
bool com2_write(const uint8_t *bytes, size_t n);

/* VGA 80x25 colour text console at 0xB8000 (vga.c). */
void vga_init(void);
void vga_putc(char c);

/* PS/2 keyboard controller, polled (keyboard.c): ASCII of a key press, or -1. */
int keyboard_poll(void);

#endif
