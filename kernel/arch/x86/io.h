/* x86 port I/O (IN/OUT, Intel SDM vol. 2A/2B) as static inline asm, shared by the 32- and
 * 64-bit kernels. Only drivers include this; portable parsers never do. */
#ifndef FLUID_KERNEL_IO_H
#define FLUID_KERNEL_IO_H

#include <fluid/types.h>

#define IO_DELAY_PORT   0x80    /* POST diagnostic port: a write takes ~1 us on ISA */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* A short delay for slow ISA devices (the 8259 PIC between initialisation words). */
static inline void io_wait(void)
{
    outb(IO_DELAY_PORT, 0);
}

#endif
