/* Unit tests of kernel/fs/fat16.c, blockdev.c, ramdisk.c and mbr.c on synthetic volumes built
 * in memory here (so every byte of a corruption is under the test's control): boot-sector
 * validation field by field, chains (fragmented, looping, truncated, out of range), files
 * larger than their chain, directories with LFN/deleted entries, paths, partitions and
 * short devices; the boot options file /CMDLINE.TXT (kernel/drivers/optfile.c) read from such
 * a volume held as a RAM copy. Images made by the real tools are covered by tests/kernel/fs/test_images.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/lib/check.h"
#include "tests/lib/kernel_stubs.h"

#include "kernel/fs/fat16.h"
#include "kernel/fs/mbr.h"
#include "kernel/drivers/optfile.h"
#include "kernel/drivers/ramdisk.h"

/* CHECK/REQUIRE with a printf-style context (check.h's own variadic form passes its
 * arguments before the condition text, so its format and arguments do not line up). */
#define CHECK_CTX(cond, fmt, ...)                                                   \
    do {                                                                            \
        if (!(cond)) CHECK_FAIL_("check failed: %s " fmt, #cond, __VA_ARGS__);      \
    } while (0)
#define REQUIRE_CTX(cond, fmt, ...)                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            CHECK_FAIL_("required: %s " fmt, #cond, __VA_ARGS__);                   \
            return;                                                                 \
        }                                                                           \
    } while (0)

#define SEC             512
#define RSVD            1
#define NFATS           2
#define ROOT_ENTRIES    512
#define ROOT_SECS       (ROOT_ENTRIES * 32 / SEC)
#define CLUSTERS        4200                /* just above FAT16's minimum of 4085 */
#define FAT_SECS        ((CLUSTERS + 2) * 2 / SEC + 1)
#define DATA_SEC        (RSVD + NFATS * FAT_SECS + ROOT_SECS)
#define EOC             0xFFFF
#define ATTR_DIR        0x10
#define ATTR_LFN        0x0F

/* A synthetic volume: spc sectors per cluster, img of `sectors` sectors. */
struct vol {
    uint8_t *img;
    uint32_t spc, sectors;
    struct ramdisk rd;
    struct fat16 fs;
};

static void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void st32(uint8_t *p, uint32_t v) { st16(p, (uint16_t)v); st16(p + 2, (uint16_t)(v >> 16)); }

/* Formats a fresh volume like mkfs.fat would (fatgen103 §3.1 field offsets). */
static void vol_format(struct vol *v, uint32_t spc)
{
    v->spc = spc;
    v->sectors = DATA_SEC + CLUSTERS * spc;
    v->img = calloc(v->sectors, SEC);
    uint8_t *bs = v->img;
    bs[0] = 0xEB, bs[1] = 0x3C, bs[2] = 0x90;
    st16(bs + 11, SEC);
    bs[13] = (uint8_t)spc;
    st16(bs + 14, RSVD);
    bs[16] = NFATS;
    st16(bs + 17, ROOT_ENTRIES);
    st16(bs + 19, 0);
    bs[21] = 0xF8;
    st16(bs + 22, FAT_SECS);
    st32(bs + 32, v->sectors);
    bs[510] = 0x55, bs[511] = 0xAA;
}

static void vol_free(struct vol *v) { free(v->img); }

static enum fat16_err vol_mount(struct vol *v)
{
    ramdisk_init(&v->rd, v->img, (uint64_t)v->sectors * SEC, "test");
    return fat16_mount(&v->fs, &v->rd.dev);
}

static void set_fat(struct vol *v, uint32_t c, uint16_t val)
{
    for (int i = 0; i < NFATS; i++)
        st16(v->img + (RSVD + i * FAT_SECS) * SEC + 2 * c, val);
}

static uint8_t *cluster_ptr(struct vol *v, uint32_t c)
{
    return v->img + (size_t)(DATA_SEC + (c - 2) * v->spc) * SEC;
}

/* Links chain[0..n) in the FAT, ending with EOC. */
static void set_chain(struct vol *v, const uint16_t *chain, int n)
{
    for (int i = 0; i < n; i++)
        set_fat(v, chain[i], i + 1 < n ? chain[i + 1] : EOC);
}

/* Writes an 11-byte-name entry into the 32-byte slot at e. */
static void put_entry(uint8_t *e, const char *name11, uint8_t attr, uint16_t first, uint32_t size)
{
    memcpy(e, name11, 11);
    e[11] = attr;
    st16(e + 26, first);
    st32(e + 28, size);
}

static uint8_t *root_slot(struct vol *v, int i)
{
    return v->img + (RSVD + NFATS * FAT_SECS) * SEC + 32 * i;
}

/* Fills the clusters of chain with a pattern from seed and returns a copy of size bytes. */
static uint8_t *fill_file(struct vol *v, const uint16_t *chain, int n, uint32_t size, int seed)
{
    uint32_t cb = v->spc * SEC;
    uint8_t *copy = malloc(size ? size : 1);
    for (uint32_t i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(i * 7 + seed + i / 251);
        copy[i] = b;
        if (i / cb < (uint32_t)n)
            cluster_ptr(v, chain[i / cb])[i % cb] = b;
    }
    return copy;
}

/* The standard test volume: a fragmented file DATA.BIN, a subdirectory SUB with FILE.TXT. */
static const uint16_t data_chain[] = { 10, 50, 20, 4000, 3 };
#define DATA_SIZE   (4 * SEC + 100)

