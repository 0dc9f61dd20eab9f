/* The INT 13h block device (kernel/drivers/biosdisk.c) over a fake BIOS that serves a disk
 * of numbered sectors the way EDD 3.0 describes AH=41h, 42h, 43h and 48h (and RBIL the CHS
 * calls AH=02h, 03h and 08h): chunking at BIOSDISK_CALL_SECTORS, retries with a reset, 64-bit
 * LBAs in the packet, the size from AH=48h or the partition end, CHS calls split by track
 * without the extensions, and refusals that name the call, the LBA and the status. */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "tests/lib/kernel_stubs.h"
#include "kernel/arch/x86/bios.h"
#include "kernel/drivers/biosdisk.h"
#include "kernel/lib/bytes.h"

#define STATUS_TIMEOUT  0x80        /* EDD: "timeout (not ready)" */

static struct {
    bool extensions;
    uint64_t sectors;               /* what AH=48h reports */
    uint16_t sector_bytes;
    unsigned fail_reads;            /* the next N AH=42h/43h calls fail */
    unsigned reads, resets, max_count;
    bool geometry;                  /* AH=08h answers (used without extensions) */
    uint32_t cyls, heads, spt;
    bool crossed_track;             /* an AH=02h/03h call ran past the end of its track */
    uint64_t last_lba;
} bios;

static uint8_t buffer[BIOS_BUFFER_BYTES];
#define WRITABLE_SECTORS 256
static uint8_t disk[WRITABLE_SECTORS][BLOCKDEV_SECTOR_SIZE];   /* what AH=43h wrote */
static bool written[WRITABLE_SECTORS];

void *bios_buffer(void) { return buffer; }
bool bios_available(void) { return true; }

/* Sector lba's content: its number in every 8-byte word. */
static void fill_sector(uint8_t *p, uint64_t lba)
{
    for (unsigned i = 0; i < BLOCKDEV_SECTOR_SIZE; i += 8) {
        st32(p + i, (uint32_t)lba);
        st32(p + i + 4, (uint32_t)(lba >> 32));
    }
}

/* count sectors at lba between the disk and the buffer at p: writes land in disk[], reads
 * get what was written there or the numbered pattern. */
static void move_sectors(uint8_t *p, uint64_t lba, uint32_t count, bool write)
{
    for (uint32_t i = 0; i < count; i++, p += BLOCKDEV_SECTOR_SIZE) {
        uint64_t s = lba + i;
        if (write) {
            REQUIRE(s < WRITABLE_SECTORS);
            memcpy(disk[s], p, BLOCKDEV_SECTOR_SIZE);
            written[s] = true;
        } else if (s < WRITABLE_SECTORS && written[s]) {
            memcpy(p, disk[s], BLOCKDEV_SECTOR_SIZE);
        } else {
            fill_sector(p, s);
        }
    }
}

static void fail(struct bios_regs *r, uint8_t status)
{
    r->eax = (uint32_t)status << 8;
    r->eflags |= BIOS_EFLAGS_CF;
}

static void ext_transfer(struct bios_regs *r, bool write)
{
    const uint8_t *dap = buffer + r->esi;       /* DS is the buffer's segment */
    uint16_t count = ld16(dap + 2);
    uint32_t off = ld16(dap + 4) + (uint32_t)(ld16(dap + 6) - BIOS_BUFFER_SEGMENT) * 16;
    uint64_t lba = ld32(dap + 8) | (uint64_t)ld32(dap + 12) << 32;
    bios.reads++;
    bios.last_lba = lba;
    if (count > bios.max_count)
        bios.max_count = count;
    if (bios.fail_reads) {
        bios.fail_reads--;
        fail(r, STATUS_TIMEOUT);
        return;
    }
    CHECK(off + (uint32_t)count * BLOCKDEV_SECTOR_SIZE <= sizeof buffer);
    move_sectors(buffer + off, lba, count, write);
}

/* AH=02h/03h: CX/DH as CHS (RBIL), AL sectors, ES:BX the buffer. */
static void chs_transfer(struct bios_regs *r, bool write)
{
    uint8_t cl = (uint8_t)r->ecx, ch = (uint8_t)(r->ecx >> 8), count = (uint8_t)r->eax;
    uint32_t sector = cl & 0x3F, cyl = ch | (uint32_t)(cl & 0xC0) << 2;
    uint32_t head = (uint8_t)(r->edx >> 8);
    uint64_t lba = ((uint64_t)cyl * bios.heads + head) * bios.spt + sector - 1;
    if (sector - 1 + count > bios.spt)
        bios.crossed_track = true;
    uint8_t *p = buffer + (uint32_t)(r->es - BIOS_BUFFER_SEGMENT) * 16 + (r->ebx & 0xFFFF);
    bios.reads++;
    bios.last_lba = lba;
    move_sectors(p, lba, count, write);
}

