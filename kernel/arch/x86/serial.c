/* COM1 16550 UART driver: 115200 8N1 with FIFOs, polled. A missing UART never hangs the
 * kernel: serial_init() checks the scratch register and a loopback round trip first and
 * leaves the port unused if either fails, and every transmit wait is bounded; a port that
 * stops draining is given up. Registers: PC16550D datasheet (National Semiconductor). */
#include "kernel/core/console.h"
#include "kernel/arch/x86/io.h"

#define COM1_BASE       0x3F8
#define UART_THR        0   /* transmit holding (write), DLAB=0 */
#define UART_RBR        0   /* receive buffer (read), DLAB=0 */
#define UART_DLL        0   /* divisor latch low, DLAB=1 */
#define UART_IER        1   /* interrupt enable, DLAB=0 */
#define UART_DLM        1   /* divisor latch high, DLAB=1 */
#define UART_FCR        2   /* FIFO control (write) */
#define UART_LCR        3   /* line control */
#define UART_MCR        4   /* modem control */
#define UART_LSR        5   /* line status */
#define UART_SCR        7   /* scratch */

#define LCR_8N1         0x03    /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB        0x80    /* divisor latch access */
#define FCR_ENABLE_CLEAR 0xC7   /* enable FIFOs, clear both, 14-byte RX trigger */
#define MCR_DTR_RTS_OUT2 0x0B   /* DTR, RTS, OUT2 */
#define MCR_LOOPBACK    0x1E    /* loopback with RTS, OUT1, OUT2 */
#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20

#define UART_CLOCK_HZ   115200  /* 1.8432 MHz / 16 */
#define SERIAL_BAUD     115200
#define SCRATCH_PATTERN 0x5A
#define LOOPBACK_BYTE   0xAE
/* Bounded polls. At 115200 baud a byte takes ~87 us; one IN takes ~1 us on ISA hardware. */
#define TX_SPIN_LIMIT   100000
#define RX_SPIN_LIMIT   1000

static bool serial_ok;

static bool uart_answers(void)
{
    outb(COM1_BASE + UART_SCR, SCRATCH_PATTERN);
    if (inb(COM1_BASE + UART_SCR) != SCRATCH_PATTERN)
        return false;
    outb(COM1_BASE + UART_MCR, MCR_LOOPBACK);
    while (inb(COM1_BASE + UART_LSR) & LSR_DATA_READY)
        (void)inb(COM1_BASE + UART_RBR);    /* bounded by the 16-byte FIFO in practice */
    outb(COM1_BASE + UART_THR, LOOPBACK_BYTE);
    for (int i = 0; i < RX_SPIN_LIMIT; i++) {
        if (inb(COM1_BASE + UART_LSR) & LSR_DATA_READY)
            return inb(COM1_BASE + UART_RBR) == LOOPBACK_BYTE;
    }
    return false;
}

bool serial_init(void)
{
    uint16_t divisor = UART_CLOCK_HZ / SERIAL_BAUD;
    outb(COM1_BASE + UART_IER, 0);          /* polled: no UART interrupts */
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DLL, divisor & 0xFF);
    outb(COM1_BASE + UART_DLM, divisor >> 8);
    outb(COM1_BASE + UART_LCR, LCR_8N1);
    outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
    serial_ok = uart_answers();
    outb(COM1_BASE + UART_MCR, MCR_DTR_RTS_OUT2);
    return serial_ok;
}

bool serial_present(void)
{
    return serial_ok;
}

static void serial_write_raw(uint8_t b)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY) {
            outb(COM1_BASE + UART_THR, b);
            return;
        }
    }
    serial_ok = false;      /* the port stopped draining: stop waiting on it */
}

void serial_putc(char c)
{
    if (serial_ok)
        serial_write_raw((uint8_t)c);
}

int serial_poll_rx(void)
{
    if (!serial_ok || !(inb(COM1_BASE + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(COM1_BASE + UART_RBR);
}
