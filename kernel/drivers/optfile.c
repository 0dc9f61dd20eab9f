/* /CMDLINE.TXT from the RAM copy of the boot partition (contract in optfile.h). */
#include "kernel/drivers/optfile.h"

#include "kernel/core/log.h"
#include "kernel/drivers/ramdisk.h"
#include "kernel/fs/fat16.h"

/* Not on the caller's stack: struct fat16 carries a sector cache, and this runs on the
 * boot stack before the kernel's own stack exists. Boot CPU only, once. */
static struct ramdisk opt_disk;
static struct fat16 opt_fs;

static enum optfile_err read_text(struct fat16_file *f, char *text, size_t cap)
{
    if ((uint64_t)f->size + 1 > cap) {
        kprintf("cmdline: %s is %u bytes, more than the %u a command line holds; ignored\n",
                OPTFILE_PATH, f->size, (unsigned)(cap - 1));
        return OPTFILE_E_TOO_LONG;
    }
    uint32_t done = 0;
    if (fat16_read(f, text, f->size, &done) != FAT16_OK || done != f->size)
        return OPTFILE_E_READ;
    text[done] = '\0';
    for (uint32_t i = 0; i < done; i++)
        if (text[i] == '\r')
            text[i] = ' ';
    return OPTFILE_OK;
}

enum optfile_err optfile_read(const void *ramdisk, uint64_t bytes, char *text, size_t cap)
{
    if (cap)
        text[0] = '\0';
    if (!ramdisk || !bytes)
        return OPTFILE_E_NO_RAMDISK;
    if (ramdisk_init(&opt_disk, ramdisk, bytes, "ramdisk") != BLOCKDEV_OK)
        return OPTFILE_E_NO_RAMDISK;
    if (fat16_mount(&opt_fs, &opt_disk.dev) != FAT16_OK)
        return OPTFILE_E_NO_VOLUME;
    struct fat16_file f;
    if (fat16_open(&opt_fs, OPTFILE_PATH, &f) != FAT16_OK)
        return OPTFILE_E_NOT_FOUND;
    enum optfile_err err = read_text(&f, text, cap);
    if (err != OPTFILE_OK && cap)
        text[0] = '\0';
    return err;
}

const char *optfile_strerror(enum optfile_err err)
{
    switch (err) {
    case OPTFILE_OK:            return "ok";
    case OPTFILE_E_NO_RAMDISK:  return "no RAM copy of the boot partition";
    case OPTFILE_E_NO_VOLUME:   return "the RAM copy is not a FAT16 volume";
    case OPTFILE_E_NOT_FOUND:   return "no " OPTFILE_PATH;
    case OPTFILE_E_TOO_LONG:    return OPTFILE_PATH " is too long";
    case OPTFILE_E_READ:        return OPTFILE_PATH " could not be read";
    }
    return "unknown optfile error";
}
