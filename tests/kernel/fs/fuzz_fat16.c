/* libFuzzer target for kernel/fs/fat16.c (with blockdev, ramdisk-like reads and MBR parsing):
 * the input is the start of a disk of FUZZ_DISK_SECTORS sectors, zeros past the input's end,
 * so small inputs still describe a FAT16-sized volume (>= 4085 clusters). For each input:
 * mount the disk (bare or MBR), walk every directory to FUZZ_MAX_DEPTH and read every file.
 * ASan/UBSan catch memory and arithmetic faults; libFuzzer's -timeout catches hangs.
 * Built and run by `make fuzz` (mk/fat16.mk). Logging is swallowed here (formatted into a
 * scratch buffer, so bad format arguments still trip the sanitizers). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs/fat16.h"
#include "kernel/core/log.h"

#define FUZZ_DISK_SECTORS   (16u * 1024 * 1024 / BLOCKDEV_SECTOR_SIZE)  /* 16 MiB disk */
#define FUZZ_MAX_DEPTH      8
#define FUZZ_READ_CHUNK     1000    /* not a sector multiple: mixes cached and direct reads */

void kvprintf(const char *fmt, va_list ap)
{
    char scratch[512];
    vsnprintf(scratch, sizeof scratch, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    (void)fmt;
    abort();    /* fat16 must never panic on disk contents: a finding */
}

struct input {
    const uint8_t *data;
    size_t size;
};

static enum blockdev_err input_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                    void *buf)
{
    const struct input *in = dev->priv;
    uint64_t off = lba * BLOCKDEV_SECTOR_SIZE, n = (uint64_t)count * BLOCKDEV_SECTOR_SIZE;
    memset(buf, 0, n);
    if (off < in->size)
        memcpy(buf, in->data + off, in->size - off < n ? in->size - off : n);
    return BLOCKDEV_OK;
}

static void read_file(struct fat16 *fs, const char *path)
{
    static uint8_t buf[FUZZ_READ_CHUNK];
    struct fat16_file f;
    uint32_t got;
    if (fat16_open(fs, path, &f) != FAT16_OK)
        return;
    while (fat16_read(&f, buf, sizeof buf, &got) == FAT16_OK && got > 0)
        ;
}

static void walk(struct fat16 *fs, const char *path, int depth)
{
    struct fat16_file dir;
    struct fat16_dirent d;
    char sub[FUZZ_MAX_DEPTH * FAT16_NAME_MAX + 2];
    if (depth >= FUZZ_MAX_DEPTH || fat16_opendir(fs, path, &dir) != FAT16_OK)
        return;
    while (fat16_readdir(&dir, &d) == FAT16_OK) {
        snprintf(sub, sizeof sub, "%s/%s", path, d.name);
        if (d.is_dir)
            walk(fs, sub, depth + 1);
        else
            read_file(fs, sub);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct blockdev disk = {.name = "fuzz", .sectors = FUZZ_DISK_SECTORS, .read = input_read,
                            .priv = &in};
    struct blockdev_part part;
    static struct fat16 fs;
    if (fat16_mount_disk(&fs, &disk, &part) != FAT16_OK)
        return 0;
    walk(&fs, "", 0);
    read_file(&fs, "/CACHE/I686/SHA256.MOD");
    return 0;
}
