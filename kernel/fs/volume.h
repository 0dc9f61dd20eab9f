/* Finding the FAT16 volume that holds a directory, the same way for every caller (the module
 * cache stage, the LLM stage). Candidates, in this order; the first that mounts and has the
 * directory wins:
 *   1. every ATA disk but the boot disk's partition: a separate disk (cache.img) overrides;
 *   2. the boot disk's partition over ATA (partition start == boot_info.partition_lba);
 *   3. the boot disk's partition through the BIOS (kernel/drivers/biosdisk.h), for machines
 *      whose boot disk the ATA PIO driver cannot see (USB, AHCI, NVMe; q35 under QEMU);
 *   4. where the BIOS cannot be called, the RAM copy of that partition stage2 made with
 *      INT 13h. It holds only the first RAMDISK_MAX_SECTORS of the partition
 *      (include/fluid/memlayout.h): a file beyond that fails to read with a FAT16 I/O
 *      error, which names it. The copy gets the verdict its MBR entry gets on the disk: it
 *      is not used if a disk read in 1-3 rejected that entry, or if the entry lies past the
 *      end of the disk as stage2 sized it (boot_info.disk_sectors, the same
 *      mbr_check_extent rule, which stage2 also applied before copying).
 * The boot option `disk=bios` skips the ATA candidates (to test the BIOS path on a machine
 * with IDE); `disk=bios-chs` also keeps the BIOS disk to its CHS calls (the path of a BIOS
 * without INT 13h extensions). Kernel only (it probes the ATA positions). */
#ifndef FLUID_KERNEL_FS_VOLUME_H
#define FLUID_KERNEL_FS_VOLUME_H

#include <fluid/bootinfo.h>

#include "kernel/drivers/biosdisk.h"
#include "kernel/drivers/ramdisk.h"
#include "kernel/fs/fat16.h"

struct volume {
    struct fat16 fs;            /* the mounted volume */
    struct blockdev_part part;  /* its partition view, when it lives in a partition */
    struct biosdisk bios_disk;  /* the boot disk through the BIOS, when that is the candidate */
    struct ramdisk ram_copy;    /* stage2's RAM copy, when that is the candidate */
    struct blockdev *disk;      /* the whole disk it was found on ("ata0", "bios80", "ramdisk") */
    const char *name;           /* the volume's own device ("ata0p1", "ata1", "ramdisk") */
};

/* Mounts into v the first candidate with directory dir (an absolute path such as "/MODELS").
 * bi is the validated boot_info (NULL: no boot partition and no RAM copy are known). Log
 * lines start with who ("cache", "llm"): a candidate that mounts without dir, the fallback to
 * the RAM copy, and "no volume with DIR" when none has it. Returns true when v is mounted. */
bool volume_find(struct volume *v, const char *dir, const struct boot_info *bi,
                 const char *who);

#endif
