/* INT 13h extensions as a block device (contract in biosdisk.h). Phoenix Enhanced Disk Drive
 * Specification 3.0: AH=41h (check extensions present), AH=42h/43h (extended read/write, disk
 * address packet of table 1), AH=48h (get drive parameters, result buffer of table 2), AH=00h
 * (reset). The BIOS completes a write before it returns; EDD has no cache flush to add. */
#include "kernel/drivers/biosdisk.h"

#include <string.h>

#include "kernel/arch/x86/bios.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/lib/bytes.h"

#define INT_DISK                0x13
#define AH_RESET                0x00
#define AH_CHS_READ             0x02    /* AL sectors at CX/DH into ES:BX */
#define AH_CHS_WRITE            0x03
#define AH_CHS_PARAMS           0x08    /* CH/CL: last cylinder and sector, DH: last head */
#define AH_EXT_CHECK            0x41
#define AH_EXT_READ             0x42
#define AH_EXT_WRITE            0x43    /* AL = 0: write without verify */
#define AH_EXT_PARAMS           0x48
#define EXT_CHECK_MAGIC_IN      0x55AA
#define EXT_CHECK_MAGIC_OUT     0xAA55
#define EXT_SUBSET_PACKET       (1u << 0)   /* CX bit 0: fixed disk access with packets */

/* The disk address packet (EDD 3.0 table 1), at the start of the BIOS buffer. */
#define DAP_SIZE                16
#define DAP_OFF_SIZE            0   /* u8: 16 */
#define DAP_OFF_COUNT           2   /* u16: sectors to transfer */
#define DAP_OFF_BUF_OFFSET      4   /* u16: offset of the transfer buffer */
#define DAP_OFF_BUF_SEGMENT     6   /* u16: its segment */
#define DAP_OFF_LBA             8   /* u64: first sector */

/* The drive parameters result (EDD 3.0 table 2, the 1.x part). */
#define PARAMS_SIZE             0x1A
#define PARAMS_OFF_SIZE         0   /* u16: buffer size, set by the caller */
#define PARAMS_OFF_SECTORS      16  /* u64: total sectors */
#define PARAMS_OFF_SECTOR_BYTES 24  /* u16: bytes per sector */

/* CHS fields (RBIL INT 13h AH=02h/08h): CL bits 0-5 the sector, bits 6-7 cylinder bits 8-9. */
#define CHS_SECTOR_MASK         0x3F
#define CHS_CYL_HIGH_SHIFT      2       /* cylinder bits 8-9 sit in CL bits 6-7 */
#define CHS_CYL_HIGH_MASK       0xC0
#define CHS_MAX_CYLINDERS       1024

/* Where in the BIOS buffer the transfer goes: past the packet, inside one 64 KiB segment. */
#define BOUNCE_OFFSET           0x1000
_Static_assert(BOUNCE_OFFSET + BIOSDISK_CALL_SECTORS * BLOCKDEV_SECTOR_SIZE <= BIOS_BUFFER_BYTES,
               "the bounce buffer stays inside the BIOS buffer's segment");
_Static_assert(BIOSDISK_CALL_SECTORS <= 127, "EDD 3.0: at most 127 sectors a call");

static uint8_t status_of(const struct bios_regs *r)
{
    return (uint8_t)(r->eax >> 8);
}

static bool call_ok(const struct bios_regs *r)
{
    return !(r->eflags & BIOS_EFLAGS_CF);
}

static bool disk_call(uint8_t ah, uint8_t drive, struct bios_regs *r)
{
    r->eax = (uint32_t)ah << 8;
    r->edx = drive;
    return bios_call(INT_DISK, r) && call_ok(r);
}

static bool has_extensions(const char *name, uint8_t drive)
{
    struct bios_regs r = {0};
    r.ebx = EXT_CHECK_MAGIC_IN;
    if (disk_call(AH_EXT_CHECK, drive, &r) && (r.ebx & 0xFFFF) == EXT_CHECK_MAGIC_OUT &&
        (r.ecx & EXT_SUBSET_PACKET))
        return true;
    kprintf("biosdisk: %s: no INT 13h extensions (AH=41h: status 0x%02x, BX 0x%04x, "
            "CX 0x%04x)\n", name, status_of(&r), (unsigned)(r.ebx & 0xFFFF),
            (unsigned)(r.ecx & 0xFFFF));
    return false;
}

