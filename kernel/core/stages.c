/* The stage runner (contract in stages.h), shared by both kernels. */
#include "kernel/core/stages.h"

#include "kernel/core/arch.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/core/log.h"

void stage_pause(const char *before)
{
    if (!cmdline_has("interactive"))
        return;
    kprintf("interactive: press a key (keyboard or serial) to run %s\n", before);
    while (console_poll_key() < 0)
        arch_wait_for_interrupt();
}

/* Why s must not run now, or NULL when it may. */
static const char *stage_skip_reason(const struct stage *s, bool all_ok_so_far)
{
    if ((s->flags & STAGE_NEEDS_EARLIER) && !all_ok_so_far)
        return "an earlier stage failed";
    if ((s->flags & STAGE_NOT_IN_TESTS) && cmdline_value("test"))
        return "a test= option is set";
    return NULL;
}

bool run_stages(const struct stage *table, size_t count)
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        const struct stage *s = &table[i];
        const char *skip = stage_skip_reason(s, ok);
        if (skip) {
            kprintf("stage: %s skipped (%s)\n", s->name, skip);
            continue;
        }
        stage_pause(s->name);
        kprintf("stage: %s\n", s->name);
        if (!s->run()) {
            kprintf("stage: %s failed\n", s->name);
            ok = false;
        }
    }
    return ok;
}
