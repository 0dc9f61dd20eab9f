/* 8254 PIT channel 0 as the timer of both kernels (contract in pit.h and kernel/core/arch.h):
 * rate generator at TIMER_HZ on IRQ 0, counting ticks for TSC calibration and the fault
 * guard's time budgets. Intel 8254 datasheet (control word, mode 2). The input clock is
 * 1.193182 MHz, so the divisor 1193 gives 1000.15 Hz; timer_tick_ps() reports that exact
 * period. */
#include "kernel/arch/x86/pit.h"

#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/pic.h"
#include "kernel/core/arch.h"

#define PIT_CHANNEL0        0x40
#define PIT_COMMAND         0x43
#define PIT_CMD_CH0_LOHI_MODE2 0x34 /* channel 0, lobyte/hibyte, mode 2, binary */
#define PIT_CMD_CH0_LOHI_MODE3 0x36 /* channel 0, lobyte/hibyte, mode 3 (square wave) */
#define PIT_BIOS_DIVISOR    0       /* 65536: the BIOS's 18.2 Hz */
#define PIT_INPUT_HZ        1193182u
#define PIT_DIVISOR         ((PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ)
#define PS_PER_S            1000000000000ull

_Static_assert(PIT_DIVISOR > 1 && PIT_DIVISOR <= 0xFFFF, "PIT divisor must fit 16 bits");

static volatile uint32_t ticks;

void pit_tick(void)
{
    ticks++;
    pic_eoi(IRQ_TIMER);
}

uint64_t timer_tick_ps(void)
{
    return (uint64_t)PIT_DIVISOR * PS_PER_S / PIT_INPUT_HZ;
}

uint32_t timer_ticks(void)
{
    return ticks;
}

/* A new count restarts the period (8254 mode 2). */
void arch_timer_restart(void)
{
    outb(PIT_COMMAND, PIT_CMD_CH0_LOHI_MODE2);
    outb(PIT_CHANNEL0, PIT_DIVISOR & 0xFF);
    outb(PIT_CHANNEL0, PIT_DIVISOR >> 8);
}

void pit_enter_bios(void)
{
    outb(PIT_COMMAND, PIT_CMD_CH0_LOHI_MODE3);
    outb(PIT_CHANNEL0, PIT_BIOS_DIVISOR & 0xFF);
    outb(PIT_CHANNEL0, PIT_BIOS_DIVISOR >> 8);
}

void arch_timer_init(void)
{
    pic_init();
    arch_timer_restart();
    pic_unmask(IRQ_TIMER);
    __asm__ volatile("sti" : : : "memory");
}

void arch_wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}
