/* i686 bring-up after the console: GDT and TSSs, paging with the stack guard page, IDT, the
 * ring-3 pages for modules, the BIOS thunk below 1 MiB;
 * then the switch from entry.asm's boot stack to the guarded kernel stack. Also the
 * deliberate faults behind the `test=` options. Runs with interrupts off. */
#include "kernel/arch/x86/bios.h"
#include "kernel/core/arch.h"
#include "kernel/bench/usermode.h"
#include "kernel/core/log.h"
#include "kernel/arch/i686/x86.h"
#include "kernel/smp/smp_impl.h"

#define PAGE_BYTES          4096u
#define KERNEL_STACK_BYTES  (64u * 1024u)

/* The first page is the guard (unmapped by paging_init), the stack grows down from the end. */
static uint8_t kernel_stack_area[PAGE_BYTES + KERNEL_STACK_BYTES]
    __attribute__((aligned(PAGE_BYTES)));

uintptr_t arch_stack_guard_page;
uintptr_t arch_stack_top;

void stack_switch_call(void *stack_top, void (*fn)(void));     /* isr.asm, noreturn */

void arch_init_and_continue(void (*cont)(void))
{
    gdt_init(&smp_cpus[0], sizeof smp_cpus[0]);
    uintptr_t guard = (uintptr_t)kernel_stack_area;
    if (paging_init(guard))
        arch_stack_guard_page = guard;
    idt_init();
    usermode_init();
    bios_init();
    kprintf("arch: GDT, TSS (double fault on its own task), IDT with %u exception vectors; "
            "kernel stack %u KiB at 0x%08x\n", EXCEPTION_VECTORS, KERNEL_STACK_BYTES / 1024,
            (unsigned)(guard + PAGE_BYTES));
    arch_stack_top = (uintptr_t)(kernel_stack_area + sizeof kernel_stack_area);
    stack_switch_call(kernel_stack_area + sizeof kernel_stack_area, cont);
    __builtin_unreachable();
}