static uint8_t *make_std(struct vol *v, uint32_t spc)
{
    vol_format(v, spc);
    set_fat(v, 0, 0xFFF8), set_fat(v, 1, EOC);
    set_chain(v, data_chain, 5);
    uint8_t *data = fill_file(v, data_chain, 5, DATA_SIZE * spc, 1);
    put_entry(root_slot(v, 0), "FLUIDTSTVOL", 0x08, 0, 0);          /* volume label */
    put_entry(root_slot(v, 1), "DATA    BIN", 0x20, 10, DATA_SIZE * spc);
    put_entry(root_slot(v, 2), "SUB        ", ATTR_DIR, 100, 0);
    put_entry(root_slot(v, 3), "EMPTY      ", 0x20, 0, 0);
    uint16_t sub_chain[] = { 100 };
    set_chain(v, sub_chain, 1);
    uint8_t *d = cluster_ptr(v, 100);
    put_entry(d, ".          ", ATTR_DIR, 100, 0);
    put_entry(d + 32, "..         ", ATTR_DIR, 0, 0);
    put_entry(d + 64, "AFILE   TXT", 0x20, 0, 0);
    d[64] = 0xE5;                                                     /* deleted */
    put_entry(d + 96, "Bx\0y\0t\0e\0s\0", ATTR_LFN, 0, 0);          /* an LFN slot */
    put_entry(d + 128, "FILE    TXT", 0x20, 200, 5);
    set_fat(v, 200, EOC);
    memcpy(cluster_ptr(v, 200), "hello", 5);
    return data;
}

/* ---- boot sector ------------------------------------------------------------------------ */

TEST(mount_good_volume)
{
    struct vol v;
    free(make_std(&v, 1));
    REQUIRE(vol_mount(&v) == FAT16_OK);
    CHECK_EQ_U64(v.fs.cluster_count, CLUSTERS);
    CHECK_EQ_U64(v.fs.data_lba, DATA_SEC);
    CHECK_EQ_U64(v.fs.root_entries, ROOT_ENTRIES);
    CHECK_EQ_U64(v.fs.cluster_bytes, SEC);
    vol_free(&v);
}

/* One corrupted field -> the error naming it. */
struct bpb_case {
    const char *what;
    int off, width;
    uint32_t value;
    enum fat16_err err;
};

static const struct bpb_case bpb_cases[] = {
    { "signature", 510, 1, 0x54, FAT16_E_SIGNATURE },
    { "jmpBoot", 0, 1, 0x00, FAT16_E_JMP_BOOT },
    { "jmpBoot EB without NOP", 2, 1, 0x00, FAT16_E_JMP_BOOT },
    { "BytsPerSec 1000", 11, 2, 1000, FAT16_E_BYTS_PER_SEC },
    { "BytsPerSec 256", 11, 2, 256, FAT16_E_BYTS_PER_SEC },
    { "BytsPerSec 8192", 11, 2, 8192, FAT16_E_BYTS_PER_SEC },
    { "SecPerClus 3", 13, 1, 3, FAT16_E_SEC_PER_CLUS },
    { "SecPerClus 0", 13, 1, 0, FAT16_E_SEC_PER_CLUS },
    { "RsvdSecCnt 0", 14, 2, 0, FAT16_E_RSVD_SEC_CNT },
    { "NumFATs 0", 16, 1, 0, FAT16_E_NUM_FATS },
    { "NumFATs 3", 16, 1, 3, FAT16_E_NUM_FATS },
    { "RootEntCnt 0", 17, 2, 0, FAT16_E_ROOT_ENT_CNT },
    { "RootEntCnt 17", 17, 2, 17, FAT16_E_ROOT_ENT_CNT },
    { "Media 0x12", 21, 1, 0x12, FAT16_E_MEDIA },
    { "FATSz16 0", 22, 2, 0, FAT16_E_FAT_SZ },
    { "FATSz16 too small", 22, 2, 5, FAT16_E_FAT_SZ },
    { "TotSec32 0", 32, 4, 0, FAT16_E_TOT_SEC },
    { "TotSec inside system area", 32, 4, DATA_SEC, FAT16_E_TOT_SEC },
    { "FAT12-sized", 32, 4, DATA_SEC + 4084, FAT16_E_NOT_FAT16 },
    { "FAT32-sized", 32, 4, DATA_SEC + 65525u * 2, FAT16_E_NOT_FAT16 },
};

TEST(bad_boot_sector_fields)
{
    for (size_t i = 0; i < sizeof bpb_cases / sizeof bpb_cases[0]; i++) {
        const struct bpb_case *c = &bpb_cases[i];
        struct vol v;
        vol_format(&v, 1);
        for (int b = 0; b < c->width; b++)
            v.img[c->off + b] = (uint8_t)(c->value >> (8 * b));
        enum fat16_err err = vol_mount(&v);
        CHECK_CTX(err == c->err, "(%s: got %s)", c->what, fat16_strerror(err));
        vol_free(&v);
    }
}

TEST(device_smaller_than_system_area)
{
    struct vol v;
    free(make_std(&v, 1));
    ramdisk_init(&v.rd, v.img, (DATA_SEC - 1) * SEC, "short");
    CHECK(fat16_mount(&v.fs, &v.rd.dev) == FAT16_E_DEVICE_SMALL);
    vol_free(&v);
}

