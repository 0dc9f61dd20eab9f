/* Boot stages (contract in stages.h): THE place later work hooks into kernel_main. Add
 * `{"name", function}` to stage_table; each stage logs its own results. */
#include "kernel/core/stages.h"

#include "kernel/core/arch.h"
#include "kernel/bench/cache.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/core/log.h"
#include "kernel/mm/memory.h"
#include "kernel/bench/suite.h"

static const struct stage stage_table[] = {
    {"heap", memory_stage},
    {"cache", cache_stage},
    {"modules", suite_stage},
    {NULL, NULL},
};

void stage_pause(const char *before)
{
    if (!cmdline_has("interactive"))
        return;
    kprintf("interactive: press a key (keyboard or serial) to run %s\n", before);
    while (console_poll_key() < 0)
        arch_wait_for_interrupt();
}

bool run_stages(void)
{
    bool ok = true;
    for (const struct stage *s = stage_table; s->name; s++) {
        stage_pause(s->name);
        kprintf("stage: %s\n", s->name);
        if (!s->run()) {
            kprintf("stage: %s failed\n", s->name);
            ok = false;
        }
    }
    return ok;
}
