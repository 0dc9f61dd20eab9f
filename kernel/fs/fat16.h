/* FAT16 (Microsoft "FAT: General Overview of On-Disk Format", fatgen103, v1.03): reading, and
 * rewriting the data of existing files in place (never the FAT or a directory).
 * Mounts a volume on any struct blockdev after checking the boot sector field by field, opens
 * files and directories by path ("/CACHE/I686/SHA256.MOD"; 8.3 names, matched without regard
 * to case), reads files across their cluster chains and lists directories. Every cluster
 * number is range-checked and every chain walk is bounded by the volume's cluster count, so a
 * corrupt volume yields an error, never a hang. No heap: the caller owns every structure,
 * and struct fat16 carries a one-sector cache. Long-file-name entries are skipped (files are
 * reached through their 8.3 alias). Portable C: the kernel and the host tests build this file.
 * Not reentrant: one struct fat16 (and its files) per thread of control. */
#ifndef FLUID_KERNEL_FAT16_H
#define FLUID_KERNEL_FAT16_H

#include <fluid/types.h>

#include "kernel/drivers/blockdev.h"
#include "kernel/fs/mbr.h"

#define FAT16_NAME_MAX      13      /* "NAME.EXT" plus NUL */

/* The on-disk format, here so that boot/asm-offsets.c can give it to the host tools.
 * Boot sector and BPB (fatgen103 §3.1 "Boot Sector and BPB"), offsets in bytes. */
#define BS_jmpBoot          0       /* jump to boot code: EB xx 90 or E9 xx xx (3 bytes) */
#define BPB_BytsPerSec      11      /* bytes per sector (u16) */
#define BPB_SecPerClus      13      /* sectors per cluster (u8) */
#define BPB_RsvdSecCnt      14      /* sectors before FAT 1, boot sector included (u16) */
#define BPB_NumFATs         16      /* copies of the FAT (u8) */
#define BPB_RootEntCnt      17      /* 32-byte entries in the fixed root directory (u16) */
#define BPB_TotSec16        19      /* total sectors, 0 if BPB_TotSec32 holds them (u16) */
#define BPB_Media           21      /* media descriptor (u8) */
#define BPB_FATSz16         22      /* sectors per FAT (u16) */
#define BPB_TotSec32        32      /* total sectors when BPB_TotSec16 is 0 (u32) */
#define BS_SIGNATURE        510     /* 0x55 0xAA (2 bytes), fatgen103 §3.2 */

/* fatgen103 §3.5: the FAT type is decided by the count of data clusters alone. */
#define FAT16_MIN_CLUSTERS  4085
#define FAT16_MAX_CLUSTERS  65524

/* FAT16 entry values (fatgen103 §4). */
#define FAT_ENTRY_BYTES     2
#define FAT_FIRST_CLUSTER   2       /* clusters 0 and 1 are reserved */
#define FAT_BAD_CLUSTER     0xFFF7
#define FAT_EOC_MIN         0xFFF8  /* 0xFFF8..0xFFFF: end of chain */

/* Directory entry (fatgen103 §6 "Directory Structure"), offsets in bytes. */
#define DIR_Name            0       /* 8.3 name, space-padded, no dot (11 bytes) */
#define DIR_Attr            11      /* ATTR_* bits (u8) */
#define DIR_FstClusLO       26      /* first cluster (u16); DIR_FstClusHI is 0 on FAT16 */
#define DIR_FileSize        28      /* bytes (u32) */
#define DIR_ENTRY_SIZE      32
#define DIR_NAME_LEN        11
#define DIR_BASE_LEN        8
#define DIR_EXT_LEN         3

#define ATTR_VOLUME_ID      0x08
#define ATTR_DIRECTORY      0x10
#define ATTR_LONG_NAME      0x0F    /* READ_ONLY|HIDDEN|SYSTEM|VOLUME_ID: an LFN entry */
#define ATTR_LONG_NAME_MASK 0x3F
#define DIR_NAME_FREE_ALL   0x00    /* this and every later entry are free */
#define DIR_NAME_DELETED    0xE5
#define DIR_NAME_KANJI_E5   0x05    /* stands for a first byte 0xE5 (fatgen103 §6) */

/* Every result of this subsystem. Mount failures name the first bad boot-sector field.
 * Errors of the layers below are not passed on as such: a failed blockdev_read() (logged
 * there with its enum blockdev_err) is FAT16_E_IO, and fat16_mount_disk logs why the MBR is
 * unusable (mbr_strerror) and returns a fat16 error. */