TEST(truncated_ramdisk_reads_until_its_end)
{
    struct vol v;
    uint8_t *data = make_std(&v, 1);
    ramdisk_init(&v.rd, v.img, (DATA_SEC + 100) * SEC, "cut");   /* clusters 2..101 only */
    REQUIRE(fat16_mount(&v.fs, &v.rd.dev) == FAT16_OK);
    struct fat16_file f;
    uint8_t buf[16];
    REQUIRE(fat16_open(&v.fs, "/SUB/FILE.TXT", &f) == FAT16_OK);
    CHECK(fat16_read(&f, buf, sizeof buf, NULL) == FAT16_E_IO);    /* cluster 200 */
    REQUIRE(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_OK);
    CHECK(fat16_read(&f, buf, sizeof buf, NULL) == FAT16_OK);      /* cluster 10 */
    CHECK(memcmp(buf, data, sizeof buf) == 0);
    CHECK(fat16_seek(&f, 3 * SEC) == FAT16_OK);                    /* cluster 4000 */
    CHECK(fat16_read(&f, buf, sizeof buf, NULL) == FAT16_E_IO);
    free(data);
    vol_free(&v);
}

/* ---- files and chains ------------------------------------------------------------------- */

/* Reads the whole file in chunks of `chunk` bytes and compares with want. */
static void check_read(struct fat16 *fs, const char *path, const uint8_t *want, uint32_t size,
                       uint32_t chunk)
{
    struct fat16_file f;
    REQUIRE_CTX(fat16_open(fs, path, &f) == FAT16_OK, "(%s)", path);
    CHECK_EQ_U64(f.size, size);
    uint8_t *buf = malloc(size + chunk);
    uint32_t total = 0, got;
    enum fat16_err err;
    while ((err = fat16_read(&f, buf + total, chunk, &got)) == FAT16_OK && got > 0)
        total += got;
    CHECK_CTX(err == FAT16_OK, "(%s)", fat16_strerror(err));
    CHECK_EQ_U64(total, size);
    CHECK_CTX(memcmp(buf, want, size) == 0, "(chunk %u)", chunk);
    free(buf);
}

TEST(fragmented_file_all_chunk_sizes)
{
    static const uint32_t spcs[] = { 1, 2, 4, 64 };
    static const uint32_t chunks[] = { 1, 7, 511, 512, 513, 1024, 4096, 100000 };
    for (size_t s = 0; s < sizeof spcs / sizeof spcs[0]; s++) {
        struct vol v;
        uint8_t *data = make_std(&v, spcs[s]);
        REQUIRE(vol_mount(&v) == FAT16_OK);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
            check_read(&v.fs, "/DATA.BIN", data, DATA_SIZE * spcs[s], chunks[c]);
        check_read(&v.fs, "/EMPTY", data, 0, 512);
        free(data);
        vol_free(&v);
    }
}

TEST(seek_backwards_and_forwards)
{
    struct vol v;
    uint8_t *data = make_std(&v, 1);
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    REQUIRE(fat16_open(&v.fs, "data.bin", &f) == FAT16_OK);
    static const uint32_t at[] = { 4 * SEC + 50, 10, 2 * SEC - 3, 0, DATA_SIZE - 1 };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        uint8_t b[8];
        uint32_t got;
        CHECK(fat16_seek(&f, at[i]) == FAT16_OK);
        CHECK(fat16_read(&f, b, sizeof b, &got) == FAT16_OK);
        uint32_t want = DATA_SIZE - at[i] < 8 ? DATA_SIZE - at[i] : 8;
        CHECK_EQ_U64(got, want);
        CHECK_CTX(memcmp(b, data + at[i], got) == 0, "(at %u)", at[i]);
    }
    CHECK(fat16_seek(&f, DATA_SIZE + 1000) == FAT16_OK);
    uint32_t got = 1;
    CHECK(fat16_read(&f, data, 4, &got) == FAT16_OK && got == 0);
    free(data);
    vol_free(&v);
}

TEST(cluster_loop_is_an_error)
{
    struct vol v;
    free(make_std(&v, 1));
    set_fat(&v, 4000, 50);                   /* 10 -> 50 -> 20 -> 4000 -> 50 ... */
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    CHECK(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_CHAIN_LOOP);
    set_fat(&v, 10, 10);                     /* a cluster that links to itself */
    v.fs.cache_valid = false;
    CHECK(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_CHAIN_LOOP);
    vol_free(&v);
}

TEST(truncated_chain_is_an_error)
{
    struct vol v;
    free(make_std(&v, 1));
    set_fat(&v, 20, EOC);                    /* chain 10, 50, 20: 3 of the 5 sectors */
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    CHECK(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_CHAIN_SHORT);
    vol_free(&v);
}

TEST(file_larger_than_chain_is_an_error)
{
    struct vol v;
    free(make_std(&v, 1));
    st32(root_slot(&v, 1) + 28, DATA_SIZE + SEC);          /* one sector past the chain */
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    CHECK(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_CHAIN_SHORT);
    st32(root_slot(&v, 1) + 28, 0xFFFFFFFFu);               /* larger than the volume */
    v.fs.cache_valid = false;
    CHECK(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_CHAIN_SHORT);
    st32(root_slot(&v, 3) + 28, 1);                         /* non-empty, no cluster */
    v.fs.cache_valid = false;
    CHECK(fat16_open(&v.fs, "/EMPTY", &f) == FAT16_E_BAD_CLUSTER);
    vol_free(&v);
}

