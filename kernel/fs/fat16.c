/* FAT16 driver (see fat16.h for the contract). Section references are to Microsoft's
 * fatgen103 ("FAT: General Overview of On-Disk Format", v1.03, 2000). All I/O goes through
 * blockdev_read() and blockdev_write(); nothing here touches hardware, so the same file runs in the kernel
 * and in the host tests and fuzzer. Every on-disk value is checked before it is used. */
#include "kernel/fs/fat16.h"

#include <string.h>

#include "kernel/core/log.h"
#include "kernel/fs/mbr.h"
#include "kernel/lib/ascii.h"
#include "kernel/lib/bytes.h"

/* Boot-sector values the mount accepts (the offsets are in fat16.h). */
#define JMP_SHORT           0xEB
#define JMP_SHORT_NOP       0x90
#define JMP_NEAR            0xE9
#define SIG_0               0x55
#define SIG_1               0xAA
#define MEDIA_MIN_FIXED     0xF8    /* 0xF0 and 0xF8..0xFF are legal (fatgen103 §3.1) */
#define MEDIA_REMOVABLE     0xF0
#define MAX_BYTS_PER_SEC    4096
#define MAX_SEC_PER_CLUS    128
#define BPB_FIELDS_END      (BPB_TotSec32 + 4)  /* end of the BPB every FAT type has (§3.1) */

#define NAME_PAD            ' '

#define SECTOR              BLOCKDEV_SECTOR_SIZE

/* ------------------------------------------------------------------------------------------
 * The one-sector cache. */

/* Makes fs->cache hold sector lba of the device. */
static enum fat16_err cache_load(struct fat16 *fs, uint64_t lba)
{
    if (fs->cache_valid && fs->cache_lba == lba)
        return FAT16_OK;
    fs->cache_valid = false;
    if (blockdev_read(fs->dev, lba, 1, fs->cache) != BLOCKDEV_OK)
        return FAT16_E_IO;
    fs->cache_lba = lba;
    fs->cache_valid = true;
    return FAT16_OK;
}

const char *fat16_strerror(enum fat16_err err)
{
    switch (err) {
    case FAT16_OK:             return "ok";
    case FAT16_END:            return "end of directory";
    case FAT16_E_IO:           return "device read failed";
    case FAT16_E_SIGNATURE:    return "boot sector signature is not 0x55AA";
    case FAT16_E_JMP_BOOT:     return "bad BS_jmpBoot";
    case FAT16_E_BYTS_PER_SEC: return "bad BPB_BytsPerSec";
    case FAT16_E_SEC_PER_CLUS: return "bad BPB_SecPerClus";
    case FAT16_E_RSVD_SEC_CNT: return "bad BPB_RsvdSecCnt";
    case FAT16_E_NUM_FATS:     return "bad BPB_NumFATs";
    case FAT16_E_ROOT_ENT_CNT: return "bad BPB_RootEntCnt";
    case FAT16_E_MEDIA:        return "bad BPB_Media";
    case FAT16_E_TOT_SEC:      return "bad total sector count";
    case FAT16_E_FAT_SZ:       return "bad BPB_FATSz16";
    case FAT16_E_NOT_FAT16:    return "cluster count is not FAT16's";
    case FAT16_E_DEVICE_SMALL: return "device smaller than the file system area";
    case FAT16_E_NO_VOLUME:    return "no FAT16 volume";
    case FAT16_E_BAD_PARTITION: return "invalid MBR entry for the FAT16 partition";
    case FAT16_E_BAD_PATH:     return "bad path";
    case FAT16_E_NOT_FOUND:    return "not found";
    case FAT16_E_NOT_DIR:      return "not a directory";
    case FAT16_E_IS_DIR:       return "is a directory";
    case FAT16_E_BAD_CLUSTER:  return "bad cluster number in chain";
    case FAT16_E_CHAIN_LOOP:   return "cluster chain loops";
    case FAT16_E_CHAIN_SHORT:  return "cluster chain shorter than file";
    case FAT16_E_INVAL:        return "invalid argument";
    case FAT16_E_READ_ONLY:    return "read-only device";
    case FAT16_E_UNALIGNED:    return "write not in whole sectors inside the file";
    }
    return "unknown fat16 error";
}

/* ------------------------------------------------------------------------------------------
 * Boot sector validation (fatgen103 §3), one rule per check, in on-disk order. */

