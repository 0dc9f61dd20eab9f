/* Host tests of the module images' pages (kernel/bench/image_arena.c): sizes to pages, first
 * fit, freeing from the middle and reusing the hole, a run that does not fit the hole going
 * past it, the region full, and every bad free refused with nothing changed. */
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/image_arena.h"

#define PAGES 8

static uint8_t region[PAGES * IMAGE_ARENA_PAGE] __attribute__((aligned(IMAGE_ARENA_PAGE)));
static uint8_t map[PAGES];

static uint32_t page_of(const void *p)
{
    return (uint32_t)(((const uint8_t *)p - region) / IMAGE_ARENA_PAGE);
}

TEST(sizes_to_pages)
{
    CHECK_EQ_U64(image_arena_pages_for(0), 1);
    CHECK_EQ_U64(image_arena_pages_for(1), 1);
    CHECK_EQ_U64(image_arena_pages_for(IMAGE_ARENA_PAGE), 1);
    CHECK_EQ_U64(image_arena_pages_for(IMAGE_ARENA_PAGE + 1), 2);
    CHECK_EQ_U64(image_arena_pages_for(UINT64_MAX), UINT64_MAX / IMAGE_ARENA_PAGE + 1);
}

TEST(first_fit_and_a_hole_reused)
{
    struct image_arena a;
    image_arena_init(&a, region, PAGES, map);
    void *x = image_arena_alloc(&a, 100);
    void *y = image_arena_alloc(&a, 2 * IMAGE_ARENA_PAGE);
    void *z = image_arena_alloc(&a, 1);
    REQUIRE(x && y && z);
    CHECK_EQ_U64(page_of(x), 0);
    CHECK_EQ_U64(page_of(y), 1);
    CHECK_EQ_U64(page_of(z), 3);
    CHECK_EQ_U64(a.in_use, 4);
    /* y leaves from the middle, x and z stay: its two pages serve the next image that fits */
    CHECK(image_arena_free(&a, y, 2 * IMAGE_ARENA_PAGE) == IMAGE_ARENA_OK);
    CHECK_EQ_U64(a.in_use, 2);
    void *big = image_arena_alloc(&a, 3 * IMAGE_ARENA_PAGE);
    REQUIRE(big);
    CHECK_EQ_U64(page_of(big), 4);                      /* three pages do not fit the hole */
    void *small = image_arena_alloc(&a, IMAGE_ARENA_PAGE + 1);
    REQUIRE(small);
    CHECK_EQ_U64(page_of(small), 1);                    /* two do */
    CHECK(image_arena_alloc(&a, 2 * IMAGE_ARENA_PAGE) == NULL);     /* one page left */
    CHECK(image_arena_alloc(&a, 1) != NULL);
    CHECK(image_arena_alloc(&a, 1) == NULL);            /* full */
    CHECK(image_arena_alloc(&a, (uint64_t)PAGES * IMAGE_ARENA_PAGE + 1) == NULL);
}

TEST(bad_frees_change_nothing)
{
    struct image_arena a;
    image_arena_init(&a, region, PAGES, map);
    uint8_t *x = image_arena_alloc(&a, IMAGE_ARENA_PAGE);
    REQUIRE(x);
    uint8_t before[PAGES];
    memcpy(before, map, sizeof before);
    CHECK(image_arena_free(&a, x + 1, 1) == IMAGE_ARENA_E_UNALIGNED);
    CHECK(image_arena_free(&a, region + sizeof region, 1) == IMAGE_ARENA_E_OUTSIDE);
    CHECK(image_arena_free(&a, (void *)((uintptr_t)region - IMAGE_ARENA_PAGE), 1) ==
          IMAGE_ARENA_E_OUTSIDE);
    CHECK(image_arena_free(&a, x, 2 * IMAGE_ARENA_PAGE) == IMAGE_ARENA_E_NOT_IN_USE);
    CHECK(image_arena_free(&a, region + 7 * IMAGE_ARENA_PAGE, 2 * IMAGE_ARENA_PAGE) ==
          IMAGE_ARENA_E_SIZE);
    CHECK(memcmp(before, map, sizeof before) == 0);
    CHECK_EQ_U64(a.in_use, 1);
    CHECK(image_arena_free(&a, x, IMAGE_ARENA_PAGE) == IMAGE_ARENA_OK);
    CHECK(image_arena_free(&a, x, IMAGE_ARENA_PAGE) == IMAGE_ARENA_E_NOT_IN_USE);  /* twice */
    CHECK_STREQ(image_arena_strerror(IMAGE_ARENA_E_NOT_IN_USE), "pages not in use");
    CHECK_STREQ(image_arena_strerror((enum image_arena_err)99), "unknown image arena error");
}

int main(void)
{
    check_suite = "test_image_arena";
    RUN(sizes_to_pages);
    RUN(first_fit_and_a_hole_reused);
    RUN(bad_frees_change_nothing);
    return check_summary();
}
