/* BIOS calls on x86-64 (contract in kernel/arch/x86/bios.h): not available yet. Reaching real
 * mode from long mode needs a way down through compatibility mode and back up, which this
 * kernel does not have; its disks are the ATA ones and stage2's RAM copy. */
#include "kernel/arch/x86/bios.h"

#include "kernel/core/log.h"

bool bios_init(void)
{
    kprintf("bios: the x86-64 kernel does not call the BIOS (no long-mode thunk)\n");
    return false;
}

bool bios_available(void)
{
    return false;
}

bool bios_call(uint8_t vector, struct bios_regs *r)
{
    (void)vector, (void)r;
    return false;
}

void *bios_buffer(void)
{
    return (void *)(uintptr_t)BIOS_BUFFER_ADDR;
}
