/* The FAT16 volume finder (contract in volume.h). */
#include "kernel/fs/volume.h"

#include "kernel/arch/x86/ata.h"
#include "kernel/arch/x86/bios.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/log.h"

#define VOLUME_BIOS_ONLY_OPTION "disk=bios"
#define VOLUME_BIOS_CHS_OPTION  "disk=bios-chs"     /* also: the BIOS's CHS calls only */

enum ata_pass {
    PASS_OTHER_DISKS,           /* every volume but the boot partition */
    PASS_BOOT_PARTITION,        /* only the boot partition */
};

static bool is_boot_partition(const struct volume *v, const struct boot_info *bi)
{
    return bi && v->fs.dev == &v->part.dev && v->part.start == bi->partition_lba;
}

/* v->fs is mounted on disk: true if it has dir (then v is complete), else logged. */
static bool has_dir(struct volume *v, struct blockdev *disk, const char *dir, const char *who)
{
    struct fat16_file f;
    v->disk = disk;
    v->name = v->fs.dev ? v->fs.dev->name : disk->name;
    enum fat16_err err = fat16_opendir(&v->fs, dir, &f);
    if (err == FAT16_OK)
        return true;
    if (err == FAT16_E_NOT_FOUND || err == FAT16_E_NOT_DIR)
        kprintf("%s: %s: no %s directory\n", who, v->name, dir);
    else
        kprintf("%s: %s: cannot open %s: %s\n", who, v->name, dir, fat16_strerror(err));
    return false;
}

static bool try_ata(struct volume *v, const char *dir, const struct boot_info *bi,
                    enum ata_pass pass, const char *who)
{
    for (unsigned i = 0; i < ATA_POSITIONS; i++) {
        struct blockdev *disk = ata_blockdev(i);
        if (!disk || fat16_mount_disk(&v->fs, disk, &v->part) != FAT16_OK)
            continue;
        bool boot = is_boot_partition(v, bi);
        if (boot == (pass == PASS_BOOT_PARTITION) && has_dir(v, disk, dir, who))
            return true;
    }
    return false;
}

static bool try_bios(struct volume *v, const char *dir, const struct boot_info *bi,
                     const char *who)
{
    if (!bi || !bios_available())
        return false;
    uint64_t partition_end = (uint64_t)bi->partition_lba + bi->partition_sectors;
    kprintf("%s: trying the boot disk (BIOS drive 0x%02x) through the BIOS\n", who,
            bi->boot_drive);
    if (biosdisk_init(&v->bios_disk, bi->boot_drive, partition_end,
                      cmdline_has(VOLUME_BIOS_CHS_OPTION)) != BLOCKDEV_OK ||
        fat16_mount_disk(&v->fs, &v->bios_disk.dev, &v->part) != FAT16_OK)
        return false;
    if (!is_boot_partition(v, bi)) {
        kprintf("%s: %s: its FAT16 partition is not the one booted from (LBA %u)\n", who,
                v->bios_disk.name, (unsigned)bi->partition_lba);
        return false;
    }
    return has_dir(v, &v->bios_disk.dev, dir, who);
}

static bool try_ram_copy(struct volume *v, const char *dir, const struct boot_info *bi,
                         const char *who)
{
    if (!bi || !bi->ramdisk_addr || !bi->ramdisk_size) {
        kprintf("%s: no ATA disk with %s, and stage2 made no RAM copy\n", who, dir);
        return false;
    }
    kprintf("%s: no ATA disk with %s; trying stage2's RAM copy (%u KiB of partition 1)\n",
            who, dir, bi->ramdisk_size / 1024);
    if (ramdisk_init(&v->ram_copy, (const void *)(uintptr_t)bi->ramdisk_addr,
                     bi->ramdisk_size, "ramdisk") != BLOCKDEV_OK)
        return false;
    return fat16_mount_disk(&v->fs, &v->ram_copy.dev, &v->part) == FAT16_OK &&
           has_dir(v, &v->ram_copy.dev, dir, who);
}

bool volume_find(struct volume *v, const char *dir, const struct boot_info *bi,
                 const char *who)
{
    bool ata = !cmdline_has(VOLUME_BIOS_ONLY_OPTION) && !cmdline_has(VOLUME_BIOS_CHS_OPTION);
    if (ata)
        ata_probe();
    else
        kprintf("%s: %s: ATA disks not probed\n", who, VOLUME_BIOS_ONLY_OPTION);
    if (ata && (try_ata(v, dir, bi, PASS_OTHER_DISKS, who) ||
                try_ata(v, dir, bi, PASS_BOOT_PARTITION, who)))
        return true;
    if (try_bios(v, dir, bi, who) || try_ram_copy(v, dir, bi, who))
        return true;
    kprintf("%s: no volume with %s\n", who, dir);
    return false;
}