/* AH=08h: the drive's CHS geometry; false (logged) if the BIOS gives none. */
static bool read_geometry(const char *name, uint8_t drive, struct biosdisk_chs *g)
{
    struct bios_regs r = {0};
    if (!disk_call(AH_CHS_PARAMS, drive, &r)) {
        kprintf("biosdisk: %s: no CHS geometry either (AH=08h: status 0x%02x)\n", name,
                status_of(&r));
        return false;
    }
    uint8_t cl = (uint8_t)r.ecx, ch = (uint8_t)(r.ecx >> 8);
    g->sectors = cl & CHS_SECTOR_MASK;
    g->cylinders = (ch | (uint32_t)(cl & CHS_CYL_HIGH_MASK) << CHS_CYL_HIGH_SHIFT) + 1;
    g->heads = (uint8_t)(r.edx >> 8) + 1u;
    if (g->sectors == 0) {
        kprintf("biosdisk: %s: AH=08h reports 0 sectors per track\n", name);
        return false;
    }
    return true;
}

/* AH=48h: the sector count, 0 if the BIOS gives none; false for an unusable sector size. */
static bool read_params(const char *name, uint8_t drive, uint64_t *sectors)
{
    uint8_t *buf = bios_buffer();
    struct bios_regs r = {0};
    memset(buf, 0, PARAMS_SIZE);
    buf[PARAMS_OFF_SIZE] = PARAMS_SIZE;
    r.ds = BIOS_BUFFER_SEGMENT;
    r.esi = 0;
    *sectors = 0;
    if (!disk_call(AH_EXT_PARAMS, drive, &r)) {
        kprintf("biosdisk: %s: AH=48h failed: status 0x%02x\n", name, status_of(&r));
        return true;
    }
    uint16_t bytes = ld16(buf + PARAMS_OFF_SECTOR_BYTES);
    if (bytes != BLOCKDEV_SECTOR_SIZE) {
        kprintf("biosdisk: %s: sector size %u, only %u is supported\n", name, bytes,
                BLOCKDEV_SECTOR_SIZE);
        return false;
    }
    *sectors = (uint64_t)ld32(buf + PARAMS_OFF_SECTORS) |
               (uint64_t)ld32(buf + PARAMS_OFF_SECTORS + 4) << 32;
    return true;
}

/* The registers of an AH=02h/03h call of count sectors at lba, which must lie in one track of
 * the first CHS_MAX_CYLINDERS cylinders (the caller splits by track; the size bounds lba). */
static void chs_regs(const struct biosdisk *d, uint8_t ah, uint64_t lba, uint32_t count,
                     struct bios_regs *r)
{
    uint32_t sector = (uint32_t)(lba % d->chs.sectors) + 1;
    uint64_t track = lba / d->chs.sectors;
    uint32_t head = (uint32_t)(track % d->chs.heads), cyl = (uint32_t)(track / d->chs.heads);
    *r = (struct bios_regs){0};
    r->eax = (uint32_t)ah << 8 | count;
    r->ecx = (cyl & 0xFF) << 8 | (cyl >> 8) << 6 | sector;
    r->edx = head << 8 | d->drive;
    r->es = BIOS_BUFFER_SEGMENT;
    r->ebx = BOUNCE_OFFSET;
}

/* One call: AH=42h/43h with a disk address packet, or AH=02h/03h in CHS mode. */
static bool one_call(struct biosdisk *d, bool write, uint64_t lba, uint32_t count,
                     struct bios_regs *r)
{
    if (d->use_chs) {
        chs_regs(d, write ? AH_CHS_WRITE : AH_CHS_READ, lba, count, r);
        return bios_call(INT_DISK, r) && call_ok(r);
    }
    uint8_t *dap = bios_buffer();
    memset(dap, 0, DAP_SIZE);
    dap[DAP_OFF_SIZE] = DAP_SIZE;
    st16(dap + DAP_OFF_COUNT, (uint16_t)count);
    st16(dap + DAP_OFF_BUF_OFFSET, BOUNCE_OFFSET);
    st16(dap + DAP_OFF_BUF_SEGMENT, BIOS_BUFFER_SEGMENT);
    st32(dap + DAP_OFF_LBA, (uint32_t)lba);
    st32(dap + DAP_OFF_LBA + 4, (uint32_t)(lba >> 32));
    *r = (struct bios_regs){0};
    r->ds = BIOS_BUFFER_SEGMENT;
    r->esi = 0;
    return disk_call(write ? AH_EXT_WRITE : AH_EXT_READ, d->drive, r);
}

/* count sectors at lba between the device and the bounce buffer, tried BIOSDISK_TRIES times
 * with a reset in between. */
