/* The x86-64 kernel's timer: the 8254 PIT channel 0 at TIMER_HZ (kernel/core/arch.h) on IRQ 0
 * through the shared PIC driver, counting ticks for TSC calibration (kernel/core/tsc.c). Intel
 * 8254 datasheet (control word, mode 2): the 1.193182 MHz input divided by 1193 gives
 * 1000.15 Hz; timer_tick_ps() reports that exact period. */
#include "kernel/core/arch.h"
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86_64/x86_64.h"

#define PIT_CHANNEL0        0x40
#define PIT_COMMAND         0x43
#define PIT_CMD_CH0_LOHI_MODE2 0x34 /* channel 0, lobyte/hibyte, mode 2, binary */
#define PIT_INPUT_HZ        1193182u
#define PIT_DIVISOR         ((PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ)
#define PS_PER_S            1000000000000ull
#define IRQ_TIMER           0

_Static_assert(PIT_DIVISOR > 1 && PIT_DIVISOR <= 0xFFFF, "PIT divisor must fit 16 bits");

static volatile uint32_t ticks;

void timer_irq(void)
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

void arch_timer_init(void)
{
    pic_init();
    arch_timer_restart();
    pic_unmask(IRQ_TIMER);
    irq_enable();
}

void arch_wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}