/* The raw BPB fields mount needs, read once. */
struct bpb {
    uint32_t byts_per_sec, sec_per_clus, rsvd_sec_cnt, num_fats, root_ent_cnt;
    uint32_t media, fat_sz, tot_sec;
};

/* Logs "fat16: <dev>: <field> <value> <rule>" if log is set; returns err. Byte-pattern
 * fields (signature, jump, media) print in hex, counts in decimal. */
static enum fat16_err bpb_bad(bool log, const char *dev, enum fat16_err err, const char *field,
                              uint32_t value, const char *rule)
{
    bool hex = err == FAT16_E_SIGNATURE || err == FAT16_E_JMP_BOOT || err == FAT16_E_MEDIA;
    if (log)
        kprintf(hex ? "fat16: %s: %s 0x%x %s\n" : "fat16: %s: %s %u %s\n", dev, field, value,
                rule);
    return err;
}

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static void bpb_read(const uint8_t *bs, struct bpb *b)
{
    b->byts_per_sec = ld16(bs + BPB_BytsPerSec);
    b->sec_per_clus = bs[BPB_SecPerClus];
    b->rsvd_sec_cnt = ld16(bs + BPB_RsvdSecCnt);
    b->num_fats = bs[BPB_NumFATs];
    b->root_ent_cnt = ld16(bs + BPB_RootEntCnt);
    b->media = bs[BPB_Media];
    b->fat_sz = ld16(bs + BPB_FATSz16);
    b->tot_sec = ld16(bs + BPB_TotSec16) ? ld16(bs + BPB_TotSec16) : ld32(bs + BPB_TotSec32);
}

/* BS_jmpBoot is EB xx 90 or E9 xx xx (fatgen103 §3.1). */
static bool jmp_boot_ok(const uint8_t *bs)
{
    return (bs[BS_jmpBoot] == JMP_SHORT && bs[BS_jmpBoot + 2] == JMP_SHORT_NOP) ||
           bs[BS_jmpBoot] == JMP_NEAR;
}

/* The fields that stand alone: signature, jump, sizes, counts, media. */
static enum fat16_err bpb_check_fields(const uint8_t *bs, const struct bpb *b, bool log,
                                       const char *dev)
{
    if (bs[BS_SIGNATURE] != SIG_0 || bs[BS_SIGNATURE + 1] != SIG_1)
        return bpb_bad(log, dev, FAT16_E_SIGNATURE, "signature",
                       (uint32_t)bs[BS_SIGNATURE] << 8 | bs[BS_SIGNATURE + 1], "is not 0x55aa");
    if (!jmp_boot_ok(bs))
        return bpb_bad(log, dev, FAT16_E_JMP_BOOT, "BS_jmpBoot[0]", bs[BS_jmpBoot],
                       "is not EB xx 90 or E9 xx xx");
    if (b->byts_per_sec < SECTOR || b->byts_per_sec > MAX_BYTS_PER_SEC ||
        !is_pow2(b->byts_per_sec))
        return bpb_bad(log, dev, FAT16_E_BYTS_PER_SEC, "BPB_BytsPerSec", b->byts_per_sec,
                       "is not 512, 1024, 2048 or 4096");
    if (!is_pow2(b->sec_per_clus) || b->sec_per_clus > MAX_SEC_PER_CLUS)
        return bpb_bad(log, dev, FAT16_E_SEC_PER_CLUS, "BPB_SecPerClus", b->sec_per_clus,
                       "is not a power of two in 1..128");
    if (b->rsvd_sec_cnt == 0)
        return bpb_bad(log, dev, FAT16_E_RSVD_SEC_CNT, "BPB_RsvdSecCnt", 0, "is zero");
    if (b->num_fats != 1 && b->num_fats != 2)
        return bpb_bad(log, dev, FAT16_E_NUM_FATS, "BPB_NumFATs", b->num_fats, "is not 1 or 2");
    if (b->root_ent_cnt == 0 || (b->root_ent_cnt * DIR_ENTRY_SIZE) % b->byts_per_sec != 0)
        return bpb_bad(log, dev, FAT16_E_ROOT_ENT_CNT, "BPB_RootEntCnt", b->root_ent_cnt,
                       "does not fill a whole number of sectors");
    if (b->media != MEDIA_REMOVABLE && b->media < MEDIA_MIN_FIXED)
        return bpb_bad(log, dev, FAT16_E_MEDIA, "BPB_Media", b->media,
                       "is not 0xf0 or 0xf8..0xff");
    if (b->fat_sz == 0)
        return bpb_bad(log, dev, FAT16_E_FAT_SZ, "BPB_FATSz16", 0, "is zero");
    if (b->tot_sec == 0)
        return bpb_bad(log, dev, FAT16_E_TOT_SEC, "total sectors", 0, "is zero");
    return FAT16_OK;
}

