/* kernel_main: the x86-64 kernel's C entry, called by entry.asm on its boot stack in long
 * mode with interrupts off, SSE/AVX state enabled, .bss zeroed, EDI/ESI from stage2 as
 * arguments. Start-up (kernel/core/startup.h) and the architecture's descriptor tables and
 * guarded stack come first; then the test hook, the stages below, and the exit. */
#include "kernel/acpi/acpi.h"
#include "kernel/core/arch.h"
#include "kernel/core/machine.h"
#include "kernel/core/stages.h"
#include "kernel/core/startup.h"
#include "kernel/lib/array.h"
#include "kernel/llm/stage.h"
#include "kernel/mm/memory.h"

/* cpus first: it needs nothing but the BIOS thunk, and never fails the run. The heap comes
 * before the LLM run, which takes its model, tokenizer and arena from it. test=heap is the
 * heap stage's self-test and test=cpus the CPU count alone; both stop before the LLM run. */
static const struct stage x86_64_stages[] = {
    {"cpus", acpi_stage, 0},
    {"heap", memory_stage, 0},
    {"llm", llm_stage, STAGE_NEEDS_EARLIER | STAGE_NOT_IN_TESTS},
};

static const char *const stage_tests[] = {"heap", "cpus"};     /* run by those stages */

/* The rest of kernel_main, on the guarded kernel stack. */
__attribute__((noreturn)) static void kernel_continue(void)
{
    startup_timers();
    bool ok = startup_test_option(stage_tests, ARRAY_SIZE(stage_tests));
    ok = run_stages(x86_64_stages, ARRAY_SIZE(x86_64_stages)) && ok;
    machine_exit(ok);
}

__attribute__((noreturn)) void kernel_main(uint32_t magic, struct boot_info *bi);

void kernel_main(uint32_t magic, struct boot_info *bi)
{
    startup_begin("x86-64", magic, bi);
    arch_init_and_continue(kernel_continue);
}
