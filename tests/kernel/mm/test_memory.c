/* memory_heap_ranges (kernel/mm/memory.c): which RAM the heap gets from an E820 map. */
#include "tests/lib/check.h"

#include "kernel/mm/memory.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

static struct boot_info bi;

static void map(const struct e820_entry *entries, uint32_t n)
{
    memset(&bi, 0, sizeof bi);
    memcpy(bi.e820, entries, n * sizeof *entries);
    bi.e820_count = n;
}

/* The number of ranges, or -1 for MEMORY_E_TOO_MANY_RANGES. */
static int ranges(uint64_t kstart, uint64_t kend, uint64_t limit, struct mem_range *out, int cap)
{
    int n = -2;
    enum memory_err err = memory_heap_ranges(&bi, kstart, kend, limit, out, cap, &n);
    if (err == MEMORY_E_TOO_MANY_RANGES)
        return n == 0 ? -1 : -2;
    return err == MEMORY_OK ? n : -2;
}

/* QEMU -m 32M's map, kernel at 1 MiB..1.5 MiB, stage2's RAM copy at 2..6 MiB. */
TEST(qemu_map_minus_kernel_and_ramdisk)
{
    const struct e820_entry m[] = {
        {0, 0x9fc00, 1, 1}, {0x9fc00, 0x400, 2, 1}, {0xf0000, 0x10000, 2, 1},
        {0x100000, 0x1ee0000, 1, 1}, {0x1fe0000, 0x20000, 2, 1}, {0xfffc0000, 0x40000, 2, 1},
    };
    map(m, 6);
    bi.ramdisk_addr = 2 * MiB;
    bi.ramdisk_size = 4 * MiB;
    struct mem_range r[8];
    int n = ranges(MiB, MiB + MiB / 2, 1ull << 32, r, 8);
    REQUIRE(n == 2, "n=%d", n);
    CHECK_EQ_U64(r[0].base, MiB + MiB / 2);
    CHECK_EQ_U64(r[0].end, 2 * MiB);
    CHECK_EQ_U64(r[1].base, 6 * MiB);
    CHECK_EQ_U64(r[1].end, 0x1fe0000);
}

TEST(low_memory_is_never_given)
{
    const struct e820_entry m[] = {{0, 0x9fc00, 1, 1}};
    map(m, 1);
    struct mem_range r[4];
    CHECK(ranges(0, 0, 1ull << 32, r, 4) == 0);
}

TEST(reserved_overlap_wins_in_any_order)
{
    const struct e820_entry m[] = {
        {16 * MiB, 16 * MiB, 2, 1},             /* reserved listed first */
        {MiB, 63 * MiB, 1, 1},
    };
    map(m, 2);
    struct mem_range r[4];
    int n = ranges(0, 0, 1ull << 32, r, 4);
    REQUIRE(n == 2, "n=%d", n);
    CHECK_EQ_U64(r[0].end, 16 * MiB);
    CHECK_EQ_U64(r[1].base, 32 * MiB);
    CHECK_EQ_U64(r[1].end, 64 * MiB);
}

TEST(overlapping_and_touching_usable_entries_merge)
{
    const struct e820_entry m[] = {
        {MiB, 8 * MiB, 1, 1}, {4 * MiB, 8 * MiB, 1, 1}, {12 * MiB, 4 * MiB, 1, 1},
    };
    map(m, 3);
    struct mem_range r[4];
    int n = ranges(0, 0, 1ull << 32, r, 4);
    REQUIRE(n == 1, "n=%d", n);
    CHECK_EQ_U64(r[0].base, MiB);
    CHECK_EQ_U64(r[0].end, 16 * MiB);
}

TEST(ranges_clipped_to_the_address_limit)
{
    const struct e820_entry m[] = {
        {MiB, 3 * GiB, 1, 1}, {4 * GiB, 4 * GiB, 1, 1}, {~0ull - MiB, 2 * MiB, 1, 1},
    };
    map(m, 3);
    struct mem_range r[4];
    int n = ranges(0, 0, 1ull << 32, r, 4);
    REQUIRE(n == 1, "n=%d", n);
    CHECK_EQ_U64(r[0].end, 3 * GiB + MiB);
    n = ranges(0, 0, 64 * GiB, r, 4);
    REQUIRE(n == 2, "n=%d (4-8 GiB kept, the entry near 2^64 dropped)", n);
    CHECK_EQ_U64(r[1].base, 4 * GiB);
    CHECK_EQ_U64(r[1].end, 8 * GiB);
}

TEST(zero_length_entries_ignored)
{
    const struct e820_entry m[] = {{MiB, 0, 1, 1}, {2 * MiB, MiB, 1, 1}, {2 * MiB, 0, 2, 1}};
    map(m, 3);
    struct mem_range r[4];
    int n = ranges(0, 0, 1ull << 32, r, 4);
    REQUIRE(n == 1, "n=%d", n);
    CHECK_EQ_U64(r[0].base, 2 * MiB);
}

TEST(too_many_fragments_refused_not_cut)
{
    struct e820_entry m[E820_MAX_ENTRIES];
    uint32_t n = 0;
    m[n++] = (struct e820_entry){MiB, GiB, 1, 1};
    while (n < E820_MAX_ENTRIES) {                  /* reserved holes split it up */
        m[n] = (struct e820_entry){MiB + n * 2 * MiB, MiB / 2, 2, 1};
        n++;
    }
    map(m, n);
    struct mem_range r[MEMORY_MAX_RANGES];
    CHECK(ranges(0, 0, 1ull << 32, r, 8) == -1);
    CHECK(ranges(0, 0, 1ull << 32, r, MEMORY_MAX_RANGES) == (int)E820_MAX_ENTRIES);
    CHECK_STREQ(memory_strerror(MEMORY_E_TOO_MANY_RANGES), "too many free ranges");
    CHECK_STREQ(memory_strerror((enum memory_err)99), "unknown memory error");
}

TEST(result_is_sorted_and_disjoint)
{
    const struct e820_entry m[] = {
        {40 * MiB, 8 * MiB, 1, 1}, {MiB, 8 * MiB, 1, 1}, {20 * MiB, 8 * MiB, 1, 1},
        {22 * MiB, MiB, 4, 1},
    };
    map(m, 4);
    struct mem_range r[8];
    int n = ranges(3 * MiB, 4 * MiB, 1ull << 32, r, 8);
    REQUIRE(n == 5, "n=%d", n);
    for (int i = 0; i < n; i++) {
        CHECK(r[i].base < r[i].end, "range %d empty", i);
        if (i)
            CHECK(r[i - 1].end < r[i].base, "ranges %d and %d touch or overlap", i - 1, i);
    }
}

int main(void)
{
    check_suite = "memory";
    RUN(qemu_map_minus_kernel_and_ramdisk);
    RUN(low_memory_is_never_given);
    RUN(reserved_overlap_wins_in_any_order);
    RUN(overlapping_and_touching_usable_entries_merge);
    RUN(ranges_clipped_to_the_address_limit);
    RUN(zero_length_entries_ignored);
    RUN(too_many_fragments_refused_not_cut);
    RUN(result_is_sorted_and_disjoint);
    return check_summary();
}