TEST(bad_cluster_numbers_in_chain)
{
    static const uint16_t bad[] = { 0x0000, 0x0001, CLUSTERS + 2, 0xFFF0, 0xFFF7 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct vol v;
        free(make_std(&v, 1));
        set_fat(&v, 50, bad[i]);
        REQUIRE(vol_mount(&v) == FAT16_OK);
        struct fat16_file f;
        CHECK_CTX(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_BAD_CLUSTER, "(0x%x)", bad[i]);
        st16(root_slot(&v, 1) + 26, bad[i]);                 /* as the first cluster */
        v.fs.cache_valid = false;
        CHECK_CTX(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_E_BAD_CLUSTER, "(first 0x%x)", bad[i]);
        vol_free(&v);
    }
}

/* ---- directories and paths -------------------------------------------------------------- */

TEST(readdir_skips_label_deleted_lfn_and_dots)
{
    struct vol v;
    free(make_std(&v, 1));
    put_entry(cluster_ptr(&v, 100) + 192, "NEVER   SEE", 0x20, 0, 0);
    cluster_ptr(&v, 100)[160] = 0x00;       /* end marker before NEVER.SEE */
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file d;
    struct fat16_dirent e;
    REQUIRE(fat16_opendir(&v.fs, "/", &d) == FAT16_OK);
    REQUIRE(fat16_readdir(&d, &e) == FAT16_OK);
    CHECK_STREQ(e.name, "DATA.BIN");
    CHECK_EQ_U64(e.size, DATA_SIZE);
    REQUIRE(fat16_readdir(&d, &e) == FAT16_OK);
    CHECK_STREQ(e.name, "SUB");
    CHECK(e.is_dir);
    REQUIRE(fat16_readdir(&d, &e) == FAT16_OK);
    CHECK_STREQ(e.name, "EMPTY");
    CHECK(fat16_readdir(&d, &e) == FAT16_END);
    REQUIRE(fat16_opendir(&v.fs, "/sub", &d) == FAT16_OK);
    REQUIRE(fat16_readdir(&d, &e) == FAT16_OK);
    CHECK_STREQ(e.name, "FILE.TXT");
    CHECK(fat16_readdir(&d, &e) == FAT16_END);
    vol_free(&v);
}

TEST(paths_case_dots_and_errors)
{
    struct vol v;
    free(make_std(&v, 1));
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    char buf[8] = { 0 };
    REQUIRE(fat16_open(&v.fs, "/Sub/File.Txt", &f) == FAT16_OK);
    CHECK(fat16_read(&f, buf, sizeof buf, NULL) == FAT16_OK);
    CHECK_STREQ(buf, "hello");
    CHECK(fat16_open(&v.fs, "//SUB//./FILE.TXT", &f) == FAT16_OK);
    CHECK(fat16_open(&v.fs, "/SUB/../DATA.BIN", &f) == FAT16_OK);
    CHECK(fat16_open(&v.fs, "/SUB/AFILE.TXT", &f) == FAT16_E_NOT_FOUND);   /* deleted */
    CHECK(fat16_open(&v.fs, "/NOPE.BIN", &f) == FAT16_E_NOT_FOUND);
    CHECK(fat16_open(&v.fs, "/SUB", &f) == FAT16_E_IS_DIR);
    CHECK(fat16_open(&v.fs, "/", &f) == FAT16_E_IS_DIR);
    CHECK(fat16_opendir(&v.fs, "/DATA.BIN", &f) == FAT16_E_NOT_DIR);
    CHECK(fat16_open(&v.fs, "/DATA.BIN/X", &f) == FAT16_E_NOT_DIR);
    CHECK(fat16_open(&v.fs, "/TOOLONGNAME.BIN", &f) == FAT16_E_BAD_PATH);
    CHECK(fat16_open(&v.fs, "/DATA.BINX", &f) == FAT16_E_BAD_PATH);
    CHECK(fat16_open(&v.fs, "/DA*A.BIN", &f) == FAT16_E_BAD_PATH);
    CHECK(fat16_open(&v.fs, "/.BIN", &f) == FAT16_E_BAD_PATH);
    CHECK(fat16_open(&v.fs, "/A.B.C", &f) == FAT16_E_BAD_PATH);
    CHECK(fat16_open(NULL, "/DATA.BIN", &f) == FAT16_E_INVAL);
    CHECK(fat16_opendir(&v.fs, "/", NULL) == FAT16_E_INVAL);
    CHECK(fat16_open(&v.fs, NULL, &f) == FAT16_E_INVAL);
    vol_free(&v);
}

TEST(directory_chain_loop)
{
    struct vol v;
    free(make_std(&v, 1));
    set_fat(&v, 100, 100);
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file d;
    CHECK(fat16_opendir(&v.fs, "/SUB", &d) == FAT16_E_CHAIN_LOOP);
    CHECK(fat16_open(&v.fs, "/SUB/FILE.TXT", &d) == FAT16_E_CHAIN_LOOP);
    vol_free(&v);
}

TEST(directory_spanning_clusters)
{
    struct vol v;
    free(make_std(&v, 1));
    uint16_t chain[] = { 100, 300 };     /* second cluster of SUB holds one more file */
    set_chain(&v, chain, 2);
    put_entry(cluster_ptr(&v, 100) + 160, "LFN2       ", ATTR_LFN, 0, 0);
    for (int i = 6; i < SEC / 32; i++) {                 /* the rest of cluster 100: deleted */
        put_entry(cluster_ptr(&v, 100) + 32 * i, "GONE    TXT", 0x20, 0, 0);
        cluster_ptr(&v, 100)[32 * i] = 0xE5;
    }
    put_entry(cluster_ptr(&v, 300), "LATE    TXT", 0x20, 0, 0);
    REQUIRE(vol_mount(&v) == FAT16_OK);
    struct fat16_file f;
    CHECK(fat16_open(&v.fs, "/SUB/LATE.TXT", &f) == FAT16_OK);
    CHECK(fat16_open(&v.fs, "/SUB/FILE.TXT", &f) == FAT16_OK);
    vol_free(&v);
}

