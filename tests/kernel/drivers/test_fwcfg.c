/* fw_cfg directory parser (kernel/drivers/fwcfg.c) over directories built in memory the way QEMU
 * lays them out (docs/specs/fw_cfg.txt): big-endian count, 64-byte entries. */
#include <stdint.h>

#include "tests/lib/check.h"
#include "kernel/drivers/fwcfg.h"

#define MAX_DIR (4 + 8 * FW_CFG_FILE_ENTRY_BYTES)

struct source {
    const uint8_t *data;
    size_t len, pos, reads_past_end;
};

static void src_read(void *ctx, uint8_t *buf, size_t n)
{
    struct source *s = ctx;
    for (size_t i = 0; i < n; i++) {
        if (s->pos < s->len) {
            buf[i] = s->data[s->pos++];
        } else {
            buf[i] = 0xFF;                  /* what an absent device's port returns */
            s->reads_past_end++;
        }
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Appends one entry; returns the new length. */
static size_t add_entry(uint8_t *dir, size_t len, uint32_t size, uint16_t sel, const char *name)
{
    uint8_t *e = dir + len;
    memset(e, 0, FW_CFG_FILE_ENTRY_BYTES);
    put_be32(e + FW_CFG_ENT_SIZE, size);
    e[FW_CFG_ENT_SELECT] = (uint8_t)(sel >> 8);
    e[FW_CFG_ENT_SELECT + 1] = (uint8_t)sel;
    memcpy(e + FW_CFG_ENT_NAME, name, strnlen(name, FW_CFG_NAME_LEN));
    return len + FW_CFG_FILE_ENTRY_BYTES;
}

static size_t sample_dir(uint8_t *dir)
{
    put_be32(dir, 3);
    size_t len = 4;
    len = add_entry(dir, len, 0x1234, 0x20, "etc/e820");
    len = add_entry(dir, len, 42, 0x21, "opt/fluid/cmdline");
    len = add_entry(dir, len, 7, 0x22, "opt/fluid/cmdline2");
    return len;
}

TEST(finds_named_file)
{
    uint8_t dir[MAX_DIR];
    struct source s = {dir, sample_dir(dir), 0, 0};
    struct fwcfg_file f;
    uint32_t count;
    REQUIRE(fwcfg_dir_find(src_read, &s, "opt/fluid/cmdline", &f, &count) == FWCFG_OK);
    CHECK_EQ_U64(count, 3);
    CHECK_EQ_U64(f.size, 42);
    CHECK_EQ_U64(f.select, 0x21);
    CHECK_EQ_U64(s.reads_past_end, 0);
}

TEST(prefix_or_longer_name_does_not_match)
{
    uint8_t dir[MAX_DIR];
    struct source s = {dir, sample_dir(dir), 0, 0};
    struct fwcfg_file f;
    CHECK(fwcfg_dir_find(src_read, &s, "opt/fluid", &f, NULL) == FWCFG_E_NOT_FOUND);
    CHECK_EQ_U64(s.reads_past_end, 0);      /* read exactly count entries, no more */
    s.pos = 0;
    REQUIRE(fwcfg_dir_find(src_read, &s, "opt/fluid/cmdline2", &f, NULL) == FWCFG_OK);
    CHECK_EQ_U64(f.select, 0x22);
}

TEST(unterminated_name_matches_nothing)
{
    uint8_t dir[MAX_DIR];
    char long_name[FW_CFG_NAME_LEN + 1];
    memset(long_name, 'n', FW_CFG_NAME_LEN);
    long_name[FW_CFG_NAME_LEN] = '\0';
    put_be32(dir, 1);
    size_t len = add_entry(dir, 4, 1, 0x20, long_name);    /* all 56 bytes used, no NUL */
    struct source s = {dir, len, 0, 0};
    struct fwcfg_file f;
    CHECK(fwcfg_dir_find(src_read, &s, long_name, &f, NULL) == FWCFG_E_NOT_FOUND);
}

TEST(absent_device_count_is_rejected)
{
    struct source s = {NULL, 0, 0, 0};      /* every byte reads 0xFF: count 0xFFFFFFFF */
    struct fwcfg_file f;
    uint32_t count = 0;
    CHECK(fwcfg_dir_find(src_read, &s, "x", &f, &count) == FWCFG_E_TOO_MANY_FILES);
    CHECK_EQ_U64(count, 0xFFFFFFFFu);
    CHECK_EQ_U64(s.reads_past_end, 4);      /* stopped after the count */
}

TEST(selector_below_file_range_is_rejected)
{
    uint8_t dir[MAX_DIR];
    put_be32(dir, 1);
    size_t len = add_entry(dir, 4, 4, 0x19, "bad");
    struct source s = {dir, len, 0, 0};
    struct fwcfg_file f;
    CHECK(fwcfg_dir_find(src_read, &s, "bad", &f, NULL) == FWCFG_E_BAD_SELECTOR);
}

TEST(empty_directory)
{
    uint8_t dir[4] = {0, 0, 0, 0};
    struct source s = {dir, sizeof dir, 0, 0};
    struct fwcfg_file f;
    CHECK(fwcfg_dir_find(src_read, &s, "x", &f, NULL) == FWCFG_E_NOT_FOUND);
}

TEST(error_names)
{
    CHECK_STREQ(fwcfg_strerror(FWCFG_E_BAD_SELECTOR), "selector below the file range");
    CHECK_STREQ(fwcfg_strerror((enum fwcfg_err)99), "unknown fwcfg error");
}

int main(void)
{
    check_suite = "test_fwcfg";
    RUN(finds_named_file);
    RUN(prefix_or_longer_name_does_not_match);
    RUN(unterminated_name_matches_nothing);
    RUN(absent_device_count_is_rejected);
    RUN(selector_below_file_range_is_rejected);
    RUN(empty_directory);
    RUN(error_names);
    return check_summary();
}
