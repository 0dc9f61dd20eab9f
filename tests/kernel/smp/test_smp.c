/* Host tests of the pure parts of kernel/smp and of the kernel's SMP worker pool:
 *   - ap_sipi_vector: the STARTUP vector of every 4 KiB page below 1 MiB, and the refusals
 *     (unaligned, page 0, 1 MiB and above, the reserved vectors 0xA0-0xBF);
 *   - ap_page_usable against E820 maps: inside usable RAM, straddling, reserved overlap,
 *     wrap-around, zero length;
 *   - ap_parse_u32 (the numbers of smp=N and test.smp_withhold=ID);
 *   - struct ap_boot_params: the offsets the trampolines read (boot/asm-offsets.c);
 *   - kernel/llm/pool_smp.c over a fake smp_run_on_all that runs every CPU's share in turn:
 *     every item done exactly once, by a started CPU (the pool deals chunks out, so the
 *     CPU that runs first takes over the ranges of those that have not started; the
 *     chunking itself is tested in tests/kernel/llm/test_llm.c). */
#include <stddef.h>

#include "kernel/llm/pool_smp.h"
#include "kernel/smp/ap_boot.h"
#include "kernel/smp/smp.h"
#include "tests/lib/check.h"

/* ---- the fake CPUs the pool runs on ---- */
static uint32_t fake_cpus = 1, fake_current;

uint32_t cpu_index(void)
{
    return fake_current;
}

uint32_t cpu_count_started(void)
{
    return fake_cpus;
}

/* Every CPU's share, the last first (the order must not matter). */
void smp_run_on_all(void (*fn)(void *), void *arg)
{
    for (uint32_t i = fake_cpus; i-- > 0;) {
        fake_current = i;
        fn(arg);
    }
    fake_current = 0;
}

TEST(sipi_vector_of_every_page)
{
    for (uint64_t addr = AP_SIPI_PAGE_BYTES; addr < AP_SIPI_REACH; addr += AP_SIPI_PAGE_BYTES) {
        int v = ap_sipi_vector(addr);
        uint64_t want = addr >> 12;
        if (want >= AP_SIPI_RESERVED_FIRST && want <= AP_SIPI_RESERVED_LAST)
            CHECK(v == -1, "0x%llx gives %d", (unsigned long long)addr, v);
        else
            CHECK(v == (int)want, "0x%llx gives %d", (unsigned long long)addr, v);
    }
    CHECK(ap_sipi_vector(AP_TRAMPOLINE_ADDR) == 0x08);
}

TEST(sipi_vector_refusals)
{
    CHECK(ap_sipi_vector(0) == -1, "page 0 holds the IVT");
    CHECK(ap_sipi_vector(0x8001) == -1);
    CHECK(ap_sipi_vector(0x8800) == -1);
    CHECK(ap_sipi_vector(AP_SIPI_REACH) == -1);
    CHECK(ap_sipi_vector(0x100000000ull + 0x8000) == -1, "no truncation to 32 bits");
    CHECK(ap_sipi_vector(0xA0000) == -1);
    CHECK(ap_sipi_vector(0xBF000) == -1);
    CHECK(ap_sipi_vector(0x9F000) == 0x9F);
    CHECK(ap_sipi_vector(0xC0000) == 0xC0);
}

static const struct e820_entry qemu_map[] = {
    {0x0, 0x9FC00, E820_TYPE_USABLE, 1},
    {0x9FC00, 0x400, E820_TYPE_RESERVED, 1},
    {0xF0000, 0x10000, E820_TYPE_RESERVED, 1},
    {0x100000, 0x1FEE0000, E820_TYPE_USABLE, 1},
};

TEST(page_usable_in_qemu_map)
{
    CHECK(ap_page_usable(qemu_map, 4, 0x8000, 0x1000));
    CHECK(ap_page_usable(qemu_map, 4, 0x9E000, 0x1000));
    CHECK(!ap_page_usable(qemu_map, 4, 0x9F000, 0x1000), "runs into the EBDA");
    CHECK(!ap_page_usable(qemu_map, 4, 0xF0000, 0x1000), "the BIOS area");
    CHECK(!ap_page_usable(qemu_map, 4, 0xA0000, 0x1000), "in no entry");
    CHECK(!ap_page_usable(qemu_map, 4, 0x8000, 0), "zero length");
    CHECK(!ap_page_usable(qemu_map, 0, 0x8000, 0x1000), "no map");
    CHECK(!ap_page_usable(qemu_map, 4, UINT64_MAX - 0xFFF, 0x2000), "wraps");
}