/* ---- block devices, MBR, whole disks ---------------------------------------------------- */

TEST(blockdev_ranges)
{
    static uint8_t mem[8 * SEC];
    uint8_t buf[2 * SEC];
    struct ramdisk rd;
    struct blockdev_part p;
    REQUIRE(ramdisk_init(&rd, mem, sizeof mem + 100, "rd") == BLOCKDEV_OK);
    CHECK_EQ_U64(rd.dev.sectors, 8);
    mem[5 * SEC] = 0x5A;
    CHECK(blockdev_read(&rd.dev, 7, 2, buf) == BLOCKDEV_E_RANGE);
    CHECK(blockdev_read(&rd.dev, UINT64_MAX, 2, buf) == BLOCKDEV_E_RANGE);
    CHECK(blockdev_read(&rd.dev, 0, 0, buf) == BLOCKDEV_E_RANGE);
    CHECK(blockdev_part_init(&p, &rd.dev, 4, 5, "p1") == BLOCKDEV_E_RANGE);
    REQUIRE(blockdev_part_init(&p, &rd.dev, 4, 4, "p1") == BLOCKDEV_OK);
    CHECK_STREQ(p.dev.name, "rdp1");
    CHECK(blockdev_read(&p.dev, 1, 1, buf) == BLOCKDEV_OK && buf[0] == 0x5A);
    CHECK(blockdev_read(&p.dev, 3, 2, buf) == BLOCKDEV_E_RANGE);
    CHECK(ramdisk_init(&rd, mem, 100, "tiny") == BLOCKDEV_E_INVAL);
}

static void put_part(uint8_t *mbr, int i, uint8_t boot, uint8_t type, uint32_t lba, uint32_t n)
{
    uint8_t *e = mbr + 446 + 16 * i;
    e[0] = boot, e[4] = type;
    st32(e + 8, lba), st32(e + 12, n);
    mbr[510] = 0x55, mbr[511] = 0xAA;
}


TEST(mbr_parse_rules)
{
    uint8_t s[SEC] = { 0 };
    struct mbr_part p[MBR_PART_COUNT];
    CHECK(mbr_parse(s, 1000, "hd", p, false) == MBR_E_SIGNATURE);
    put_part(s, 1, 0x80, MBR_TYPE_FAT16, 63, 500);
    REQUIRE(mbr_parse(s, 1000, "hd", p, true) == MBR_OK);
    CHECK(p[0].type == MBR_TYPE_EMPTY && p[1].lba == 63 && p[1].sectors == 500 && p[1].bootable);
    CHECK(p[1].verdict == MBR_OK);
    CHECK(mbr_parse(s, 562, "hd", p, true) == MBR_E_RANGE);
    put_part(s, 2, 0x00, MBR_TYPE_FAT16_LBA, 500, 10);
    CHECK(mbr_parse(s, 1000, "hd", p, true) == MBR_E_OVERLAP);
    put_part(s, 2, 0x12, MBR_TYPE_FAT16_LBA, 600, 10);
    CHECK(mbr_parse(s, 1000, "hd", p, true) == MBR_E_BOOT_FLAG);
    put_part(s, 3, 0x00, MBR_TYPE_FAT16, 0xFFFFFFF0u, 0x20);
    put_part(s, 2, 0x00, MBR_TYPE_FAT16_LBA, 600, 10);
    CHECK(mbr_parse(s, 1000, "hd", p, true) == MBR_E_RANGE);   /* lba + count overflows 32 bits */
}

/* The one extent rule, at each edge, in 64 bits, and its words. */
TEST(mbr_check_extent_edges_and_messages)
{
    CHECK(mbr_check_extent("hd", 1, 0, 1000, 1000, false) == MBR_OK);
    CHECK(mbr_check_extent("hd", 1, 999, 1, 1000, false) == MBR_OK);
    CHECK(mbr_check_extent("hd", 1, 1000, 1, 1000, false) == MBR_E_RANGE);
    CHECK(mbr_check_extent("hd", 1, 999, 2, 1000, false) == MBR_E_RANGE);
    CHECK(mbr_check_extent("hd", 1, 5000, 0, 1000, false) == MBR_OK);         /* empty */
    /* 32-bit sums would wrap to 8 and pass; the disk ends at 0x100. */
    CHECK(mbr_check_extent("hd", 1, 0x10, 0xFFFFFFF8u, 0x100, false) == MBR_E_RANGE);
    /* Disks of 2^32 sectors and more: a 33-bit end that fits. */
    CHECK(mbr_check_extent("hd", 1, 0xFFFFFF00u, 0x200, 0x100000100ull, false) == MBR_OK);
    CHECK(mbr_check_extent("hd", 1, 0xFFFFFF00u, 0x201, 0x100000100ull, false) == MBR_E_RANGE);
    stub_log_reset();
    mbr_check_extent("ata0", 1, 2048, 65537, 67584, true);
    mbr_check_extent("ata0", 2, 70000, 100, 67584, true);
    mbr_check_extent("bios80", 1, 2048, 0xFFFFFFFFu, 67584, true);
    const char *log = stub_log();
    CHECK(strstr(log, "mbr: ata0: partition 1 ends at sector 67584, past the disk end (67584 "
                      "sectors)\n") != NULL, "log: %s", log);
    CHECK(strstr(log, "mbr: ata0: partition 2 starts at sector 70000, past the disk end (67584 "
                      "sectors)\n") != NULL, "log: %s", log);
    CHECK(strstr(log, "mbr: bios80: partition 1 ends at sector 4294969342, past the disk end "
                      "(67584 sectors)\n") != NULL, "log: %s", log);
}