enum fat16_err {
    FAT16_OK = 0,
    FAT16_END,                  /* fat16_readdir: no more entries (not a failure) */
    FAT16_E_IO,                 /* the block device failed a read (blockdev error logged) */
    FAT16_E_SIGNATURE,          /* boot sector bytes 510..511 are not 0x55 0xAA */
    FAT16_E_JMP_BOOT,           /* BS_jmpBoot is neither EB xx 90 nor E9 xx xx */
    FAT16_E_BYTS_PER_SEC,       /* BPB_BytsPerSec is not 512, 1024, 2048 or 4096 */
    FAT16_E_SEC_PER_CLUS,       /* BPB_SecPerClus is not a power of two in 1..128 */
    FAT16_E_RSVD_SEC_CNT,       /* BPB_RsvdSecCnt is 0 */
    FAT16_E_NUM_FATS,           /* BPB_NumFATs is not 1 or 2 */
    FAT16_E_ROOT_ENT_CNT,       /* BPB_RootEntCnt is 0 or not a whole number of sectors */
    FAT16_E_MEDIA,              /* BPB_Media is not 0xF0 or 0xF8..0xFF */
    FAT16_E_TOT_SEC,            /* total sectors 0, or no room past the system area */
    FAT16_E_FAT_SZ,             /* BPB_FATSz16 is 0, or too small for the cluster count */
    FAT16_E_NOT_FAT16,          /* cluster count outside 4085..65524: FAT12 or FAT32 */
    FAT16_E_DEVICE_SMALL,       /* the device ends before the first data sector */
    FAT16_E_NO_VOLUME,          /* fat16_mount_disk: no FAT16 volume, bare or partitioned */
    FAT16_E_BAD_PARTITION,      /* fat16_mount_disk: each FAT16 partition's entry is invalid */
    FAT16_E_BAD_PATH,           /* empty path, or a component that is no valid 8.3 name */
    FAT16_E_NOT_FOUND,          /* no entry of that name */
    FAT16_E_NOT_DIR,            /* a path component or opendir target is a file */
    FAT16_E_IS_DIR,             /* fat16_open on a directory */
    FAT16_E_BAD_CLUSTER,        /* a chain holds a free, reserved, bad or out-of-range cluster */
    FAT16_E_CHAIN_LOOP,         /* a chain is longer than the volume's cluster count */
    FAT16_E_CHAIN_SHORT,        /* a file's chain ends before its size is covered */
    FAT16_E_INVAL,              /* a NULL argument or an unmounted volume */
    FAT16_E_READ_ONLY,          /* fat16_write on a device that cannot write */
    FAT16_E_UNALIGNED,          /* fat16_write of a range not whole sectors inside the file */
};

/* A mounted volume. Geometry is in device sectors (BLOCKDEV_SECTOR_SIZE), relative to dev. */
struct fat16 {
    struct blockdev *dev;
    uint32_t fat_lba;           /* first sector of FAT 1 */
    uint32_t fat_entries;       /* 16-bit entries FAT 1 holds */
    uint32_t root_lba;          /* first sector of the fixed root directory */
    uint32_t root_entries;      /* 32-byte entries in it */
    uint32_t data_lba;          /* first sector of cluster 2 */
    uint32_t cluster_sectors;   /* device sectors per cluster */
    uint32_t cluster_bytes;     /* bytes per cluster */
    uint32_t cluster_count;     /* data clusters: valid numbers are 2 .. cluster_count + 1 */
    uint64_t volume_sectors;    /* device sectors the boot sector claims */
    uint64_t cache_lba;         /* which sector cache[] holds, if cache_valid */
    bool     cache_valid;
    uint8_t  cache[BLOCKDEV_SECTOR_SIZE];
    /* Set by fat16_mount_disk, mounted or not: whether sector 0 held a partition table, and
     * its entries with each one's verdict (so the volume finder can tell that a disk rejected
     * the boot partition). */
    bool     partitioned;
    struct mbr_part parts[MBR_PART_COUNT];
};

/* An open file or directory. */
struct fat16_file {
    struct fat16 *fs;
    bool     is_dir;
    bool     is_root;           /* the fixed root directory (no cluster chain) */
    uint16_t first_cluster;     /* 0 for an empty file and for the root */
    uint32_t size;              /* bytes; 0 for directories */
    uint32_t pos;               /* files: next byte to read; directories: next entry index */
    uint16_t cluster;           /* cluster number cluster_index of the chain (cursor) */
    uint32_t cluster_index;
};

/* One directory entry as fat16_readdir reports it. */
struct fat16_dirent {
    char     name[FAT16_NAME_MAX];  /* "NAME.EXT", upper case, NUL-terminated */
    uint8_t  attr;                  /* DIR_Attr bits (0x10 directory, 0x01 read-only, ...) */
    bool     is_dir;
    uint32_t size;                  /* bytes; 0 for directories */
    uint16_t first_cluster;
};

