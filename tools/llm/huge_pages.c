/* Huge-page buffers for the host tools (contract in huge_pages.h). */
#include "tools/llm/huge_pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

void *huge_pages_alloc(size_t bytes)
{
    if (bytes == 0 || bytes > SIZE_MAX - (HUGE_PAGE_BYTES - 1))
        return NULL;
    size_t rounded = (bytes + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
    void *p = aligned_alloc(HUGE_PAGE_BYTES, rounded);
    /* Advice only: where Linux declines it, the 4 KiB pages work the same. */
    if (p)
        (void)madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}
