/* Time-stamp counter: a serialized read, the calibrated frequency and how to interpret it.
 * tsc_read() is serialized as Intel SDM vol. 2B (RDTSC) recommends: LFENCE before RDTSC where
 * SSE2 exists, else CPUID (a serializing instruction, SDM vol. 3A §9.3; Pentium II has no
 * LFENCE). tsc_hz() is 0 until tsc_calibrate() (kernel/core/tsc.c) has measured the
 * TSC against the PIT; the clock mode comes from the `clock=` option and tells the profiler
 * what a cycle means (QEMU -icount: deterministic instruction count; tcg: host time, noisy;
 * hw: real hardware). Usable from both the 32- and 64-bit kernels. */
#ifndef FLUID_KERNEL_TSC_H
#define FLUID_KERNEL_TSC_H

#include <fluid/types.h>

/* Set once by tsc_calibrate() from CPUID (SSE2 means LFENCE exists). */
extern bool tsc_have_lfence;

/* Reads the TSC after all earlier instructions have completed. Requires CPUID TSC (every
 * CPU Fluid runs on: Pentium and later). */
static inline uint64_t tsc_read(void)
{
    uint32_t lo, hi;
    if (tsc_have_lfence) {
        __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    } else {
        uint32_t a = 0, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    }
    return ((uint64_t)hi << 32) | lo;
}

/* How the profiler should interpret TSC deltas (`clock=icount|tcg|hw`). */
enum tsc_clock {
    TSC_CLOCK_UNSPECIFIED,  /* no clock= option given */
    TSC_CLOCK_ICOUNT,       /* QEMU -icount: cycles follow the guest instruction count */
    TSC_CLOCK_TCG,          /* QEMU TCG without icount: cycles follow host time */
    TSC_CLOCK_HW,           /* real hardware or a hardware-assisted VM */
};

/* Measures the TSC frequency against the PIT (interrupts must be running) and logs
 * "tsc: <hz> Hz (calibrated against the PIT over <ms> ms)". Leaves tsc_hz() at 0 and says so
 * if the CPU has no TSC or the PIT does not tick. */
void tsc_calibrate(void);

/* Calibrated TSC frequency in Hz, 0 if unknown. */
uint64_t tsc_hz(void);

/* TSC delta -> microseconds using tsc_hz(); 0 if the frequency is unknown. */
uint64_t tsc_to_us(uint64_t cycles);

/* Clock mode from the command line; tsc_clock_name() gives "icount", "tcg", "hw" or
 * "unspecified" (for the profile). */
enum tsc_clock tsc_clock_mode(void);
void tsc_set_clock_mode(enum tsc_clock mode);
const char *tsc_clock_name(enum tsc_clock mode);

#endif
