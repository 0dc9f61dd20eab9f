/* The FAT16 volume finder (contract in volume.h). */
#include "kernel/fs/volume.h"

#include "kernel/arch/x86/ata.h"
#include "kernel/arch/x86/bios.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/fs/mbr.h"

#define VOLUME_BIOS_ONLY_OPTION "disk=bios"
#define VOLUME_BIOS_CHS_OPTION  "disk=bios-chs"     /* also: the BIOS's CHS calls only */
#define BOOT_PARTITION_INDEX    0       /* stage2 copies the first entry, "partition 1" */

enum ata_pass {
    PASS_OTHER_DISKS,           /* every volume but the boot partition */
    PASS_BOOT_PARTITION,        /* only the boot partition */
};

/* What the disks read so far said about the boot partition (the MBR entry stage2 copied,
 * boot_info.partition_lba/_sectors): the first rejection of it, if any. */
struct boot_verdict {
    enum mbr_err err;           /* MBR_OK until a disk's MBR rejects that entry */
    const char *disk;           /* the disk that did */
};

static bool is_boot_partition(const struct volume *v, const struct boot_info *bi)
{
    return bi && v->fs.dev == &v->part.dev && v->part.start == bi->partition_lba;
}

/* After fat16_mount_disk on disk: if its MBR's first entry is the boot partition (same start
 * and length) and got a bad verdict, remember it. A disk that lists the same entry but is not
 * the boot disk would count too; that errs on the side of not using the RAM copy. */
static void note_verdict(const struct fat16 *fs, const char *disk, const struct boot_info *bi,
                         struct boot_verdict *bv)
{
    const struct mbr_part *p = &fs->parts[BOOT_PARTITION_INDEX];
    if (!bi || !fs->partitioned || bv->err != MBR_OK || p->type == MBR_TYPE_EMPTY ||
        p->lba != bi->partition_lba || p->sectors != bi->partition_sectors)
        return;
    bv->err = p->verdict;
    bv->disk = disk;
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
                    enum ata_pass pass, const char *who, struct boot_verdict *bv)
{
    for (unsigned i = 0; i < ATA_POSITIONS; i++) {
        struct blockdev *disk = ata_blockdev(i);
        if (!disk)
            continue;
        enum fat16_err err = fat16_mount_disk(&v->fs, disk, &v->part);
        note_verdict(&v->fs, disk->name, bi, bv);
        if (err != FAT16_OK)
            continue;
        bool boot = is_boot_partition(v, bi);
        if (boot == (pass == PASS_BOOT_PARTITION) && has_dir(v, disk, dir, who))
            return true;
    }
    return false;
}

static bool try_bios(struct volume *v, const char *dir, const struct boot_info *bi,
                     const char *who, struct boot_verdict *bv)
{
    if (!bi || !bios_available())
        return false;
    uint64_t partition_end = (uint64_t)bi->partition_lba + bi->partition_sectors;
    kprintf("%s: trying the boot disk (BIOS drive 0x%02x) through the BIOS\n", who,
            bi->boot_drive);
    if (biosdisk_init(&v->bios_disk, bi->boot_drive, partition_end,
                      cmdline_has(VOLUME_BIOS_CHS_OPTION)) != BLOCKDEV_OK)
        return false;
    enum fat16_err err = fat16_mount_disk(&v->fs, &v->bios_disk.dev, &v->part);
    note_verdict(&v->fs, v->bios_disk.name, bi, bv);
    if (err != FAT16_OK)
        return false;
    if (!is_boot_partition(v, bi)) {
        kprintf("%s: %s: its FAT16 partition is not the one booted from (LBA %u)\n", who,
                v->bios_disk.name, (unsigned)bi->partition_lba);
        return false;
    }
    return has_dir(v, &v->bios_disk.dev, dir, who);
}

/* The RAM copy holds partition 1 as its MBR entry says; it gets the same verdict as on the
 * disk. No copy of an entry a disk's MBR rejected (whatever the reason), and none of an entry
 * that lies past the end of the disk stage2 read it from, by the same rule and in the same
 * words as for a disk (mbr_check_extent; stage2 sized the disk with INT 13h AH=48h, and 0
 * means it could not). */
static bool ram_copy_allowed(const struct boot_info *bi, const struct boot_verdict *bv,
                             const char *who)
{
    char disk[BLOCKDEV_NAME_MAX];
    fmt_snprintf(disk, sizeof disk, "bios%02x", bi->boot_drive);
    if (bv->err != MBR_OK) {
        kprintf("%s: not using stage2's RAM copy of partition 1: %s's MBR entry for it is "
                "invalid (%s)\n", who, bv->disk, mbr_strerror(bv->err));
        return false;
    }
    if (bi->disk_sectors && mbr_check_extent(disk, BOOT_PARTITION_INDEX + 1, bi->partition_lba,
                                             bi->partition_sectors, bi->disk_sectors,
                                             true) != MBR_OK) {
        kprintf("%s: not using stage2's RAM copy of partition 1\n", who);
        return false;
    }
    return true;
}

static bool try_ram_copy(struct volume *v, const char *dir, const struct boot_info *bi,
                         const char *who, const struct boot_verdict *bv)
{
    if (!bi || !bi->ramdisk_addr || !bi->ramdisk_size) {
        kprintf("%s: no ATA disk with %s, and stage2 made no RAM copy\n", who, dir);
        return false;
    }
    if (!ram_copy_allowed(bi, bv, who))
        return false;
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
    struct boot_verdict bv = { MBR_OK, NULL };
    bool ata = !cmdline_has(VOLUME_BIOS_ONLY_OPTION) && !cmdline_has(VOLUME_BIOS_CHS_OPTION);
    if (ata)
        ata_probe();
    else
        kprintf("%s: %s: ATA disks not probed\n", who, VOLUME_BIOS_ONLY_OPTION);
    if (ata && (try_ata(v, dir, bi, PASS_OTHER_DISKS, who, &bv) ||
                try_ata(v, dir, bi, PASS_BOOT_PARTITION, who, &bv)))
        return true;
    if (try_bios(v, dir, bi, who, &bv) || try_ram_copy(v, dir, bi, who, &bv))
        return true;
    kprintf("%s: no volume with %s\n", who, dir);
    return false;
}
