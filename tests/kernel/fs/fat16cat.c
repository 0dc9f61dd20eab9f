/* fat16cat: the host front end of kernel/fs/fat16.c that the Python image tests drive.
 *   fat16cat IMAGE cat PATH      file contents to stdout
 *   fat16cat IMAGE ls PATH       one line per entry: "D|F <size> <NAME>"
 *   fat16cat IMAGE tree          every file below the root: "<size> <PATH>", depth-first
 * IMAGE is a whole disk (bare volume or MBR-partitioned, found by fat16_mount_disk) read
 * through a pread()-backed block device. On failure prints "fat16cat: <what>: <strerror>"
 * to stderr and exits 1; the driver's own diagnostic lines precede it on stderr. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/fs/fat16.h"

#define TREE_MAX_DEPTH  16
#define PATH_MAX_LEN    256
#define COPY_CHUNK      (64 * 1024 + 17)  /* odd size: exercises partial-sector reads */

static enum blockdev_err file_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                   void *buf)
{
    int fd = *(int *)dev->priv;
    size_t n = (size_t)count * BLOCKDEV_SECTOR_SIZE;
    ssize_t got = pread(fd, buf, n, (off_t)(lba * BLOCKDEV_SECTOR_SIZE));
    return got == (ssize_t)n ? BLOCKDEV_OK : BLOCKDEV_E_IO;
}

static int fail(const char *what, enum fat16_err err)
{
    fprintf(stderr, "fat16cat: %s: %s\n", what, fat16_strerror(err));
    return 1;
}

static int cmd_cat(struct fat16 *fs, const char *path)
{
    static unsigned char buf[COPY_CHUNK];
    struct fat16_file f;
    enum fat16_err err = fat16_open(fs, path, &f);
    if (err != FAT16_OK)
        return fail(path, err);
    uint32_t got;
    while ((err = fat16_read(&f, buf, sizeof buf, &got)) == FAT16_OK && got > 0)
        fwrite(buf, 1, got, stdout);
    return err == FAT16_OK ? 0 : fail(path, err);
}

static int cmd_ls(struct fat16 *fs, const char *path)
{
    struct fat16_file dir;
    struct fat16_dirent d;
    enum fat16_err err = fat16_opendir(fs, path, &dir);
    if (err != FAT16_OK)
        return fail(path, err);
    while ((err = fat16_readdir(&dir, &d)) == FAT16_OK)
        printf("%c %u %s\n", d.is_dir ? 'D' : 'F', d.size, d.name);
    return err == FAT16_END ? 0 : fail(path, err);
}

static int tree(struct fat16 *fs, const char *path, int depth)
{
    struct fat16_file dir;
    struct fat16_dirent d;
    char sub[PATH_MAX_LEN];
    enum fat16_err err = fat16_opendir(fs, path, &dir);
    if (err != FAT16_OK || depth > TREE_MAX_DEPTH)
        return fail(path, err != FAT16_OK ? err : FAT16_E_BAD_PATH);
    while ((err = fat16_readdir(&dir, &d)) == FAT16_OK) {
        snprintf(sub, sizeof sub, "%s/%s", path, d.name);
        if (!d.is_dir)
            printf("%u %s\n", d.size, sub);
        else if (tree(fs, sub, depth + 1) != 0)
            return 1;
    }
    return err == FAT16_END ? 0 : fail(path, err);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "tree") != 0 && argc != 4)) {
        fprintf(stderr, "usage: fat16cat IMAGE cat|ls PATH  |  fat16cat IMAGE tree\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 2;
    }
    struct blockdev disk = {.name = "disk", .sectors = (uint64_t)st.st_size / BLOCKDEV_SECTOR_SIZE,
                            .read = file_read, .priv = &fd};
    struct blockdev_part part;
    static struct fat16 fs;
    enum fat16_err err = fat16_mount_disk(&fs, &disk, &part);
    if (err != FAT16_OK)
        return fail("mount", err);
    if (strcmp(argv[2], "cat") == 0)
        return cmd_cat(&fs, argv[3]);
    if (strcmp(argv[2], "ls") == 0)
        return cmd_ls(&fs, argv[3]);
    return tree(&fs, "", 0);
}
