/* x86-64 bring-up after the console: GDT with the IST stacks, the stack guard page, the IDT,
 * the BIOS thunk below 1 MiB;
 * then the switch from entry.asm's boot stack to the guarded kernel stack. Also the
 * deliberate faults behind the `test=` options. Runs with interrupts off. */
#include "kernel/arch/x86/bios.h"
#include "kernel/core/arch.h"
#include "kernel/core/log.h"
#include "kernel/arch/x86_64/x86_64.h"

#define PAGE_BYTES          4096u
#define KERNEL_STACK_BYTES  (256u * 1024u)  /* llm_forward and fat16 keep little on it */

/* The first page is the guard (unmapped by paging_guard_page), the stack grows down from
 * the end. */
static uint8_t kernel_stack_area[PAGE_BYTES + KERNEL_STACK_BYTES]
    __attribute__((aligned(PAGE_BYTES)));

uintptr_t arch_stack_guard_page;
uintptr_t arch_stack_top;

void stack_switch_call(void *stack_top, void (*fn)(void));     /* isr.asm, noreturn */

void arch_init_and_continue(void (*cont)(void))
{
    gdt_init();
    smp_arch_early_boot_cpu();
    uintptr_t guard = (uintptr_t)kernel_stack_area;
    if (paging_guard_page(guard))
        arch_stack_guard_page = guard;
    else
        kprintf("arch: page tables not as stage2 builds them: no stack guard page\n");
    idt_init();
    bios_init();
    kprintf("arch: GDT, TSS (IST stacks for #DF, NMI and #MC), IDT with %u exception vectors; "
            "kernel stack %u KiB at 0x%08llx, guard page 0x%08llx\n", EXCEPTION_VECTORS,
            KERNEL_STACK_BYTES / 1024, (unsigned long long)(guard + PAGE_BYTES),
            (unsigned long long)arch_stack_guard_page);
    arch_stack_top = (uintptr_t)(kernel_stack_area + sizeof kernel_stack_area);
    stack_switch_call(kernel_stack_area + sizeof kernel_stack_area, cont);
    __builtin_unreachable();
}
