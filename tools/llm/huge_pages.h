/* Large host buffers (a model's weights in llm_cli, the bandwidth probes' buffers in membw and
 * q8bw) on 2 MiB boundaries and marked for Linux's transparent huge pages (madvise
 * MADV_HUGEPAGE), so they are read through 2 MiB pages as the x86-64 kernel reads RAM (stage2
 * maps it with 2 MiB or 1 GiB pages) and a streaming read is not slowed by a TLB miss every
 * 4 KiB. Linux may still give 4 KiB pages (THP set to never, or no free 2 MiB frames): the
 * buffer works the same, only slower to read. */
#ifndef FLUID_TOOLS_LLM_HUGE_PAGES_H
#define FLUID_TOOLS_LLM_HUGE_PAGES_H

#include <stddef.h>

#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/* At least `bytes` bytes (rounded up to whole huge pages), aligned to HUGE_PAGE_BYTES;
 * release with free(). NULL when bytes is 0, when the rounding would overflow size_t, or
 * when there is no memory. */
void *huge_pages_alloc(size_t bytes);

#endif