TEST(reserved_overlap_wins)
{
    const struct e820_entry map[] = {
        {0x0, 0x9FC00, E820_TYPE_USABLE, 1},
        {0x8800, 0x100, E820_TYPE_RESERVED, 1},     /* inside the page */
        {0x20000, 0x1000, E820_TYPE_ACPI, 1},
        {0x30000, 0, E820_TYPE_RESERVED, 1},        /* zero length: ignored */
    };
    CHECK(!ap_page_usable(map, 4, 0x8000, 0x1000));
    CHECK(!ap_page_usable(map, 4, 0x20000, 0x1000));
    CHECK(ap_page_usable(map, 4, 0x30000, 0x1000));
    CHECK(ap_page_usable(map, 4, 0x7000, 0x1000));
}

TEST(parse_numbers)
{
    uint32_t v = 77;
    CHECK(ap_parse_u32("1", 16, &v) && v == 1);
    CHECK(ap_parse_u32("16", 16, &v) && v == 16);
    CHECK(ap_parse_u32("007", 16, &v) && v == 7);
    v = 77;
    CHECK(!ap_parse_u32("17", 16, &v) && v == 77);
    CHECK(!ap_parse_u32("", 16, &v));
    CHECK(!ap_parse_u32(NULL, 16, &v));
    CHECK(!ap_parse_u32("-1", 16, &v));
    CHECK(!ap_parse_u32("+1", 16, &v));
    CHECK(!ap_parse_u32("2x", 16, &v));
    CHECK(!ap_parse_u32("99999999999999999999999", UINT32_MAX, &v), "no 64-bit wrap");
    CHECK(ap_parse_u32("4294967295", UINT32_MAX, &v) && v == UINT32_MAX);
    CHECK(v == UINT32_MAX);
}

TEST(params_layout)
{
    CHECK_EQ_U64(offsetof(struct ap_boot_params, cr0), 0);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, cr3), 8);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, cr4), 16);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, efer), 24);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, entry), 32);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, stack_top), 40);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, arg), 48);
    CHECK_EQ_U64(offsetof(struct ap_boot_params, reached), 56);
    CHECK(AP_PARAMS_ADDR + sizeof(struct ap_boot_params) <= AP_TRAMPOLINE_ADDR +
          AP_TRAMPOLINE_BYTES);
    CHECK(AP_PARAMS_ADDR % 8 == 0, "aligned for the 64-bit loads");
}

/* ---- the pool ---- */
#define MAX_ITEMS 1000

static int done_by[MAX_ITEMS], done_count[MAX_ITEMS];

static void mark(void *ctx, int begin, int end)
{
    (void)ctx;
    for (int i = begin; i < end; i++) {
        done_count[i]++;
        done_by[i] = (int)fake_current;
    }
}

static void check_pool(uint32_t cpus, int n, int align)
{
    fake_cpus = cpus;
    memset(done_count, 0, sizeof done_count);
    struct llm_pool *pool = llm_pool_smp();
    CHECK(pool->workers == (int)cpus, "%d workers for %u CPUs", pool->workers, cpus);
    pool->run(pool, mark, NULL, n, align);
    for (int i = 0; i < n; i++)
        CHECK(done_count[i] == 1, "item %d done %d times (cpus %u n %d align %d)", i,
              done_count[i], cpus, n, align);
    for (int i = 0; i < n; i++)
        CHECK(done_by[i] >= 0 && done_by[i] < (int)cpus, "item %d by CPU %d of %u", i,
              done_by[i], cpus);
}

TEST(pool_covers_every_item_once)
{
    static const int counts[] = {0, 1, 7, 64, 288, 512, 999};
    for (uint32_t cpus = 1; cpus <= SMP_MAX_CPUS; cpus++)
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
            for (int align = 1; align <= 16; align *= 4)
                check_pool(cpus, counts[k], align);
}

TEST(one_cpu_is_the_serial_pool)
{
    fake_cpus = 1;
    CHECK(llm_pool_smp() == &llm_pool_serial);
}

int main(void)
{
    check_suite = "test_smp";
    RUN(sipi_vector_of_every_page);
    RUN(sipi_vector_refusals);
    RUN(page_usable_in_qemu_map);
    RUN(reserved_overlap_wins);
    RUN(parse_numbers);
    RUN(params_layout);
    RUN(pool_covers_every_item_once);
    RUN(one_cpu_is_the_serial_pool);
    return check_summary();
}
