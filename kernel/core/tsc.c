/* TSC frequency calibration against the timer tick (kernel/core/arch.h), the `clock=` mode, and
 * cycle conversions. Calibration counts TSC cycles across TSC_CAL_TICKS timer periods,
 * starting on a tick edge so no partial period is counted; the PIT's exact period comes from
 * timer_tick_ps(). Runs after arch_timer_init with interrupts on. */
#include "kernel/core/tsc.h"

#include "kernel/core/arch.h"
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"

#define TSC_CAL_TICKS       50          /* 50 ms at TIMER_HZ = 1000 */
#define PS_PER_NS           1000u
#define NS_PER_MS           1000000u
#define NS_PER_S            1000000000ull
#define US_PER_S            1000000ull
/* Polls of the tick counter before giving up on a dead PIT: about 2 s on hardware, tens of
 * seconds in TCG; a working PIT ends the wait within one tick. Polling, not HLT: with the
 * PIT dead nothing else would wake the CPU. */
#define TICK_WAIT_SPINS     0x80000000u

bool tsc_have_lfence;
static uint64_t tsc_freq_hz;
static enum tsc_clock clock_mode;

/* Waits for the tick counter to pass `target` (bounded); false if it never does. */
static bool wait_tick(uint32_t target)
{
    for (uint32_t i = 0; i < TICK_WAIT_SPINS; i++) {
        if ((int32_t)(timer_ticks() - target) >= 0)
            return true;
    }
    return false;
}

void tsc_calibrate(void)
{
    if (!cpu_has(CPU_FEAT_TSC)) {
        kprintf("tsc: CPUID reports no TSC: cycle counts unavailable\n");
        return;
    }
    uint32_t start = timer_ticks() + 1;
    if (!wait_tick(start)) {
        kprintf("tsc: the timer does not tick: TSC not calibrated\n");
        return;
    }
    uint64_t t0 = tsc_read();
    if (!wait_tick(start + TSC_CAL_TICKS)) {
        kprintf("tsc: the timer stopped during calibration: TSC not calibrated\n");
        return;
    }
    uint64_t cycles = tsc_read() - t0;
    uint64_t ns = TSC_CAL_TICKS * timer_tick_ps() / PS_PER_NS;
    tsc_freq_hz = cycles * NS_PER_S / ns;   /* < 2^64 while cycles < 1.8e10 (50 ms) */
    kprintf("tsc: %llu Hz (calibrated against the PIT over %u ms)\n",
            (unsigned long long)tsc_freq_hz, (unsigned)((ns + NS_PER_MS / 2) / NS_PER_MS));
}

uint64_t tsc_hz(void)
{
    return tsc_freq_hz;
}

uint64_t tsc_to_us(uint64_t cycles)
{
    if (!tsc_freq_hz)
        return 0;
    /* Split to avoid overflow: whole seconds, then the remainder. */
    return cycles / tsc_freq_hz * US_PER_S + cycles % tsc_freq_hz * US_PER_S / tsc_freq_hz;
}

enum tsc_clock tsc_clock_mode(void)
{
    return clock_mode;
}

void tsc_set_clock_mode(enum tsc_clock mode)
{
    clock_mode = mode;
}

const char *tsc_clock_name(enum tsc_clock mode)
{
    switch (mode) {
    case TSC_CLOCK_ICOUNT: return "icount";
    case TSC_CLOCK_TCG:    return "tcg";
    case TSC_CLOCK_HW:     return "hw";
    default:               return "unspecified";
    }
}
