/* The 16550 UART drivers: COM1 (the console) and COM2 (the live line, kernel/bench/live.h),
 * 115200 8N1 with FIFOs, polled. A missing UART never hangs the kernel: each init checks the
 * scratch register and a loopback round trip first and leaves the port unused if either
 * fails, and every transmit wait is bounded; a port that stops draining is given up.
 * Registers: PC16550D datasheet (National Semiconductor), "Register Summary" table. */
#include "kernel/core/console.h"
#include "kernel/arch/x86/io.h"

#define COM1_BASE       0x3F8
#define COM2_BASE       0x2F8   /* the second ISA serial port, IRQ3 (unused: polled) */
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
#define MCR_DTR_OUT2    0x09    /* DTR, OUT2; RTS off: "do not send" to a host using RTS/CTS */
#define MCR_LOOPBACK    0x1E    /* loopback with RTS, OUT1, OUT2 */
#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20

#define UART_CLOCK_HZ   115200  /* 1.8432 MHz / 16 */
#define SERIAL_BAUD     115200
#define SCRATCH_PATTERN 0x5A
#define LOOPBACK_BYTE   0xAE
/* Bounded polls. At 115200 baud a byte takes ~87 us; one IN takes ~1 us on ISA hardware but
 * only a few instructions under an emulator, where the UART still takes the byte's time on its
 * own virtual clock: Bochs at 50 M instructions/s needs ~900 reads for the loopback byte. So
 * the loopback wait has the transmit wait's bound (a byte each way takes the same time); it
 * costs time only on a UART that keeps the scratch value but never loops back. */
#define TX_SPIN_LIMIT   100000
#define LOOPBACK_SPIN_LIMIT TX_SPIN_LIMIT
#define COM2_BACKOFF_PAUSES 64  /* PAUSE instructions between two reads of a busy COM2 LSR */

static bool serial_ok;

static bool uart_answers(uint16_t base)
{
    outb(base + UART_SCR, SCRATCH_PATTERN);
    if (inb(base + UART_SCR) != SCRATCH_PATTERN)
        return false;
    outb(base + UART_MCR, MCR_LOOPBACK);
    while (inb(base + UART_LSR) & LSR_DATA_READY)
        (void)inb(base + UART_RBR);         /* bounded by the 16-byte FIFO in practice */
    outb(base + UART_THR, LOOPBACK_BYTE);
    for (int i = 0; i < LOOPBACK_SPIN_LIMIT; i++) {
        if (inb(base + UART_LSR) & LSR_DATA_READY)
            return inb(base + UART_RBR) == LOOPBACK_BYTE;
    }
    return false;
}

/* 115200 8N1, FIFOs on and cleared, no UART interrupts; true if the UART answered. */
static bool uart_setup(uint16_t base)
{
    uint16_t divisor = UART_CLOCK_HZ / SERIAL_BAUD;
    outb(base + UART_IER, 0);               /* polled: no UART interrupts */
    outb(base + UART_LCR, LCR_DLAB);
    outb(base + UART_DLL, divisor & 0xFF);
    outb(base + UART_DLM, divisor >> 8);
    outb(base + UART_LCR, LCR_8N1);
    outb(base + UART_FCR, FCR_ENABLE_CLEAR);
    return uart_answers(base);
}

bool serial_init(void)
{
    serial_ok = uart_setup(COM1_BASE);
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

/* COM2, the live line. Received bytes are taken only while the kernel listens
 * (com2_listen(true)): outside it RTS is off, so a host with RTS/CTS flow control holds its
 * bytes instead of overrunning the 16-byte receive FIFO while a module runs. */
static bool com2_ok;

bool com2_init(void)
{
    com2_ok = uart_setup(COM2_BASE);
    outb(COM2_BASE + UART_MCR, MCR_DTR_OUT2);
    return com2_ok;
}

bool com2_present(void)
{
    return com2_ok;
}

void com2_listen(bool on)
{
    if (com2_ok)
        outb(COM2_BASE + UART_MCR, on ? MCR_DTR_RTS_OUT2 : MCR_DTR_OUT2);
}

bool com2_rx_ready(void)
{
    return com2_ok && (inb(COM2_BASE + UART_LSR) & LSR_DATA_READY);
}

int com2_poll_rx(void)
{
    if (!com2_ok || !(inb(COM2_BASE + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(COM2_BASE + UART_RBR);
}

/* Between two reads of a busy LSR: under QEMU every port read takes the emulator's global
 * lock, and a loop of nothing but reads keeps its I/O thread from moving the bytes along. */
static void com2_backoff(void)
{
    for (int i = 0; i < COM2_BACKOFF_PAUSES; i++)
        __asm__ volatile("pause");
}

bool com2_write(const uint8_t *bytes, size_t n)
{
    for (size_t k = 0; k < n && com2_ok; k++) {
        int i = 0;
        while (i < TX_SPIN_LIMIT && !(inb(COM2_BASE + UART_LSR) & LSR_THR_EMPTY)) {
            com2_backoff();
            i++;
        }
        if (i == TX_SPIN_LIMIT)
            com2_ok = false;    /* the line stopped draining: stop waiting on it */
        else
            outb(COM2_BASE + UART_THR, bytes[k]);
    }
    return com2_ok;
}
