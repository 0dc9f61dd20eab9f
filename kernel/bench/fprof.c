/* Per-function profiler (kernel/bench/fprof.h): a fixed table, no allocation. Registration looks a
 * name up once (by pointer, then by content) and caches the slot id in the caller. */
#include "kernel/bench/fprof.h"

#include <string.h>

uint64_t (*fprof_clock)(void);

static struct fprof_slot slots[FPROF_MAX_FUNCTIONS];
static uint32_t used, dropped;

static bool same_name(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

static int lookup(const char *name)
{
    for (uint32_t i = 0; i < used; i++)
        if (same_name(slots[i].name, name))
            return (int)i;
    if (used == FPROF_MAX_FUNCTIONS)
        return FPROF_FULL;
    slots[used] = (struct fprof_slot){.name = name};
    return (int)used++;
}

void fprof_leave(int *slot, const char *name, uint64_t t0)
{
    uint64_t dt = fprof_clock ? fprof_clock() - t0 : 0;
    if (*slot < 0 || (uint32_t)*slot >= used || !same_name(slots[*slot].name, name))
        *slot = lookup(name);
    if (*slot < 0) {
        dropped++;
        return;
    }
    struct fprof_slot *s = &slots[*slot];
    s->calls++;
    s->cycles += dt;
    if (dt > s->max_cycles)
        s->max_cycles = dt;
}

const struct fprof_slot *fprof_table(uint32_t *count, uint32_t *dropped_calls)
{
    *count = used;
    if (dropped_calls)
        *dropped_calls = dropped;
    return slots;
}

void fprof_reset(void)
{
    used = 0;
    dropped = 0;
}