/* The derived rules: system area, cluster count (the FAT type), FAT size. Fills fs's geometry
 * (in device sectors). Units: b's counts are in volume sectors of byts_per_sec bytes. */
static enum fat16_err bpb_check_geometry(const struct bpb *b, bool log, const char *dev,
                                         struct fat16 *fs)
{
    uint32_t root_secs = b->root_ent_cnt * DIR_ENTRY_SIZE / b->byts_per_sec;
    uint32_t system = b->rsvd_sec_cnt + b->num_fats * b->fat_sz + root_secs;
    if (b->tot_sec <= system)
        return bpb_bad(log, dev, FAT16_E_TOT_SEC, "total sectors", b->tot_sec,
                       "leave no room for data after the FATs and root directory");
    uint32_t clusters = (b->tot_sec - system) / b->sec_per_clus;
    if (clusters < FAT16_MIN_CLUSTERS || clusters > FAT16_MAX_CLUSTERS)
        return bpb_bad(log, dev, FAT16_E_NOT_FAT16, "cluster count", clusters,
                       "is outside FAT16's 4085..65524");
    uint32_t fat_entries = b->fat_sz * b->byts_per_sec / FAT_ENTRY_BYTES;
    if (fat_entries < clusters + FAT_FIRST_CLUSTER)
        return bpb_bad(log, dev, FAT16_E_FAT_SZ, "BPB_FATSz16", b->fat_sz,
                       "sectors cannot hold an entry for every cluster");
    uint32_t scale = b->byts_per_sec / SECTOR;      /* device sectors per volume sector */
    fs->fat_lba = b->rsvd_sec_cnt * scale;
    fs->fat_entries = fat_entries;
    fs->root_lba = (b->rsvd_sec_cnt + b->num_fats * b->fat_sz) * scale;
    fs->root_entries = b->root_ent_cnt;
    fs->data_lba = system * scale;
    fs->cluster_sectors = b->sec_per_clus * scale;
    fs->cluster_bytes = b->sec_per_clus * b->byts_per_sec;
    fs->cluster_count = clusters;
    fs->volume_sectors = (uint64_t)b->tot_sec * scale;
    return FAT16_OK;
}

/* Checks a boot sector; on success fills fs's geometry. log selects diagnostics. */
static enum fat16_err bpb_check(const uint8_t *bs, bool log, const char *dev, struct fat16 *fs)
{
    struct bpb b;
    bpb_read(bs, &b);
    enum fat16_err err = bpb_check_fields(bs, &b, log, dev);
    return err != FAT16_OK ? err : bpb_check_geometry(&b, log, dev, fs);
}

/* Mounts dev with diagnostics on or off (off while probing a disk for a bare volume). */
static enum fat16_err mount(struct fat16 *fs, struct blockdev *dev, bool log)
{
    fs->dev = dev;
    fs->cache_valid = false;
    if (cache_load(fs, 0) != FAT16_OK)
        return FAT16_E_IO;
    enum fat16_err err = bpb_check(fs->cache, log, dev->name, fs);
    if (err != FAT16_OK) {
        fs->dev = NULL;
        return err;
    }
    if (fs->data_lba >= dev->sectors) {
        if (log)
            kprintf("fat16: %s: device has %llu sectors, data area starts at %u\n", dev->name,
                    (unsigned long long)dev->sectors, fs->data_lba);
        fs->dev = NULL;
        return FAT16_E_DEVICE_SMALL;
    }
    if (log && fs->volume_sectors > dev->sectors)
        kprintf("fat16: %s: warning: volume has %llu sectors, device only %llu; files past "
                "the end cannot be read\n", dev->name, (unsigned long long)fs->volume_sectors,
                (unsigned long long)dev->sectors);
    return FAT16_OK;
}

