/* kernel_main: the i686 kernel's C entry, called by entry.asm on the boot stack with
 * interrupts off, .bss zeroed, EAX/EBX from stage2 as arguments. Order: console, banner,
 * options, boot_info validation, CPU, FPU/SSE, E820, GDT/IDT/TSS/paging (then on the guarded
 * stack), PIC/PIT, TSC calibration, the test hook, the stages, and the exit. */
#include "arch.h"
#include "cmdline.h"
#include "guardtest.h"
#include "log.h"
#include "machine.h"
#include "stages.h"
#include "startup.h"
#include "tsc.h"

/* test=<name>: a deliberate failure after init. Returns false if the test did not end the
 * kernel the way it should have (the exception report exits by itself). */
static bool run_test_hook(void)
{
    const char *test = cmdline_value("test");
    if (!test)
        return true;
    kprintf("test: %s\n", test);
    if (cmdline_has("test=guard"))
        return guard_selftest();
    if (cmdline_has("test=bad-modules") || cmdline_has("test=heap"))
        return true;                    /* run by the module suite / the heap stage */
    if (cmdline_has("test=divide-error"))
        arch_test_divide_error();
    else if (cmdline_has("test=stack-overflow"))
        arch_test_stack_overflow();
    else
        kprintf("test: unknown test %s (divide-error, stack-overflow, guard)\n", test);
    kprintf("test: %s did not stop the kernel\n", test);
    return false;
}

/* The rest of kernel_main, on the guarded kernel stack. */
__attribute__((noreturn)) static void kernel_continue(void)
{
    arch_timer_init();
    kprintf("timer: PIC remapped to 0x20-0x2f, PIT at %u Hz\n", TIMER_HZ);
    tsc_calibrate();
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
