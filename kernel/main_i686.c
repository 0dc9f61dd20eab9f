/* kernel_main: the i686 benchmark kernel's C entry, called by entry.asm on the boot stack with
 * interrupts off, .bss zeroed, EAX/EBX from stage2 as arguments. Start-up (kernel/core/startup.h)
 * and the architecture's descriptor tables and guarded stack come first; then the test hook
 * and the stages below, and the exit. */
#include "kernel/acpi/acpi.h"
#include "kernel/bench/cache.h"
#include "kernel/bench/guardtest.h"
#include "kernel/bench/live.h"
#include "kernel/bench/suite.h"
#include "kernel/core/arch.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/core/stages.h"
#include "kernel/core/startup.h"
#include "kernel/lib/array.h"
#include "kernel/mm/memory.h"

/* cpus first: it needs nothing but the BIOS thunk, and never fails the run. */
static const struct stage i686_stages[] = {
    {"cpus", acpi_stage, 0},
    {"heap", memory_stage, 0},
    {"cache", cache_stage, 0},
    {"live", live_stage, 0},
    {"modules", suite_stage, 0},
    {"live-end", live_end_stage, 0},
};

/* test= options the stages run themselves ("guard" runs here, before them). */
static const char *const stage_tests[] = {"bad-modules", "heap", "cpus"};

static bool run_test_hook(void)
{
    if (cmdline_has("test=guard")) {
        kprintf("test: guard\n");
        return guard_selftest();
    }
    return startup_test_option(stage_tests, ARRAY_SIZE(stage_tests));
}

/* The rest of kernel_main, on the guarded kernel stack. */
__attribute__((noreturn)) static void kernel_continue(void)
{
    startup_timers();
    bool ok = run_test_hook();
    stage_pause("the stages");
    ok = run_stages(i686_stages, ARRAY_SIZE(i686_stages)) && ok;
    machine_exit(ok);
}

__attribute__((noreturn)) void kernel_main(uint32_t magic, struct boot_info *bi);

void kernel_main(uint32_t magic, struct boot_info *bi)
{
    startup_begin("i686", magic, bi);
    arch_init_and_continue(kernel_continue);
}