/* Mounts the FAT16 volume that starts at sector 0 of dev. Checks the boot sector field by
 * field (fatgen103 §3) and logs the first bad one with its value, e.g.
 * "fat16: ata1: BPB_SecPerClus 3 is not a power of two". Returns FAT16_OK or the error of
 * that field (FAT16_E_BYTS_PER_SEC, ...), or FAT16_E_IO. A volume longer than dev (a RAM disk
 * holding only the first part of a partition) is mounted with a warning; reads past the end
 * of dev then fail with FAT16_E_IO. */
enum fat16_err fat16_mount(struct fat16 *fs, struct blockdev *dev);

/* Finds and mounts a FAT16 volume on a whole disk: sector 0 itself if it is a FAT16 boot
 * sector (a bare volume, as on a second disk or a RAM disk), otherwise the first MBR
 * partition of a FAT16 type whose entry is valid (mbr_parse's verdict: on the disk, no
 * overlap) and that mounts. part is the caller's storage for the partition view the volume
 * then lives on (it must outlive fs). Returns FAT16_OK or FAT16_E_IO; with a partition table,
 * FAT16_E_NO_VOLUME if no entry is of a FAT16 type, FAT16_E_BAD_PARTITION if every FAT16 one
 * has an invalid entry, else the last partition's mount error; without one (no signature,
 * a bad boot indicator, an empty table, or bad entries in a sector with a FAT jump and a BPB,
 * which was meant as a boot sector), the boot-sector error of sector 0
 * (FAT16_E_SEC_PER_CLUS, ...). Every failure is logged; a bad entry by the mbr subsystem,
 * with the value ("mbr: ata0: partition 1 ends at sector ..."). Fills fs->partitioned and
 * fs->parts either way. */
enum fat16_err fat16_mount_disk(struct fat16 *fs, struct blockdev *disk,
                                struct blockdev_part *part);

/* Opens the file at path ('/'-separated 8.3 names, leading '/' optional, any case). Checks
 * the whole cluster chain first: FAT16_E_BAD_CLUSTER, FAT16_E_CHAIN_LOOP, FAT16_E_CHAIN_SHORT
 * (chain shorter than the size). Also FAT16_E_NOT_FOUND, FAT16_E_NOT_DIR, FAT16_E_IS_DIR,
 * FAT16_E_BAD_PATH, FAT16_E_IO. */
enum fat16_err fat16_open(struct fat16 *fs, const char *path, struct fat16_file *f);

/* Opens a directory ("/" or "" is the root) for fat16_readdir. Same errors as fat16_open,
 * with FAT16_E_NOT_DIR when path names a file. */
enum fat16_err fat16_opendir(struct fat16 *fs, const char *path, struct fat16_file *dir);

/* Reads up to len bytes from f's position into buf; *done (may be NULL) gets the count, which
 * is short only at the end of the file. Returns FAT16_OK (also at the end of the file, with
 * *done 0), FAT16_E_IS_DIR, FAT16_E_BAD_CLUSTER, FAT16_E_CHAIN_SHORT or FAT16_E_IO. */
enum fat16_err fat16_read(struct fat16_file *f, void *buf, uint32_t len, uint32_t *done);

/* Overwrites bytes [f->pos, f->pos + len) of the open file f with data and advances f->pos.
 * In whole sectors inside the file: pos and len multiples of BLOCKDEV_SECTOR_SIZE, pos + len
 * <= size. Only the file's own data sectors are written; the FAT, the directories and the
 * file's size stay as they are, so a write cut short leaves the volume consistent. Returns
 * FAT16_OK, FAT16_E_UNALIGNED, FAT16_E_IS_DIR, FAT16_E_READ_ONLY, FAT16_E_BAD_CLUSTER,
 * FAT16_E_CHAIN_SHORT or FAT16_E_IO (the blockdev error logged). */
enum fat16_err fat16_write(struct fat16_file *f, const void *data, uint32_t len);

/* Sets f's read position (clamped to the file size). Returns FAT16_OK or FAT16_E_IS_DIR. */
enum fat16_err fat16_seek(struct fat16_file *f, uint32_t pos);

/* Fills *out with the next entry of dir, skipping deleted, long-name and volume-label
 * entries and "." / "..". Returns FAT16_OK, FAT16_END after the last entry, FAT16_E_NOT_DIR,
 * FAT16_E_BAD_CLUSTER, FAT16_E_CHAIN_LOOP or FAT16_E_IO. */
enum fat16_err fat16_readdir(struct fat16_file *dir, struct fat16_dirent *out);

/* A short description of an enum fat16_err value; the boot-sector errors name the field.
 * "unknown fat16 error" for a value outside the enum. */
const char *fat16_strerror(enum fat16_err err);

#endif
