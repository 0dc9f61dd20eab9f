/* Files for the LLM stage: finds the FAT16 partition that holds /MODELS (each ATA PIO disk
 * in turn, then stage2's RAM copy of partition 1 for machines without legacy IDE, e.g. q35's
 * AHCI) and reads whole files into heap buffers. The RAM copy holds only the first
 * RAMDISK_MAX_SECTORS of the partition (include/fluid/memlayout.h): a file beyond it fails
 * to read with a FAT16 I/O error, which names it. */
#include <string.h>

#include "kernel/arch/x86/ata.h"
#include "kernel/fs/fat16.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/drivers/ramdisk.h"
#include "kernel/llm/files.h"

#define MODELS_DIR          "/MODELS"
#define FILE_ALIGN          64      /* model weights are read in place: keep rows aligned */
#define READ_RETRIES        3

static struct fat16 volume;
static struct blockdev_part volume_part;
static struct ramdisk boot_ramdisk;
static bool volume_mounted;

/* True if dev holds a FAT16 volume with a /MODELS directory (mounted into `volume`). */
static bool try_disk(struct blockdev *dev)
{
    struct fat16_file dir;
    if (fat16_mount_disk(&volume, dev, &volume_part) != FAT16_OK)
        return false;
    if (fat16_opendir(&volume, MODELS_DIR, &dir) != FAT16_OK) {
        kprintf("llm: %s: FAT16 volume without %s\n", dev->name, MODELS_DIR);
        return false;
    }
    kprintf("llm: models on %s\n", dev->name);
    return true;
}

static bool try_ramdisk(const struct boot_info *bi)
{
    if (!bi || !bi->ramdisk_addr || !bi->ramdisk_size) {
        kprintf("llm: no RAM copy of the partition either (stage2 made none)\n");
        return false;
    }
    if (ramdisk_init(&boot_ramdisk, (const void *)(uintptr_t)bi->ramdisk_addr,
                     bi->ramdisk_size, "ramdisk") != BLOCKDEV_OK)
        return false;
    kprintf("llm: no ATA disk with %s; using stage2's RAM copy (%u KiB of partition 1)\n",
            MODELS_DIR, bi->ramdisk_size / 1024);
    return try_disk(&boot_ramdisk.dev);
}

bool llm_files_mount(const struct boot_info *bi)
{
    if (volume_mounted)
        return true;
    ata_probe();
    for (unsigned pos = 0; pos < ATA_POSITIONS && !volume_mounted; pos++) {
        struct blockdev *dev = ata_blockdev(pos);
        volume_mounted = dev && try_disk(dev);
    }
    if (!volume_mounted)
        volume_mounted = try_ramdisk(bi);
    return volume_mounted;
}

/* "NAME.BIN" -> "/MODELS/NAME.BIN"; a name with a '/' is a path of its own. */
static bool model_path(const char *name, char *out, size_t cap)
{
    const char *prefix = strchr(name, '/') ? "" : MODELS_DIR "/";
    size_t a = strlen(prefix), b = strlen(name);
    if (a + b + 1 > cap) {
        kprintf("llm: file name %s is too long\n", name);
        return false;
    }
    memcpy(out, prefix, a);
    memcpy(out + a, name, b + 1);
    return true;
}

static int file_open(const char *name, struct fat16_file *f, char *path, size_t cap)
{
    if (!model_path(name, path, cap))
        return FAT16_E_BAD_PATH;
    return fat16_open(&volume, path, f);
}

/* Reads all of f into buf. A failed read is retried from where it stopped, at most
 * READ_RETRIES times in all: the ATA driver's status polls are bounded by a count, and under
 * a loaded TCG host an IDE read can outlast them (the device finishes it meanwhile). */
static bool read_all(struct fat16_file *f, uint8_t *buf, const char *path)
{
    uint32_t pos = 0;
    for (unsigned tries = 0;; tries++) {
        uint32_t done = 0;
        int err = fat16_read(f, buf + pos, f->size - pos, &done);
        pos += done;
        if (err == FAT16_OK && pos == f->size)
            return true;
        kprintf("llm: reading %s: %s after %u of %u bytes%s\n", path, fat16_strerror(err), pos,
                f->size, tries < READ_RETRIES ? ", retrying" : "");
        if (tries == READ_RETRIES || err == FAT16_OK || fat16_seek(f, pos) != FAT16_OK)
            return false;
    }
}

void *llm_file_read(const char *name, size_t *len, bool quiet_if_absent)
{
    char path[LLM_PATH_MAX];
    struct fat16_file f;
    int err = file_open(name, &f, path, sizeof path);
    if (err != FAT16_OK) {
        if (!(quiet_if_absent && err == FAT16_E_NOT_FOUND))
            kprintf("llm: cannot open %s: %s\n", path, fat16_strerror(err));
        return NULL;
    }
    uint8_t *buf = aligned_alloc(FILE_ALIGN, f.size + 1u);     /* +1: room for a NUL */
    if (!buf) {
        kprintf("llm: no memory for %s (%u bytes)\n", path, f.size);
        return NULL;
    }
    if (!read_all(&f, buf, path)) {
        free(buf);
        return NULL;
    }
    buf[f.size] = '\0';
    *len = f.size;
    kprintf("llm: read %s, %u bytes\n", path, f.size);
    return buf;
}