/* One verdict per entry: a bad entry is marked, the others keep theirs. */
TEST(mbr_parse_judges_each_entry)
{
    uint8_t s[SEC] = { 0 };
    struct mbr_part p[MBR_PART_COUNT];
    put_part(s, 0, 0x80, MBR_TYPE_FAT16, 2048, 65537);          /* one past the end */
    put_part(s, 1, 0x00, MBR_TYPE_FAT16, 100, 900);
    put_part(s, 2, 0x00, MBR_TYPE_FAT16, 60000, 7584);          /* meets the end exactly */
    REQUIRE(mbr_parse(s, 67584, "hd", p, false) == MBR_E_RANGE);
    CHECK(p[0].verdict == MBR_E_RANGE && p[0].lba == 2048 && p[0].sectors == 65537);
    CHECK(p[1].verdict == MBR_OK && p[2].verdict == MBR_OK);   /* no overlap with a rejected p1 */
    put_part(s, 0, 0x80, MBR_TYPE_FAT16, 2048, 1000);
    REQUIRE(mbr_parse(s, 67584, "hd", p, false) == MBR_OK);
    CHECK(p[0].verdict == MBR_OK && p[1].verdict == MBR_OK && p[2].verdict == MBR_OK);
    put_part(s, 1, 0x00, MBR_TYPE_FAT16, 2500, 10);             /* inside partition 1 */
    REQUIRE(mbr_parse(s, 67584, "hd", p, false) == MBR_E_OVERLAP);
    CHECK(p[0].verdict == MBR_E_OVERLAP && p[1].verdict == MBR_E_OVERLAP);
    CHECK(p[2].verdict == MBR_OK);
    put_part(s, 1, 0x00, MBR_TYPE_FAT16, 2500, 0xFFFFFF00u);     /* past the end: no overlap */
    REQUIRE(mbr_parse(s, 67584, "hd", p, false) == MBR_E_RANGE);
    CHECK(p[0].verdict == MBR_OK && p[1].verdict == MBR_E_RANGE && p[2].verdict == MBR_OK);
}

#define PART_LBA 63

TEST(mount_disk_bare_and_partitioned)
{
    struct vol v;
    uint8_t *data = make_std(&v, 1);
    struct fat16 fs;
    struct blockdev_part part;
    struct ramdisk rd;
    struct fat16_file f;
    REQUIRE(ramdisk_init(&rd, v.img, (uint64_t)v.sectors * SEC, "bare") == BLOCKDEV_OK);
    REQUIRE(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_OK);
    CHECK(fs.dev == &rd.dev);
    uint32_t disk_secs = PART_LBA + v.sectors;
    uint8_t *disk = calloc(disk_secs, SEC);
    memcpy(disk + PART_LBA * SEC, v.img, (size_t)v.sectors * SEC);
    put_part(disk, 0, 0x00, 0x83, 1, PART_LBA - 1);             /* not FAT16: skipped */
    put_part(disk, 1, 0x80, MBR_TYPE_FAT16_LBA, PART_LBA, v.sectors);
    REQUIRE(ramdisk_init(&rd, disk, (uint64_t)disk_secs * SEC, "hd") == BLOCKDEV_OK);
    REQUIRE(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_OK);
    CHECK(fs.dev == &part.dev);
    CHECK_STREQ(part.dev.name, "hdp2");
    check_read(&fs, "/DATA.BIN", data, DATA_SIZE, 300);
    REQUIRE(fat16_open(&fs, "/SUB/FILE.TXT", &f) == FAT16_OK);
    put_part(disk, 1, 0x80, 0x83, PART_LBA, v.sectors);         /* no FAT16 partition */
    CHECK(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_E_NO_VOLUME);
    disk[PART_LBA * SEC + 13] = 3;                               /* bad partition BPB */
    put_part(disk, 1, 0x80, MBR_TYPE_FAT16, PART_LBA, v.sectors);
    CHECK(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_E_SEC_PER_CLUS);
    v.img[14] = v.img[15] = 0;                                   /* bad bare BPB */
    REQUIRE(ramdisk_init(&rd, v.img, (uint64_t)v.sectors * SEC, "bare") == BLOCKDEV_OK);
    CHECK(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_E_RSVD_SEC_CNT);
    free(disk);
    free(data);
    vol_free(&v);
}

/* A partition running past the disk end gets the MBR's verdict, named with its value, not a
 * boot-sector error of sector 0; another partition of the same table still mounts. */