enum fat16_err fat16_mount(struct fat16 *fs, struct blockdev *dev)
{
    if (!fs || !dev)
        return FAT16_E_INVAL;
    return mount(fs, dev, true);
}

/* Tries each MBR partition of a FAT16 type whose entry mbr_parse found valid, in table
 * order; FAT16_E_NO_VOLUME if there is none of that type, FAT16_E_BAD_PARTITION if each has
 * an invalid entry (never read: its sectors are not on the disk, or another's too), else the
 * error of the last one tried. */
static enum fat16_err mount_partition(struct fat16 *fs, struct blockdev *disk,
                                      struct blockdev_part *part, const struct mbr_part *parts)
{
    static const char *const suffix[MBR_PART_COUNT] = { "p1", "p2", "p3", "p4" };
    enum fat16_err err = FAT16_E_NO_VOLUME;
    for (int i = 0; i < MBR_PART_COUNT; i++) {
        if (!mbr_is_fat16_type(parts[i].type))
            continue;
        if (parts[i].verdict != MBR_OK) {
            kprintf("fat16: %s: partition %d not mounted: %s\n", disk->name, i + 1,
                    mbr_strerror(parts[i].verdict));
            if (err == FAT16_E_NO_VOLUME)
                err = FAT16_E_BAD_PARTITION;
            continue;
        }
        if (blockdev_part_init(part, disk, parts[i].lba, parts[i].sectors, suffix[i]) !=
            BLOCKDEV_OK)
            continue;
        err = mount(fs, &part->dev, true);
        if (err == FAT16_OK || err == FAT16_E_IO)
            return err;
    }
    if (err == FAT16_E_NO_VOLUME)
        kprintf("fat16: %s: the MBR lists no FAT16 partition\n", disk->name);
    return err;
}

static bool has_partition(const struct mbr_part *parts)
{
    for (int i = 0; i < MBR_PART_COUNT; i++)
        if (parts[i].type != MBR_TYPE_EMPTY)
            return true;
    return false;
}

/* Whether sector 0, which is no FAT16 boot sector but reads as a partition table with bad
 * entries, was meant as a boot sector: a FAT jump and a BPB that is not blank. A FAT boot
 * sector's code at bytes 446..509 can pass for entries (lying past the disk end); an MBR
 * either starts without a jump or, as Fluid's stage1 does, jumps over a BPB-sized gap it
 * leaves zero. */
static bool meant_as_boot_sector(const uint8_t *s)
{
    if (!jmp_boot_ok(s))
        return false;
    for (int i = BPB_BytsPerSec; i < BPB_FIELDS_END; i++)
        if (s[i])
            return true;
    return false;
}

enum fat16_err fat16_mount_disk(struct fat16 *fs, struct blockdev *disk, struct blockdev_part *part)
{
    if (!fs || !disk || !part)
        return FAT16_E_INVAL;
    fs->partitioned = false;
    enum fat16_err bare = mount(fs, disk, false);
    if (bare == FAT16_OK || bare == FAT16_E_IO)
        return bare == FAT16_OK ? mount(fs, disk, true) : bare;
    if (cache_load(fs, 0) != FAT16_OK)
        return FAT16_E_IO;
    enum mbr_err mbr = mbr_parse(fs->cache, disk->sectors, disk->name, fs->parts, false);
    bool table = mbr != MBR_E_SIGNATURE && mbr != MBR_E_BOOT_FLAG && has_partition(fs->parts);
    if (table && (mbr == MBR_OK || !meant_as_boot_sector(fs->cache))) {
        fs->partitioned = true;
        if (mbr != MBR_OK)          /* a table with bad entries: now say which, and why */
            mbr_parse(fs->cache, disk->sectors, disk->name, fs->parts, true);
        return mount_partition(fs, disk, part, fs->parts);
    }
    /* No partition table: sector 0 was meant as a boot sector; say why it is not one. */
    kprintf("fat16: %s: no partitions (%s) and no valid FAT16 boot sector:\n", disk->name,
            mbr == MBR_OK ? "empty table" : mbr_strerror(mbr));
    mount(fs, disk, true);
    return bare;
}

/* ------------------------------------------------------------------------------------------
 * Clusters and chains (fatgen103 §4). */