static enum blockdev_err transfer_chunk(struct biosdisk *d, bool write, uint64_t lba,
                                        uint32_t count)
{
    struct bios_regs r;
    uint8_t ah = d->use_chs ? (write ? AH_CHS_WRITE : AH_CHS_READ)
                            : (write ? AH_EXT_WRITE : AH_EXT_READ);
    for (unsigned attempt = 1; !one_call(d, write, lba, count, &r); attempt++) {
        if (attempt == BIOSDISK_TRIES) {
            kprintf("biosdisk: %s: INT 13h AH=%02xh %s of %u sectors at LBA %llu failed %u "
                    "times: status 0x%02x\n", d->name, ah,
                    write ? "write" : "read", (unsigned)count, (unsigned long long)lba,
                    BIOSDISK_TRIES, status_of(&r));
            return BLOCKDEV_E_IO;
        }
        struct bios_regs reset = {0};
        disk_call(AH_RESET, d->drive, &reset);
    }
    return BLOCKDEV_OK;
}

/* How many of count sectors at lba one call may move: the bounce buffer's worth, and in CHS
 * mode no further than the end of lba's track. */
static uint32_t chunk(const struct biosdisk *d, uint64_t lba, uint32_t count)
{
    uint32_t n = count < BIOSDISK_CALL_SECTORS ? count : BIOSDISK_CALL_SECTORS;
    if (d->use_chs) {
        uint32_t left_in_track = d->chs.sectors - (uint32_t)(lba % d->chs.sectors);
        if (n > left_in_track)
            n = left_in_track;
    }
    return n;
}

static enum blockdev_err biosdisk_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                       void *buf)
{
    struct biosdisk *d = dev->priv;
    uint8_t *out = buf;
    const uint8_t *bounce = (const uint8_t *)bios_buffer() + BOUNCE_OFFSET;
    while (count) {
        uint32_t n = chunk(d, lba, count);
        enum blockdev_err err = transfer_chunk(d, false, lba, n);
        if (err != BLOCKDEV_OK)
            return err;
        memcpy(out, bounce, (size_t)n * BLOCKDEV_SECTOR_SIZE);
        out += (size_t)n * BLOCKDEV_SECTOR_SIZE;
        lba += n;
        count -= n;
    }
    return BLOCKDEV_OK;
}

static enum blockdev_err biosdisk_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                        const void *buf)
{
    struct biosdisk *d = dev->priv;
    const uint8_t *in = buf;
    uint8_t *bounce = (uint8_t *)bios_buffer() + BOUNCE_OFFSET;
    while (count) {
        uint32_t n = chunk(d, lba, count);
        memcpy(bounce, in, (size_t)n * BLOCKDEV_SECTOR_SIZE);
        enum blockdev_err err = transfer_chunk(d, true, lba, n);
        if (err != BLOCKDEV_OK)
            return err;
        in += (size_t)n * BLOCKDEV_SECTOR_SIZE;
        lba += n;
        count -= n;
    }
    return BLOCKDEV_OK;
}

enum blockdev_err biosdisk_init(struct biosdisk *d, uint8_t drive, uint64_t min_sectors,
                                bool chs_only)
{
    uint64_t sectors;
    fmt_snprintf(d->name, sizeof d->name, "bios%02x", drive);
    if (!bios_available()) {
        kprintf("biosdisk: %s: the BIOS cannot be called from this kernel\n", d->name);
        return BLOCKDEV_E_IO;
    }
    d->use_chs = chs_only || !has_extensions(d->name, drive);
    if (d->use_chs) {
        if (!read_geometry(d->name, drive, &d->chs))
            return BLOCKDEV_E_IO;
        sectors = (uint64_t)d->chs.cylinders * d->chs.heads * d->chs.sectors;
        kprintf("biosdisk: %s: CHS calls, %u cylinders x %u heads x %u sectors\n", d->name,
                (unsigned)d->chs.cylinders, (unsigned)d->chs.heads, (unsigned)d->chs.sectors);
    } else if (!read_params(d->name, drive, &sectors)) {
        return BLOCKDEV_E_IO;
    }
    if (sectors == 0 && min_sectors == 0) {
        kprintf("biosdisk: %s: the BIOS reports no size and none is known\n", d->name);
        return BLOCKDEV_E_IO;
    }
    if (sectors == 0) {
        kprintf("biosdisk: %s: the BIOS reports no size; taking the partition table's end, "
                "%llu sectors\n", d->name, (unsigned long long)min_sectors);
        sectors = min_sectors;
    }
    d->drive = drive;
    d->dev.name = d->name;
    d->dev.sectors = sectors;
    d->dev.read = biosdisk_read;
    d->dev.write = biosdisk_write;
    d->dev.priv = d;
    kprintf("biosdisk: %s: %s, %llu sectors (%llu MiB)\n", d->name,
            d->use_chs ? "CHS calls" : "INT 13h extensions", (unsigned long long)sectors,
            (unsigned long long)(sectors >> 11));
    return BLOCKDEV_OK;
}
