/* kernel_main: the x86-64 kernel's C entry, called by entry.asm on its boot stack in long
 * mode with interrupts off, SSE/AVX state enabled, .bss zeroed, EDI/ESI from stage2 as
 * arguments. Order: console, banner, options, boot_info validation, CPU, E820, GDT/IDT/TSS and
 * the stack guard page (then on the guarded stack), PIC/PIT, TSC calibration, the test hook,
 * the stages (heap over all free RAM, then the LLM run), and the exit. */

#include "kernel/core/arch.h"
#include "kernel/core/bootcheck.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/mm/memory.h"
#include "kernel/core/tsc.h"
#include "kernel/core/startup.h"
#include "kernel/llm/stage.h"

static const char *const stage_tests[] = {"heap"};     /* run by the heap stage */

/* The rest of kernel_main, on the guarded kernel stack. The heap stage comes first: the LLM
 * run takes its model, tokenizer and arena from the heap. */
__attribute__((noreturn)) static void kernel_continue(void)
{
    startup_timers();
    bool ok = startup_test_option(stage_tests, sizeof stage_tests / sizeof stage_tests[0]);
    kprintf("stage: heap\n");
    bool heap_ok = memory_stage();
    if (!heap_ok)
        kprintf("stage: heap failed\n");
    ok = ok && heap_ok;
    if (heap_ok && !cmdline_has("test=heap")) {
        kprintf("stage: llm\n");
        if (!llm_stage(kernel_boot_info())) {
            kprintf("stage: llm failed\n");
            ok = false;
        }
    }
    machine_exit(ok);
}

__attribute__((noreturn)) void kernel_main(uint32_t magic, struct boot_info *bi);

void kernel_main(uint32_t magic, struct boot_info *bi)
{
    startup_begin("x86-64", magic, bi);
    arch_init_and_continue(kernel_continue);
}
