/* The boot options as a file: /CMDLINE.TXT in the root of the boot disk's FAT16 partition,
 * read through the RAM copy stage2 makes of that partition (boot_info.ramdisk_addr). It is
 * the command line of machines without QEMU's fw_cfg (real PCs, Bochs); kernel/core/startup.c
 * reads it only when fw_cfg has no opt/fluid/cmdline. Portable C (host-tested over an
 * in-memory volume): the caller passes the RAM copy's address and size. */
#ifndef FLUID_KERNEL_OPTFILE_H
#define FLUID_KERNEL_OPTFILE_H

#include <fluid/types.h>

#define OPTFILE_PATH    "/CMDLINE.TXT"

/* Every result of this subsystem. */
enum optfile_err {
    OPTFILE_OK = 0,
    OPTFILE_E_NO_RAMDISK,       /* stage2 made no RAM copy of the partition */
    OPTFILE_E_NO_VOLUME,        /* the copy does not mount as FAT16 (fat16 logged why) */
    OPTFILE_E_NOT_FOUND,        /* no /CMDLINE.TXT: no options, not an error to report */
    OPTFILE_E_TOO_LONG,         /* the file does not fit the caller's buffer with its NUL */
    OPTFILE_E_READ,             /* the file's clusters could not be read */
};

/* Reads OPTFILE_PATH from the FAT16 volume of `bytes` bytes at `ramdisk` into text (cap
 * bytes, NUL-terminated). Carriage returns become spaces, so a file saved with CR LF line
 * ends gives the same words. Returns OPTFILE_OK or the error; text is then "" (a too-long
 * file is logged with its size). */
enum optfile_err optfile_read(const void *ramdisk, uint64_t bytes, char *text, size_t cap);

/* A short description of an enum optfile_err value; "unknown optfile error" outside it. */
const char *optfile_strerror(enum optfile_err err);

#endif