bool bios_call(uint8_t vector, struct bios_regs *r)
{
    uint8_t ah = (uint8_t)(r->eax >> 8);
    CHECK(vector == 0x13 && (r->edx & 0xFF) == 0x80);
    r->eflags = 0;
    switch (ah) {
    case 0x41:
        if (!bios.extensions)
            return fail(r, 0x01), true;
        r->ebx = 0xAA55;
        r->ecx = 1;
        return true;
    case 0x48: {
        uint8_t *p = buffer + r->esi;
        st32(p + 16, (uint32_t)bios.sectors);
        st32(p + 20, (uint32_t)(bios.sectors >> 32));
        st16(p + 24, bios.sector_bytes);
        return true;
    }
    case 0x42:
    case 0x43:
        CHECK(ah == 0x42 || (r->eax & 0xFF) == 0, "AH=43h with AL=0: no verify");
        ext_transfer(r, ah == 0x43);
        return true;
    case 0x00:
        bios.resets++;
        return true;
    case 0x08:
        if (!bios.geometry)
            return fail(r, 0x01), true;
        r->ecx = ((bios.cyls - 1) & 0xFF) << 8 | ((bios.cyls - 1) >> 8) << 6 | bios.spt;
        r->edx = (bios.heads - 1) << 8 | 1;
        return true;
    case 0x02:
    case 0x03:
        chs_transfer(r, ah == 0x03);
        return true;
    }
    fail(r, 0x01);
    return true;
}

static void reset(void)
{
    memset(&bios, 0, sizeof bios);
    memset(written, 0, sizeof written);
    bios.extensions = true;
    bios.sectors = 1000;
    bios.sector_bytes = BLOCKDEV_SECTOR_SIZE;
    stub_log_reset();
}

static bool sectors_hold(const uint8_t *buf, uint64_t lba, uint32_t count)
{
    uint8_t want[BLOCKDEV_SECTOR_SIZE];
    for (uint32_t i = 0; i < count; i++) {
        fill_sector(want, lba + i);
        if (memcmp(buf + (size_t)i * BLOCKDEV_SECTOR_SIZE, want, sizeof want))
            return false;
    }
    return true;
}

