/* kprintf and panic (contract in log.h): format with format.c, write through console.c.
 * panic exits QEMU with the failure status (machine.h) or halts on real hardware. */
#include "kernel/core/log.h"

#include "kernel/core/console.h"
#include "kernel/core/format.h"
#include "kernel/core/machine.h"
#include "kernel/smp/smp.h"

/* Polls of a held console lock before it is taken anyway: a few seconds of PAUSE on hardware
 * and under TCG, far longer than any one line takes to print. */
#define LOG_LOCK_SPINS      (1u << 26)
#define LOCK_FREE           0u

static volatile uint32_t lock_holder;   /* cpu_index() + 1 of the holder, LOCK_FREE if none */
static uint32_t lock_depth;             /* the holder's nesting */

static void console_lock(void)
{
    uint32_t me = cpu_index() + 1;
    if (lock_holder == me) {
        lock_depth++;
        return;
    }
    for (uint32_t spins = 0;; spins++) {
        uint32_t expected = LOCK_FREE;
        if (__atomic_compare_exchange_n(&lock_holder, &expected, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            break;
        if (spins == LOG_LOCK_SPINS) {
            __atomic_store_n(&lock_holder, me, __ATOMIC_SEQ_CST);
            break;
        }
        __asm__ volatile("pause");
    }
    lock_depth = 1;
}

static void console_unlock(void)
{
    if (lock_holder != cpu_index() + 1)
        return;                         /* taken from us by a failing CPU */
    if (--lock_depth == 0)
        __atomic_store_n(&lock_holder, LOCK_FREE, __ATOMIC_RELEASE);
}

void log_console_take(void)
{
    __atomic_store_n(&lock_holder, cpu_index() + 1, __ATOMIC_SEQ_CST);
    lock_depth = 1;
}

static void emit_console(char c, void *ctx)
{
    (void)ctx;
    console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    console_lock();
    fmt_vformat(emit_console, NULL, fmt, ap);
    console_unlock();
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    void *caller = __builtin_return_address(0);
    smp_stop_others();
    va_list ap;
    va_start(ap, fmt);
    kprintf("panic: cpu %u: ", cpu_index());
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf(" (called from %p)\n", caller);
    machine_exit(false);
}
