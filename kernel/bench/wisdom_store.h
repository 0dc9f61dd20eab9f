/* Wisdom on the boot volume (docs/adaptive.md, "Wisdom"): the planner's decisions of an
 * earlier boot read from WISDOM_PATH before the modules run, applied to each module run
 * through its dispatch slot (a hit starts the slot on the chosen candidate and the planner
 * does not measure that module), and this boot's decisions written back in place after the
 * suite. The file format is kernel/bench/wisdom.h (pure); this unit is its I/O through the
 * FAT16 volume holding WISDOM_DIR, and what the log says. Kernel only; not reentrant (the
 * suite's thread). */
#ifndef FLUID_KERNEL_WISDOM_STORE_H
#define FLUID_KERNEL_WISDOM_STORE_H

#include <fluid/bootinfo.h>
#include <fluid/types.h>

#include "kernel/bench/suite_adapt.h"

/* Reads WISDOM_PATH (logged: none yet, ignored with the reason, another CPU, or the count of
 * modules). features: the FLUID_FEAT_* bits modules may use on this CPU. */
void wisdom_store_load(const struct boot_info *bi, uint32_t features);

/* Sets ad->wisdom (hit, miss, invalidated, off) and, on a hit, the candidate to start on;
 * ad's candidates must all be offered. */
void wisdom_store_apply(const char *name, struct suite_adaptive *ad,
                        const struct planner_config *cfg);

/* Records an adaptive module's decision for the next boot. */
void wisdom_store_note(const char *name, const struct suite_adaptive *ad);

/* Writes the decisions (and this CPU's entries of modules that did not run) in place,
 * unless wisdom.write=0 or there is nothing to write; logged either way. */
void wisdom_store_save(const struct boot_info *bi, uint32_t features);

/* "wisdom: N hits, N misses, N invalidated", when any module looked its entry up. */
void wisdom_store_log_counts(void);

#endif
