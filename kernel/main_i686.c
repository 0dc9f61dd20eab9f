/* kernel_main: the i686 kernel's C entry, called by entry.asm on the boot stack with
 * interrupts off, .bss zeroed, EAX/EBX from stage2 as arguments. Order: console, banner,
 * options, boot_info validation, CPU, FPU/SSE, E820, GDT/IDT/TSS/paging (then on the guarded
 * stack), PIC/PIT, TSC calibration, the test hook, the stages, and the exit. */
#include "kernel/core/arch.h"
#include "kernel/core/cmdline.h"
#include "kernel/bench/guardtest.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/core/stages.h"
#include "kernel/core/startup.h"
#include "kernel/core/tsc.h"

/* test= options the i686 stages run themselves ("guard" runs here, before them). */
static const char *const stage_tests[] = {"bad-modules", "heap"};

static bool run_test_hook(void)
{
    if (cmdline_has("test=guard")) {
        kprintf("test: guard\n");
        return guard_selftest();
    }
    return startup_test_option(stage_tests, sizeof stage_tests / sizeof stage_tests[0]);
}

/* The rest of kernel_main, on the guarded kernel stack. */
__attribute__((noreturn)) static void kernel_continue(void)
{
    startup_timers();
    bool ok = run_test_hook();
    stage_pause("the stages");
    ok = run_stages() && ok;
    machine_exit(ok);
}

__attribute__((noreturn)) void kernel_main(uint32_t magic, struct boot_info *bi);

void kernel_main(uint32_t magic, struct boot_info *bi)
{
    startup_begin("i686", magic, bi);
    arch_init_and_continue(kernel_continue);
}