TEST(mount_disk_partition_past_the_disk_end)
{
    struct vol v;
    uint8_t *data = make_std(&v, 1);
    uint32_t disk_secs = PART_LBA + v.sectors;
    uint8_t *disk = calloc(disk_secs, SEC);
    memcpy(disk + PART_LBA * SEC, v.img, (size_t)v.sectors * SEC);
    struct fat16 fs;
    struct blockdev_part part;
    struct ramdisk rd;
    REQUIRE(ramdisk_init(&rd, disk, (uint64_t)disk_secs * SEC, "hd") == BLOCKDEV_OK);
    put_part(disk, 0, 0x80, MBR_TYPE_FAT16, PART_LBA, v.sectors + 1);
    stub_log_reset();
    enum fat16_err err = fat16_mount_disk(&fs, &rd.dev, &part);
    const char *log = stub_log();
    CHECK(err == FAT16_E_BAD_PARTITION, "err %d", err);
    CHECK(fs.partitioned && fs.parts[0].verdict == MBR_E_RANGE);
    CHECK(strstr(log, "mbr: hd: partition 1 ends at sector") != NULL, "log: %s", log);
    CHECK(strstr(log, "past the disk end") != NULL, "log: %s", log);
    CHECK(strstr(log, "BPB_") == NULL && strstr(log, "boot sector") == NULL, "log: %s", log);
    put_part(disk, 0, 0x80, MBR_TYPE_FAT16, 0xFFFFFFF0u, 0x20);   /* start past it, sum wraps */
    put_part(disk, 1, 0x00, MBR_TYPE_FAT16, PART_LBA, v.sectors);
    REQUIRE(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_OK);
    CHECK_STREQ(part.dev.name, "hdp2");
    CHECK(fs.parts[0].verdict == MBR_E_RANGE && fs.parts[1].verdict == MBR_OK);
    check_read(&fs, "/DATA.BIN", data, DATA_SIZE, 300);
    REQUIRE(ramdisk_init(&rd, v.img, (uint64_t)v.sectors * SEC, "bare") == BLOCKDEV_OK);
    REQUIRE(fat16_mount_disk(&fs, &rd.dev, &part) == FAT16_OK);
    CHECK(!fs.partitioned);
    /* A bare volume with a bad BPB whose boot code reads as entries past the end: its FAT
     * jump and BPB say boot sector, and the BPB error is the one reported. */
    v.img[BPB_SecPerClus] = 3;
    put_part(v.img, 0, 0x00, MBR_TYPE_FAT16, 0x10000, 0x20000);
    stub_log_reset();
    err = fat16_mount_disk(&fs, &rd.dev, &part);
    log = stub_log();
    CHECK(err == FAT16_E_SEC_PER_CLUS, "err %d", err);
    CHECK(!fs.partitioned && strstr(log, "BPB_SecPerClus 3") != NULL, "log: %s", log);
    free(disk);
    free(data);
    vol_free(&v);
}

/* Each layer names its own errors; a value outside an enum gets a clear text, not a table
 * read out of range. */
/* ---- writing in place ------------------------------------------------------------------ */

static enum blockdev_err img_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                   const void *buf)
{
    struct ramdisk *rd = dev->priv;
    memcpy((uint8_t *)rd->base + lba * SEC, buf, (size_t)count * SEC);
    return BLOCKDEV_OK;
}