TEST(reads_in_chunks_the_bios_accepts)
{
    static uint8_t buf[200 * BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    CHECK(d.dev.sectors == 1000 && strcmp(d.dev.name, "bios80") == 0);
    CHECK(blockdev_read(&d.dev, 7, 200, buf) == BLOCKDEV_OK);
    CHECK(sectors_hold(buf, 7, 200));
    CHECK(bios.reads == 4 && bios.max_count == BIOSDISK_CALL_SECTORS, "%u reads", bios.reads);
    CHECK(blockdev_read(&d.dev, 990, 11, buf) == BLOCKDEV_E_RANGE);    /* past the end */
}

TEST(retries_after_a_reset)
{
    static uint8_t buf[BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    bios.fail_reads = BIOSDISK_TRIES - 1;
    CHECK(blockdev_read(&d.dev, 5, 1, buf) == BLOCKDEV_OK && sectors_hold(buf, 5, 1));
    CHECK(bios.resets == BIOSDISK_TRIES - 1 && bios.reads == BIOSDISK_TRIES);
}

TEST(a_failing_read_names_call_lba_and_status)
{
    static uint8_t buf[100 * BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    bios.fail_reads = 1000;
    CHECK(blockdev_read(&d.dev, 128, 100, buf) == BLOCKDEV_E_IO);
    CHECK(bios.reads == BIOSDISK_TRIES);            /* the first chunk fails: no more calls */
    CHECK(strstr(stub_log(), "biosdisk: bios80: INT 13h AH=42h read of 64 sectors at LBA 128 "
                             "failed 3 times: status 0x80") != NULL, "%s", stub_log());
}

TEST(writes_go_through_the_bounce_buffer_in_chunks)
{
    static uint8_t data[100 * BLOCKDEV_SECTOR_SIZE], back[100 * BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    CHECK(blockdev_write(&d.dev, 30, 100, data) == BLOCKDEV_OK);
    CHECK(bios.reads == 2 && bios.max_count == BIOSDISK_CALL_SECTORS);
    CHECK(blockdev_read(&d.dev, 30, 100, back) == BLOCKDEV_OK);
    CHECK(memcmp(data, back, sizeof data) == 0);
    CHECK(!written[29] && !written[130] && written[30] && written[129]);
    bios.fail_reads = 1000;
    CHECK(blockdev_write(&d.dev, 30, 1, data) == BLOCKDEV_E_IO);
    CHECK(strstr(stub_log(), "INT 13h AH=43h write of 1 sectors at LBA 30 failed 3 times")
          != NULL, "%s", stub_log());
}

TEST(lba_beyond_32_bits_reaches_the_packet)
{
    static uint8_t buf[2 * BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    bios.sectors = (uint64_t)1 << 33;
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    uint64_t lba = ((uint64_t)1 << 32) + 5;
    CHECK(blockdev_read(&d.dev, lba, 2, buf) == BLOCKDEV_OK);
    CHECK(bios.last_lba == lba && sectors_hold(buf, lba, 2));
}

TEST(refusals)
{
    struct biosdisk d;
    reset();
    bios.extensions = false;                    /* and no geometry */
    CHECK(biosdisk_init(&d, 0x80, 100, false) == BLOCKDEV_E_IO);
    CHECK(strstr(stub_log(), "bios80: no INT 13h extensions (AH=41h: status 0x01") != NULL,
          "%s", stub_log());
    reset();
    bios.sector_bytes = 4096;
    CHECK(biosdisk_init(&d, 0x80, 100, false) == BLOCKDEV_E_IO);
    CHECK(strstr(stub_log(), "sector size 4096, only 512 is supported") != NULL);
    reset();
    bios.sectors = 0;
    CHECK(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_E_IO);
    CHECK(strstr(stub_log(), "reports no size and none is known") != NULL);
}

/* A BIOS without the extensions: CHS calls, never across a track, the size from AH=08h. */
TEST(chs_calls_without_extensions)
{
    static uint8_t buf[40 * BLOCKDEV_SECTOR_SIZE], data[20 * BLOCKDEV_SECTOR_SIZE];
    struct biosdisk d;
    reset();
    bios.extensions = false;
    bios.geometry = true;
    bios.cyls = 20, bios.heads = 4, bios.spt = 17;
    REQUIRE(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_OK);
    CHECK(d.use_chs && d.dev.sectors == 20 * 4 * 17);
    CHECK(strstr(stub_log(), "bios80: CHS calls, 20 cylinders x 4 heads x 17 sectors") != NULL);
    CHECK(blockdev_read(&d.dev, 10, 40, buf) == BLOCKDEV_OK && sectors_hold(buf, 10, 40));
    CHECK(bios.reads == 3 && !bios.crossed_track, "%u calls", bios.reads);   /* 7, 17, 16 */
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 3 + 1);
    CHECK(blockdev_write(&d.dev, 60, 20, data) == BLOCKDEV_OK && !bios.crossed_track);
    CHECK(blockdev_read(&d.dev, 60, 20, buf) == BLOCKDEV_OK && memcmp(buf, data, sizeof data) == 0);
    CHECK(blockdev_read(&d.dev, 1359, 1, buf) == BLOCKDEV_OK && bios.last_lba == 1359);
    reset();
    bios.extensions = false;
    CHECK(biosdisk_init(&d, 0x80, 0, false) == BLOCKDEV_E_IO);
    CHECK(strstr(stub_log(), "no CHS geometry either (AH=08h: status 0x01)") != NULL);
}

/* Some USB BIOSes report no size: the partition table's end stands in, and the log says so;
 * a size the BIOS does report is kept even when the partition runs past it. */
TEST(size_from_the_partition_table_only_when_the_bios_has_none)
{
    struct biosdisk d;
    reset();
    bios.sectors = 0;
    CHECK(biosdisk_init(&d, 0x80, 4096, false) == BLOCKDEV_OK && d.dev.sectors == 4096);
    CHECK(strstr(stub_log(), "taking the partition table's end, 4096 sectors") != NULL);
    reset();
    bios.sectors = 2048;
    CHECK(biosdisk_init(&d, 0x80, 4096, false) == BLOCKDEV_OK && d.dev.sectors == 2048);
}

int main(void)
{
    check_suite = "test_biosdisk";
    RUN(reads_in_chunks_the_bios_accepts);
    RUN(retries_after_a_reset);
    RUN(a_failing_read_names_call_lba_and_status);
    RUN(writes_go_through_the_bounce_buffer_in_chunks);
    RUN(lba_beyond_32_bits_reaches_the_packet);
    RUN(refusals);
    RUN(chs_calls_without_extensions);
    RUN(size_from_the_partition_table_only_when_the_bios_has_none);
    return check_summary();
}
