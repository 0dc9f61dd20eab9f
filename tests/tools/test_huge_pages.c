/* Host tests of tools/llm/huge_pages.c: a buffer on a 2 MiB boundary, writable to its last
 * byte and freed with free(); sizes whose rounding up to whole huge pages would overflow
 * size_t, and 0, are refused with NULL. Whether Linux backs it with huge pages is its
 * choice (THP may be off) and is not asserted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "tools/llm/huge_pages.h"

TEST(aligned_and_writable)
{
    size_t sizes[] = {1, HUGE_PAGE_BYTES - 1, HUGE_PAGE_BYTES, HUGE_PAGE_BYTES + 1,
                      3 * HUGE_PAGE_BYTES + 12345};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = huge_pages_alloc(sizes[i]);
        CHECK(p != NULL, "%zu bytes", sizes[i]);
        if (!p)
            continue;
        CHECK_EQ_U64((uintptr_t)p % HUGE_PAGE_BYTES, 0);
        memset(p, 0xA5, sizes[i]);
        CHECK(p[sizes[i] - 1] == 0xA5);
        free(p);
    }
}

TEST(refuses_zero_and_overflow)
{
    CHECK(huge_pages_alloc(0) == NULL);
    CHECK(huge_pages_alloc(SIZE_MAX) == NULL);
    CHECK(huge_pages_alloc(SIZE_MAX - HUGE_PAGE_BYTES + 2) == NULL, "rounding wraps");
}

int main(void)
{
    RUN(aligned_and_writable);
    RUN(refuses_zero_and_overflow);
    return check_summary();
}