static bool cluster_valid(const struct fat16 *fs, uint32_t c)
{
    return c >= FAT_FIRST_CLUSTER && c < fs->cluster_count + FAT_FIRST_CLUSTER;
}

/* Sets *next to the cluster after c, or 0 at the end of the chain. c must be valid. */
static enum fat16_err fat_next(struct fat16 *fs, uint16_t c, uint16_t *next)
{
    uint32_t byte = (uint32_t)c * FAT_ENTRY_BYTES;
    enum fat16_err err = cache_load(fs, fs->fat_lba + byte / SECTOR);
    if (err != FAT16_OK)
        return err;
    uint16_t v = ld16(fs->cache + byte % SECTOR);
    if (v >= FAT_EOC_MIN) {
        *next = 0;
        return FAT16_OK;
    }
    if (!cluster_valid(fs, v)) {
        kprintf("fat16: %s: cluster %u links to %s cluster 0x%04x\n", fs->dev->name, c,
                v == FAT_BAD_CLUSTER ? "bad" : v < FAT_FIRST_CLUSTER ? "free/reserved" :
                "out-of-range", v);
        return FAT16_E_BAD_CLUSTER;
    }
    *next = v;
    return FAT16_OK;
}

/* Counts the clusters of the chain starting at first (valid, nonzero) into *len. A chain
 * that does not end within cluster_count links must revisit a cluster: FAT16_E_CHAIN_LOOP. */
static enum fat16_err chain_length(struct fat16 *fs, uint16_t first, uint32_t *len)
{
    uint32_t n = 0;
    for (uint16_t c = first; c != 0; n++) {
        if (n >= fs->cluster_count) {
            kprintf("fat16: %s: chain from cluster %u loops (longer than %u clusters)\n",
                    fs->dev->name, first, fs->cluster_count);
            return FAT16_E_CHAIN_LOOP;
        }
        enum fat16_err err = fat_next(fs, c, &c);
        if (err != FAT16_OK)
            return err;
    }
    *len = n;
    return FAT16_OK;
}

/* Moves f's cursor to chain position index. FAT16_END if the chain ends before it. */
static enum fat16_err seek_cluster(struct fat16_file *f, uint32_t index)
{
    if (index < f->cluster_index) {
        f->cluster = f->first_cluster;
        f->cluster_index = 0;
    }
    while (f->cluster_index < index) {
        if (f->cluster_index >= f->fs->cluster_count)
            return FAT16_E_CHAIN_LOOP;
        uint16_t next;
        enum fat16_err err = fat_next(f->fs, f->cluster, &next);
        if (err != FAT16_OK)
            return err;
        if (next == 0)
            return FAT16_END;
        f->cluster = next;
        f->cluster_index++;
    }
    return FAT16_OK;
}

static uint64_t cluster_lba(const struct fat16 *fs, uint16_t c)
{
    return fs->data_lba + (uint64_t)(c - FAT_FIRST_CLUSTER) * fs->cluster_sectors;
}

/* ------------------------------------------------------------------------------------------
 * Directories. */

/* Loads entry f->pos of directory f into the cache; *e points at it. FAT16_END past the end
 * of the root region or of the directory's chain. */
static enum fat16_err dir_entry(struct fat16_file *f, const uint8_t **e)
{
    struct fat16 *fs = f->fs;
    uint32_t byte = f->pos * DIR_ENTRY_SIZE;   /* pos < 2^27: chains are <= 65524 clusters */
    uint64_t lba;
    if (f->is_root) {
        if (f->pos >= fs->root_entries)
            return FAT16_END;
        lba = fs->root_lba + byte / SECTOR;
    } else {
        enum fat16_err err = seek_cluster(f, byte / fs->cluster_bytes);
        if (err != FAT16_OK)
            return err;
        lba = cluster_lba(fs, f->cluster) + byte % fs->cluster_bytes / SECTOR;
    }
    enum fat16_err err = cache_load(fs, lba);
    if (err != FAT16_OK)
        return err;
    *e = fs->cache + byte % SECTOR;
    return FAT16_OK;
}