/* The data lands in the file's own (fragmented) clusters; FAT, directory and size stay. */
TEST(write_in_place_touches_only_the_files_sectors)
{
    struct vol v;
    free(make_std(&v, 2));
    REQUIRE(vol_mount(&v) == FAT16_OK);
    size_t meta_bytes = (size_t)DATA_SEC * SEC;
    uint8_t *meta = malloc(meta_bytes);
    memcpy(meta, v.img, meta_bytes);
    struct fat16_file f;
    REQUIRE(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_OK);
    uint32_t len = 6 * SEC;                    /* past the first two 2-sector clusters */
    uint8_t *data = malloc(len), back[6 * SEC];
    for (uint32_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    CHECK(fat16_write(&f, data, len) == FAT16_E_READ_ONLY);     /* the RAM disk is read-only */
    v.rd.dev.write = img_write;
    REQUIRE(fat16_seek(&f, 0) == FAT16_OK);
    uint32_t got;
    REQUIRE(fat16_read(&f, back, SEC, &got) == FAT16_OK);       /* sector 0 now cached */
    REQUIRE(fat16_seek(&f, 0) == FAT16_OK);
    CHECK(fat16_write(&f, data, len) == FAT16_OK && f.pos == len);
    CHECK(memcmp(cluster_ptr(&v, 10), data, 2 * SEC) == 0);
    CHECK(memcmp(cluster_ptr(&v, 50), data + 2 * SEC, 2 * SEC) == 0);
    CHECK(memcmp(cluster_ptr(&v, 20), data + 4 * SEC, 2 * SEC) == 0);
    CHECK(memcmp(meta, v.img, meta_bytes) == 0, "the FAT or the root directory changed");
    REQUIRE(fat16_seek(&f, 0) == FAT16_OK);
    CHECK(fat16_read(&f, back, len, &got) == FAT16_OK && got == len);
    CHECK(memcmp(back, data, len) == 0, "a stale cached sector was read back");
    free(data);
    free(meta);
    vol_free(&v);
}

TEST(write_in_place_refuses_partial_sectors_and_growth)
{
    struct vol v;
    uint8_t buf[2 * SEC] = {0};
    free(make_std(&v, 1));
    REQUIRE(vol_mount(&v) == FAT16_OK);
    v.rd.dev.write = img_write;
    struct fat16_file f, dir;
    REQUIRE(fat16_open(&v.fs, "/DATA.BIN", &f) == FAT16_OK);     /* 4 sectors + 100 bytes */
    CHECK(fat16_write(&f, buf, 100) == FAT16_E_UNALIGNED);
    REQUIRE(fat16_seek(&f, 4 * SEC) == FAT16_OK);
    CHECK(fat16_write(&f, buf, SEC) == FAT16_E_UNALIGNED);        /* would grow the file */
    REQUIRE(fat16_seek(&f, 1) == FAT16_OK);
    CHECK(fat16_write(&f, buf, SEC) == FAT16_E_UNALIGNED);
    REQUIRE(fat16_opendir(&v.fs, "/SUB", &dir) == FAT16_OK);
    CHECK(fat16_write(&dir, buf, SEC) == FAT16_E_IS_DIR);
    CHECK_STREQ(fat16_strerror(FAT16_E_READ_ONLY), "read-only device");
    vol_free(&v);
}

TEST(error_names)
{
    CHECK_STREQ(fat16_strerror(FAT16_E_SEC_PER_CLUS), "bad BPB_SecPerClus");
    CHECK_STREQ(fat16_strerror((enum fat16_err)99), "unknown fat16 error");
    CHECK_STREQ(mbr_strerror(MBR_E_OVERLAP), "partitions overlap");
    CHECK_STREQ(fat16_strerror(FAT16_E_BAD_PARTITION), "invalid MBR entry for the FAT16 partition");
    CHECK_STREQ(mbr_strerror((enum mbr_err)99), "unknown mbr error");
    CHECK_STREQ(blockdev_strerror(BLOCKDEV_E_RANGE), "out of range");
    CHECK_STREQ(blockdev_strerror((enum blockdev_err)99), "unknown blockdev error");
}

/* A volume with /CMDLINE.TXT of `text` in cluster 5 (one cluster, so cap is the only bound). */
static void make_cmdline_volume(struct vol *v, const char *text)
{
    vol_format(v, 1);
    set_fat(v, 0, 0xFFF8), set_fat(v, 1, EOC);
    uint32_t n = (uint32_t)strlen(text);
    set_fat(v, 5, EOC);
    memcpy(cluster_ptr(v, 5), text, n);
    put_entry(root_slot(v, 0), "CMDLINE TXT", 0x20, 5, n);
}

/* optfile_read: the file's text, CR turned into spaces; the size checked against the buffer
 * with room for the NUL; no file, no volume and no RAM copy each a distinct result with ""
 * left in the buffer. */
TEST(optfile_reads_cmdline_txt)
{
    struct vol v;
    char text[32];
    make_cmdline_volume(&v, "apic=x2apic smp=2\r\n");
    uint64_t bytes = (uint64_t)v.sectors * SEC;
    CHECK_EQ_U64(optfile_read(v.img, bytes, text, sizeof text), OPTFILE_OK);
    CHECK_STREQ(text, "apic=x2apic smp=2 \n");
    vol_free(&v);

    make_cmdline_volume(&v, "0123456789012345678901234567890");     /* 31 bytes + NUL fit */
    CHECK_EQ_U64(optfile_read(v.img, bytes, text, sizeof text), OPTFILE_OK);
    CHECK_EQ_U64(strlen(text), 31);
    vol_free(&v);

    make_cmdline_volume(&v, "01234567890123456789012345678901");    /* 32: no room for NUL */
    stub_log_reset();
    CHECK_EQ_U64(optfile_read(v.img, bytes, text, sizeof text), OPTFILE_E_TOO_LONG);
    CHECK_STREQ(text, "");
    CHECK(strstr(stub_log(), "/CMDLINE.TXT is 32 bytes, more than the 31") != NULL, "%s",
          stub_log());

    put_entry(root_slot(&v, 0), "OTHER   TXT", 0x20, 5, 4);
    CHECK_EQ_U64(optfile_read(v.img, bytes, text, sizeof text), OPTFILE_E_NOT_FOUND);
    CHECK_STREQ(text, "");
    v.img[510] = 0;                                                 /* no boot signature */
    CHECK_EQ_U64(optfile_read(v.img, bytes, text, sizeof text), OPTFILE_E_NO_VOLUME);
    CHECK_EQ_U64(optfile_read(NULL, bytes, text, sizeof text), OPTFILE_E_NO_RAMDISK);
    CHECK_EQ_U64(optfile_read(v.img, 0, text, sizeof text), OPTFILE_E_NO_RAMDISK);
    CHECK_STREQ(optfile_strerror(OPTFILE_E_NOT_FOUND), "no /CMDLINE.TXT");
    CHECK_STREQ(optfile_strerror((enum optfile_err)99), "unknown optfile error");
    vol_free(&v);
}

int main(void)
{
    check_suite = "test_fat16";
    RUN(optfile_reads_cmdline_txt);
    RUN(mount_good_volume);
    RUN(bad_boot_sector_fields);
    RUN(device_smaller_than_system_area);
    RUN(truncated_ramdisk_reads_until_its_end);
    RUN(fragmented_file_all_chunk_sizes);
    RUN(seek_backwards_and_forwards);
    RUN(cluster_loop_is_an_error);
    RUN(truncated_chain_is_an_error);
    RUN(file_larger_than_chain_is_an_error);
    RUN(bad_cluster_numbers_in_chain);
    RUN(readdir_skips_label_deleted_lfn_and_dots);
    RUN(paths_case_dots_and_errors);
    RUN(directory_chain_loop);
    RUN(directory_spanning_clusters);
    RUN(blockdev_ranges);
    RUN(mbr_parse_rules);
    RUN(mbr_check_extent_edges_and_messages);
    RUN(mbr_parse_judges_each_entry);
    RUN(mount_disk_bare_and_partitioned);
    RUN(mount_disk_partition_past_the_disk_end);
    RUN(write_in_place_touches_only_the_files_sectors);
    RUN(write_in_place_refuses_partial_sectors_and_growth);
    RUN(error_names);
    return check_summary();
}
