/* BIOS calls for both kernels (contract in kernel/arch/x86/bios.h): copies the kernel's thunk
 * (kernel/arch/i686/realmode_thunk.nasm or kernel/arch/x86_64/realmode_thunk.nasm, embedded
 * by that folder's realmode_blob.asm) below 1 MiB once, then for each call switches the PIC
 * and the PIT to what the BIOS expects, runs the thunk with interrupts off (it enables them
 * only in real mode, around the INT) and switches them back. */
#include "kernel/arch/x86/bios.h"

#include <string.h>

#include "kernel/arch/x86/pic.h"
#include "kernel/arch/x86/pit.h"
#include "kernel/core/arch.h"
#include "kernel/core/log.h"
#include "kernel/smp/smp_arch.h"

extern const uint8_t realmode_thunk_start[], realmode_thunk_end[];   /* realmode_blob.asm */

#define FLAGS_IF (1u << 9)

static bool ready;

/* EFLAGS/RFLAGS, in either kernel. */
static unsigned long save_flags_irq_off(void)
{
    unsigned long flags;
    __asm__ volatile("pushf\n\tpop %0\n\tcli" : "=r"(flags) : : "memory");
    return flags;
}

bool bios_init(void)
{
    size_t len = (size_t)(realmode_thunk_end - realmode_thunk_start);
    if (len > REALMODE_THUNK_MAX) {
        kprintf("bios: thunk of %u bytes does not fit its %u\n", (unsigned)len,
                REALMODE_THUNK_MAX);
        return false;
    }
    memcpy((void *)(uintptr_t)REALMODE_THUNK_ADDR, realmode_thunk_start, len);
    ready = true;
    return true;
}

void *bios_buffer(void)
{
    return (void *)(uintptr_t)BIOS_BUFFER_ADDR;
}

bool bios_available(void)
{
    return ready;
}

bool bios_call(uint8_t vector, struct bios_regs *r)
{
    if (!ready)
        return false;
    struct bios_regs *low = (struct bios_regs *)(uintptr_t)REALMODE_REGS_ADDR;
    void (*thunk)(void) = (void (*)(void))(uintptr_t)REALMODE_THUNK_ADDR;
    unsigned long flags = save_flags_irq_off();
    *low = *r;
    low->vector = vector;
    pic_enter_bios();
    pit_enter_bios();
    thunk();
    smp_arch_restore_cpu_pointer();
    arch_timer_restart();
    pic_leave_bios();
    *r = *low;
    if (flags & FLAGS_IF)
        __asm__ volatile("sti" : : : "memory");
    return true;
}