/* Converts an entry's 11-byte name to "NAME.EXT". */
static void entry_name(const uint8_t *e, char out[FAT16_NAME_MAX])
{
    int n = 0;
    for (int i = 0; i < DIR_BASE_LEN && e[DIR_Name + i] != NAME_PAD; i++)
        out[n++] = ascii_upper((char)e[DIR_Name + i]);
    if (e[DIR_Name] == DIR_NAME_KANJI_E5)
        out[0] = (char)DIR_NAME_DELETED;
    if (e[DIR_Name + DIR_BASE_LEN] != NAME_PAD)
        out[n++] = '.';
    for (int i = DIR_BASE_LEN; i < DIR_NAME_LEN && e[DIR_Name + i] != NAME_PAD; i++)
        out[n++] = ascii_upper((char)e[DIR_Name + i]);
    out[n] = '\0';
}

/* Entries that name nothing a reader wants: deleted, long-name parts, volume labels. */
static bool entry_skipped(const uint8_t *e)
{
    if (e[DIR_Name] == DIR_NAME_DELETED)
        return true;
    if ((e[DIR_Attr] & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME)
        return true;
    return (e[DIR_Attr] & ATTR_VOLUME_ID) != 0;
}

/* Advances dir to its next live entry and returns it in *e (valid until the next cache
 * load). FAT16_END at a 0x00 first byte (fatgen103 §6: no entries follow) or the end. */
static enum fat16_err next_entry(struct fat16_file *dir, const uint8_t **e)
{
    for (;;) {
        enum fat16_err err = dir_entry(dir, e);
        if (err != FAT16_OK)
            return err;
        if ((*e)[DIR_Name] == DIR_NAME_FREE_ALL)
            return FAT16_END;
        dir->pos++;
        if (!entry_skipped(*e))
            return FAT16_OK;
    }
}

static bool is_dot_entry(const uint8_t *e)
{
    return e[DIR_Name] == '.';
}

/* Sets up f for the entry e, after checking its first cluster and whole chain. */
static enum fat16_err open_entry(struct fat16 *fs, const uint8_t *e, struct fat16_file *f)
{
    f->fs = fs;
    f->is_root = false;
    f->is_dir = (e[DIR_Attr] & ATTR_DIRECTORY) != 0;
    f->first_cluster = ld16(e + DIR_FstClusLO);
    f->size = f->is_dir ? 0 : ld32(e + DIR_FileSize);
    f->pos = 0;
    f->cluster = f->first_cluster;
    f->cluster_index = 0;
    if (f->is_dir && f->first_cluster == 0 && is_dot_entry(e)) {
        f->is_root = true;      /* ".." of a first-level directory: fatgen103 §6.7 */
        return FAT16_OK;
    }
    if (f->first_cluster == 0 && !f->is_dir && f->size == 0)
        return FAT16_OK;
    if (!cluster_valid(fs, f->first_cluster)) {
        kprintf("fat16: %s: entry starts at invalid cluster %u\n", fs->dev->name,
                f->first_cluster);
        return FAT16_E_BAD_CLUSTER;
    }
    uint32_t len;
    enum fat16_err err = chain_length(fs, f->first_cluster, &len);
    if (err != FAT16_OK)
        return err;
    if (!f->is_dir && (uint64_t)len * fs->cluster_bytes < f->size) {
        kprintf("fat16: %s: file of %u bytes has a chain of only %u clusters of %u bytes\n",
                fs->dev->name, f->size, len, fs->cluster_bytes);
        return FAT16_E_CHAIN_SHORT;
    }
    return FAT16_OK;
}

static void open_root(struct fat16 *fs, struct fat16_file *f)
{
    *f = (struct fat16_file){ .fs = fs, .is_dir = true, .is_root = true };
}

/* ------------------------------------------------------------------------------------------
 * Paths. */

/* 8.3 name characters (fatgen103 §6.1): no controls and none of " * + , . / : ; < = > ? [ \ ] |
 * (the dot separates base and extension); lower case is folded to upper. */
static bool name_char_ok(char c)
{
    static const char bad[] = "\"*+,./:;<=>?[\\]| ";
    if ((unsigned char)c < 0x20)
        return false;
    for (const char *b = bad; *b; b++)
        if (c == *b)
            return false;
    return true;
}

/* Converts the path component [s, s + len) to an 11-byte padded upper-case name. */
static enum fat16_err make_83(const char *s, uint32_t len, uint8_t raw[DIR_NAME_LEN])
{
    for (int i = 0; i < DIR_NAME_LEN; i++)
        raw[i] = NAME_PAD;
    if (len == 1 && s[0] == '.') {
        raw[0] = '.';
        return FAT16_OK;
    }
    if (len == 2 && s[0] == '.' && s[1] == '.') {
        raw[0] = raw[1] = '.';
        return FAT16_OK;
    }
    uint32_t i = 0, n = 0;
    for (; i < len && s[i] != '.'; i++, n++) {
        if (n >= DIR_BASE_LEN || !name_char_ok(s[i]))
            return FAT16_E_BAD_PATH;
        raw[n] = (uint8_t)ascii_upper(s[i]);
    }
    if (n == 0)
        return FAT16_E_BAD_PATH;
    if (raw[0] == DIR_NAME_DELETED)
        raw[0] = DIR_NAME_KANJI_E5;
    for (i++, n = DIR_BASE_LEN; i < len; i++, n++) {
        if (n >= DIR_NAME_LEN || !name_char_ok(s[i]))
            return FAT16_E_BAD_PATH;
        raw[n] = (uint8_t)ascii_upper(s[i]);
    }
    return FAT16_OK;
}

static bool name_equal(const uint8_t *e, const uint8_t raw[DIR_NAME_LEN])
{
    for (int i = 0; i < DIR_NAME_LEN; i++)
        if (ascii_upper((char)e[DIR_Name + i]) != (char)raw[i])
            return false;
    return true;
}

/* Looks raw up in directory dir and opens it into out. */
static enum fat16_err find_in_dir(struct fat16_file *dir, const uint8_t raw[DIR_NAME_LEN],
                                  struct fat16_file *out)
{
    const uint8_t *e;
    enum fat16_err err;
    dir->pos = 0;
    while ((err = next_entry(dir, &e)) == FAT16_OK)
        if (name_equal(e, raw))
            return open_entry(dir->fs, e, out);
    return err == FAT16_END ? FAT16_E_NOT_FOUND : err;
}

/* Resolves path component by component into *f (a file or a directory). */
static enum fat16_err lookup(struct fat16 *fs, const char *path, struct fat16_file *f)
{
    if (!fs || !fs->dev || !path || !f)
        return FAT16_E_INVAL;
    open_root(fs, f);
    while (*path) {
        while (*path == '/')
            path++;
        uint32_t len = 0;
        while (path[len] && path[len] != '/')
            len++;
        if (len == 0)
            break;
        if (!f->is_dir)
            return FAT16_E_NOT_DIR;
        uint8_t raw[DIR_NAME_LEN];
        if (make_83(path, len, raw) != FAT16_OK)
            return FAT16_E_BAD_PATH;
        struct fat16_file dir = *f;
        enum fat16_err err = find_in_dir(&dir, raw, f);
        if (err != FAT16_OK)
            return err;
        path += len;
    }
    return FAT16_OK;
}

enum fat16_err fat16_open(struct fat16 *fs, const char *path, struct fat16_file *f)
{
    enum fat16_err err = lookup(fs, path, f);
    if (err == FAT16_OK && f->is_dir)
        return FAT16_E_IS_DIR;
    return err;
}

enum fat16_err fat16_opendir(struct fat16 *fs, const char *path, struct fat16_file *dir)
{
    enum fat16_err err = lookup(fs, path, dir);
    if (err != FAT16_OK)
        return err;
    if (!dir->is_dir)
        return FAT16_E_NOT_DIR;
    dir->pos = 0;
    return FAT16_OK;
}

enum fat16_err fat16_readdir(struct fat16_file *dir, struct fat16_dirent *out)
{
    if (!dir || !dir->fs || !out)
        return FAT16_E_INVAL;
    if (!dir->is_dir)
        return FAT16_E_NOT_DIR;
    const uint8_t *e;
    enum fat16_err err;
    do
        err = next_entry(dir, &e);
    while (err == FAT16_OK && is_dot_entry(e));
    if (err != FAT16_OK)
        return err;
    entry_name(e, out->name);
    out->attr = e[DIR_Attr];
    out->is_dir = (e[DIR_Attr] & ATTR_DIRECTORY) != 0;
    out->size = out->is_dir ? 0 : ld32(e + DIR_FileSize);
    out->first_cluster = ld16(e + DIR_FstClusLO);
    return FAT16_OK;
}

/* ------------------------------------------------------------------------------------------
 * File data. */

enum fat16_err fat16_seek(struct fat16_file *f, uint32_t pos)
{
    if (!f || !f->fs)
        return FAT16_E_INVAL;
    if (f->is_dir)
        return FAT16_E_IS_DIR;
    f->pos = pos < f->size ? pos : f->size;
    return FAT16_OK;
}

/* Reads the next piece of f (at most n bytes, never past a cluster) into buf: whole sectors
 * straight from the device, a partial sector through the cache. *got gets its length. */
static enum fat16_err read_piece(struct fat16_file *f, uint8_t *buf, uint32_t n, uint32_t *got)
{
    struct fat16 *fs = f->fs;
    enum fat16_err err = seek_cluster(f, f->pos / fs->cluster_bytes);
    if (err != FAT16_OK)
        return err == FAT16_END ? FAT16_E_CHAIN_SHORT : err;
    uint32_t off = f->pos % fs->cluster_bytes;
    uint64_t lba = cluster_lba(fs, f->cluster) + off / SECTOR;
    uint32_t in_sector = off % SECTOR;
    if (n > fs->cluster_bytes - off)
        n = fs->cluster_bytes - off;
    if (in_sector == 0 && n >= SECTOR) {
        n -= n % SECTOR;
        if (blockdev_read(fs->dev, lba, n / SECTOR, buf) != BLOCKDEV_OK)
            return FAT16_E_IO;
    } else {
        if (n > SECTOR - in_sector)
            n = SECTOR - in_sector;
        if ((err = cache_load(fs, lba)) != FAT16_OK)
            return err;
        memcpy(buf, fs->cache + in_sector, n);
    }
    *got = n;
    return FAT16_OK;
}

enum fat16_err fat16_read(struct fat16_file *f, void *buf, uint32_t len, uint32_t *done)
{
    uint32_t total = 0;
    enum fat16_err err = FAT16_OK;
    if (done)
        *done = 0;
    if (!f || !f->fs || (!buf && len))
        return FAT16_E_INVAL;
    if (f->is_dir)
        return FAT16_E_IS_DIR;
    while (total < len && f->pos < f->size) {
        uint32_t want = len - total, got;
        if (want > f->size - f->pos)
            want = f->size - f->pos;
        if ((err = read_piece(f, (uint8_t *)buf + total, want, &got)) != FAT16_OK)
            break;
        total += got;
        f->pos += got;
    }
    if (done)
        *done = total;
    return err;
}

/* Writes the next piece of f (whole sectors, at most n bytes, never past a cluster) from
 * data; *put gets its length. The sector cache is dropped if it held one of them. */
static enum fat16_err write_piece(struct fat16_file *f, const uint8_t *data, uint32_t n,
                                  uint32_t *put)
{
    struct fat16 *fs = f->fs;
    enum fat16_err err = seek_cluster(f, f->pos / fs->cluster_bytes);
    if (err != FAT16_OK)
        return err == FAT16_END ? FAT16_E_CHAIN_SHORT : err;
    uint32_t off = f->pos % fs->cluster_bytes;
    uint64_t lba = cluster_lba(fs, f->cluster) + off / SECTOR;
    if (n > fs->cluster_bytes - off)
        n = fs->cluster_bytes - off;
    uint32_t sectors = n / SECTOR;
    if (fs->cache_valid && fs->cache_lba >= lba && fs->cache_lba < lba + sectors)
        fs->cache_valid = false;
    enum blockdev_err berr = blockdev_write(fs->dev, lba, sectors, data);
    if (berr != BLOCKDEV_OK)
        return berr == BLOCKDEV_E_READ_ONLY ? FAT16_E_READ_ONLY : FAT16_E_IO;
    *put = n;
    return FAT16_OK;
}

enum fat16_err fat16_write(struct fat16_file *f, const void *data, uint32_t len)
{
    if (!f || !f->fs || (!data && len))
        return FAT16_E_INVAL;
    if (f->is_dir)
        return FAT16_E_IS_DIR;
    if (f->pos % SECTOR || len % SECTOR || len > f->size - f->pos)
        return FAT16_E_UNALIGNED;
    for (uint32_t total = 0, put; total < len; total += put, f->pos += put) {
        enum fat16_err err = write_piece(f, (const uint8_t *)data + total, len - total, &put);
        if (err != FAT16_OK)
            return err;
    }
    return FAT16_OK;
}
