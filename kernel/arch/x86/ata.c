/* ATA PIO disk driver (see ata.h). Section numbers are from ATA/ATAPI-6 (T13/1410D rev. 3b).
 * Register protocol for every command (§9.2 "PIO data-in"): select the device, wait for BSY
 * clear, write the LBA and count registers, write the command, then per sector wait for BSY
 * clear with DRQ set (or ERR/DF), and read 256 data words. Every wait is bounded. */
#include "kernel/arch/x86/ata.h"

#include "kernel/arch/x86/io.h"
#include "kernel/core/log.h"
#include "kernel/core/tsc.h"

/* Command block registers, offsets from the channel's I/O base (§7.1, table 11). */
#define ATA_REG_DATA        0
#define ATA_REG_ERROR       1       /* read */
#define ATA_REG_SECCOUNT    2
#define ATA_REG_LBA_LO      3
#define ATA_REG_LBA_MID     4
#define ATA_REG_LBA_HI      5
#define ATA_REG_DEVICE      6
#define ATA_REG_STATUS      7       /* read; reading it clears a pending interrupt */
#define ATA_REG_COMMAND     7       /* write */
/* Control block register, at the channel's control base. */
#define ATA_REG_ALTSTATUS   0       /* read: status without side effects */
#define ATA_REG_DEVCTL      0       /* write */

#define ATA_PRIMARY_IO      0x1F0
#define ATA_PRIMARY_CTRL    0x3F6
#define ATA_SECONDARY_IO    0x170
#define ATA_SECONDARY_CTRL  0x376

/* Status register bits (§7.15). */
#define ATA_SR_BSY          0x80
#define ATA_SR_DRDY         0x40
#define ATA_SR_DF           0x20
#define ATA_SR_DRQ          0x08
#define ATA_SR_ERR          0x01
#define ATA_FLOATING_BUS    0xFF    /* no controller drives the bus: pulled-up lines */

#define ATA_DEVCTL_NIEN     0x02    /* device control: interrupts off (§7.9) */
#define ATA_DEV_OBS         0xA0    /* device register: obsolete bits 7 and 5 set */
#define ATA_DEV_LBA         0x40    /* device register: LBA addressing */
#define ATA_DEV_SLAVE       0x10    /* device register: DEV bit selects device 1 */

#define ATA_CMD_READ        0x20    /* READ SECTORS (§8.27) */
#define ATA_CMD_READ_EXT    0x24    /* READ SECTORS EXT (§8.28) */
#define ATA_CMD_IDENTIFY    0xEC    /* IDENTIFY DEVICE (§8.15) */
#define ATA_CMD_WRITE       0x30    /* WRITE SECTORS (§8.62) */
#define ATA_CMD_WRITE_EXT   0x34    /* WRITE SECTORS EXT (§8.63) */
#define ATA_CMD_FLUSH       0xE7    /* FLUSH CACHE (§8.12) */
#define ATA_CMD_FLUSH_EXT   0xEA    /* FLUSH CACHE EXT (§8.13) */

/* Signatures left in LBA mid/high by a device that is not a PATA disk (§9.12). */
#define ATA_SIG_ATAPI_MID   0x14
#define ATA_SIG_ATAPI_HI    0xEB
#define ATA_SIG_SATA_MID    0x3C
#define ATA_SIG_SATA_HI     0xC3

/* IDENTIFY DEVICE words (§8.15, table 27). */
#define ID_MODEL            27      /* words 27..46: model, two ASCII bytes per word, high first */
#define ID_CAPABILITIES     49      /* bit 9: LBA supported */
#define ID_LBA28_SECTORS    60      /* words 60..61: addressable sectors in LBA28 */
#define ID_COMMAND_SETS     83      /* bit 10: 48-bit address feature set */
#define ID_LBA48_SECTORS    100     /* words 100..103: addressable sectors in LBA48 */
#define ID_CAP_LBA          (1u << 9)
#define ID_CMD_LBA48        (1u << 10)

#define ATA_SECTOR_WORDS    (BLOCKDEV_SECTOR_SIZE / 2)
#define ATA_LBA28_LIMIT     (1u << 28)
#define ATA_MAX_PER_CMD     256     /* sectors per command: LBA28's count 0 means 256 */
#define ATA_SELECT_DELAY    4       /* altstatus reads ~ 400 ns after selecting (§9.7.1) */

/* Bound of every status wait, in time (the TSC, calibrated before the disks are probed): a
 * ready disk answers within milliseconds; a spun-down one may need up to 30 s (§8.15 note) and
 * is reported as a timeout. A poll count would not do: under QEMU the wait is for a host
 * thread, and a loaded host makes any fixed count too short. */
#define ATA_TIMEOUT_MS      5000u
#define ATA_UNCALIBRATED_HZ 4000000000ull   /* if the TSC rate is unknown: assume 4 GHz */

static struct ata_disk disks[ATA_POSITIONS];
static bool present[ATA_POSITIONS];

const char *ata_strerror(enum ata_err err)
{
    switch (err) {
    case ATA_OK:         return "ok";
    case ATA_E_ABSENT:   return "no device";
    case ATA_E_NOT_ATA:  return "not an ATA disk (ATAPI or SATA signature)";
    case ATA_E_TIMEOUT:  return "timeout";
    case ATA_E_DEVICE:   return "device error";
    case ATA_E_IDENTIFY: return "unusable IDENTIFY data";
    }
    return "unknown ata error";
}

/* ---- IDENTIFY decoding (pure) ---------------------------------------------------------- */

static void parse_model(const uint16_t *w, char *model)
{
    int n = 0;
    for (int i = 0; i < ATA_MODEL_LEN / 2; i++) {
        model[n++] = (char)(w[ID_MODEL + i] >> 8);
        model[n++] = (char)(w[ID_MODEL + i] & 0xFF);
    }
    while (n > 0 && (model[n - 1] == ' ' || model[n - 1] == '\0'))
        n--;
    model[n] = '\0';
    for (int i = 0; i < n; i++)
        if (model[i] < ' ' || model[i] > '~')
            model[i] = '?';
}

enum ata_err ata_parse_identify(const uint16_t words[ATA_IDENTIFY_WORDS],
                                struct ata_identity *out)
{
    parse_model(words, out->model);
    out->lba48 = (words[ID_COMMAND_SETS] & ID_CMD_LBA48) != 0;
    uint64_t s28 = words[ID_LBA28_SECTORS] | (uint32_t)words[ID_LBA28_SECTORS + 1] << 16;
    uint64_t s48 = 0;
    for (int i = 3; i >= 0; i--)
        s48 = s48 << 16 | words[ID_LBA48_SECTORS + i];
    out->sectors = out->lba48 && s48 ? s48 : s28;
    if (!(words[ID_CAPABILITIES] & ID_CAP_LBA) || out->sectors == 0)
        return ATA_E_IDENTIFY;
    return ATA_OK;
}

/* ---- register access ------------------------------------------------------------------ */

static uint8_t altstatus(const struct ata_disk *d)
{
    return inb(d->ctrl_base + ATA_REG_ALTSTATUS);
}

/* Waits until BSY is clear; if want_drq, also until DRQ or ERR/DF is set. */
static enum ata_err wait_ready(const struct ata_disk *d, bool want_drq)
{
    uint64_t hz = tsc_hz() ? tsc_hz() : ATA_UNCALIBRATED_HZ;
    uint64_t limit = hz / 1000 * ATA_TIMEOUT_MS, start = tsc_read();
    while (tsc_read() - start < limit) {
        uint8_t s = altstatus(d);
        if (s & ATA_SR_BSY)
            continue;
        if (s & (ATA_SR_ERR | ATA_SR_DF))
            return ATA_E_DEVICE;
        if (!want_drq || (s & ATA_SR_DRQ))
            return ATA_OK;
    }
    return ATA_E_TIMEOUT;
}

static void select_device(const struct ata_disk *d, uint8_t lba_high_nibble)
{
    outb(d->io_base + ATA_REG_DEVICE, ATA_DEV_OBS | ATA_DEV_LBA |
         (d->slave ? ATA_DEV_SLAVE : 0) | (lba_high_nibble & 0x0F));
    for (int i = 0; i < ATA_SELECT_DELAY; i++)
        (void)altstatus(d);
}

static void read_words(const struct ata_disk *d, uint16_t *buf, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        buf[i] = inw(d->io_base + ATA_REG_DATA);
}

/* ---- reads ------------------------------------------------------------------------------ */

/* Writes the task file for a transfer of count (1..256) sectors at lba and issues command
 * (the LBA28 one, or its EXT form when ext). */
static void issue(const struct ata_disk *d, uint64_t lba, uint32_t count, bool ext,
                  uint8_t command)
{
    uint16_t io = d->io_base;
    if (ext) {                               /* high-order bytes first (§8.28) */
        select_device(d, 0);
        outb(io + ATA_REG_SECCOUNT, (uint8_t)(count >> 8));
        outb(io + ATA_REG_LBA_LO, (uint8_t)(lba >> 24));
        outb(io + ATA_REG_LBA_MID, (uint8_t)(lba >> 32));
        outb(io + ATA_REG_LBA_HI, (uint8_t)(lba >> 40));
    } else {
        select_device(d, (uint8_t)(lba >> 24));
    }
    outb(io + ATA_REG_SECCOUNT, (uint8_t)count);   /* 256 is written as 0 */
    outb(io + ATA_REG_LBA_LO, (uint8_t)lba);
    outb(io + ATA_REG_LBA_MID, (uint8_t)(lba >> 8));
    outb(io + ATA_REG_LBA_HI, (uint8_t)(lba >> 16));
    outb(io + ATA_REG_COMMAND, command);
}

/* One command: count (1..256) sectors. An ATA error is logged and passed on as a blockdev
 * error (see ata.h). */
static enum blockdev_err read_chunk(struct ata_disk *d, uint64_t lba, uint32_t count,
                                    uint8_t *buf)
{
    bool ext = lba + count > ATA_LBA28_LIMIT;
    if (ext && !d->id.lba48)
        return BLOCKDEV_E_RANGE;
    enum ata_err err = wait_ready(d, false);
    if (err == ATA_OK) {
        issue(d, lba, count, ext, ext ? ATA_CMD_READ_EXT : ATA_CMD_READ);
        (void)altstatus(d);                  /* status is valid 400 ns after the command */
        for (uint32_t i = 0; i < count && err == ATA_OK; i++) {
            err = wait_ready(d, true);
            if (err == ATA_OK)
                read_words(d, (uint16_t *)(void *)(buf + i * BLOCKDEV_SECTOR_SIZE),
                           ATA_SECTOR_WORDS);
        }
    }
    if (err == ATA_OK)
        return BLOCKDEV_OK;
    kprintf("ata: %s: read of %u sectors at LBA %llu: %s (status 0x%02x, error 0x%02x)\n",
            d->name, count, (unsigned long long)lba, ata_strerror(err), altstatus(d),
            inb(d->io_base + ATA_REG_ERROR));
    return err == ATA_E_TIMEOUT ? BLOCKDEV_E_TIMEOUT : BLOCKDEV_E_IO;
}

/* The blockdev read callback; blockdev_read() has checked the range. */
static enum blockdev_err ata_read(struct blockdev *dev, uint64_t lba, uint32_t count,
                                  void *buf)
{
    struct ata_disk *d = dev->priv;
    uint8_t *p = buf;
    while (count > 0) {
        uint32_t n = count < ATA_MAX_PER_CMD ? count : ATA_MAX_PER_CMD;
        enum blockdev_err err = read_chunk(d, lba, n, p);
        if (err != BLOCKDEV_OK)
            return err;
        lba += n;
        count -= n;
        p += n * BLOCKDEV_SECTOR_SIZE;
    }
    return BLOCKDEV_OK;
}

/* ---- writes ----------------------------------------------------------------------------- */

static void write_words(const struct ata_disk *d, const uint8_t *buf, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        outw(d->io_base + ATA_REG_DATA, (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8));
}

/* One WRITE SECTORS (EXT) of count (1..256) sectors (PIO data-out protocol, §9.8): a DRQ
 * wait before each sector, then BSY clear once the last one is taken. */
static enum ata_err write_chunk(struct ata_disk *d, uint64_t lba, uint32_t count,
                                const uint8_t *buf, bool ext)
{
    enum ata_err err = wait_ready(d, false);
    if (err != ATA_OK)
        return err;
    issue(d, lba, count, ext, ext ? ATA_CMD_WRITE_EXT : ATA_CMD_WRITE);
    (void)altstatus(d);
    for (uint32_t i = 0; i < count && err == ATA_OK; i++) {
        err = wait_ready(d, true);
        if (err == ATA_OK)
            write_words(d, buf + i * BLOCKDEV_SECTOR_SIZE, ATA_SECTOR_WORDS);
    }
    return err == ATA_OK ? wait_ready(d, false) : err;
}

/* FLUSH CACHE (EXT): the data is on the medium when it completes (§8.12). */
static enum ata_err flush(struct ata_disk *d)
{
    enum ata_err err = wait_ready(d, false);
    if (err != ATA_OK)
        return err;
    select_device(d, 0);
    outb(d->io_base + ATA_REG_COMMAND, d->id.lba48 ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH);
    (void)altstatus(d);
    return wait_ready(d, false);
}

/* The blockdev write callback; blockdev_write() has checked the range. */
static enum blockdev_err ata_write(struct blockdev *dev, uint64_t lba, uint32_t count,
                                   const void *buf)
{
    struct ata_disk *d = dev->priv;
    const uint8_t *p = buf;
    enum ata_err err = ATA_OK;
    const char *what = "write";
    while (count > 0) {
        uint32_t n = count < ATA_MAX_PER_CMD ? count : ATA_MAX_PER_CMD;
        bool ext = lba + n > ATA_LBA28_LIMIT;
        if (ext && !d->id.lba48)
            return BLOCKDEV_E_RANGE;
        if ((err = write_chunk(d, lba, n, p, ext)) != ATA_OK)
            break;
        lba += n;
        count -= n;
        p += n * BLOCKDEV_SECTOR_SIZE;
    }
    if (err == ATA_OK) {
        what = "cache flush after a write";
        err = flush(d);
    }
    if (err == ATA_OK)
        return BLOCKDEV_OK;
    kprintf("ata: %s: %s at LBA %llu: %s (status 0x%02x, error 0x%02x)\n", d->name, what,
            (unsigned long long)lba, ata_strerror(err), altstatus(d),
            inb(d->io_base + ATA_REG_ERROR));
    return err == ATA_E_TIMEOUT ? BLOCKDEV_E_TIMEOUT : BLOCKDEV_E_IO;
}

/* ---- probing ---------------------------------------------------------------------------- */

/* Sends IDENTIFY DEVICE to d and reads its 256 words (§8.15 protocol, §9.12 signatures). */
static enum ata_err identify(struct ata_disk *d, uint16_t words[ATA_IDENTIFY_WORDS])
{
    uint16_t io = d->io_base;
    if (altstatus(d) == ATA_FLOATING_BUS)
        return ATA_E_ABSENT;
    outb(d->ctrl_base + ATA_REG_DEVCTL, ATA_DEVCTL_NIEN);
    select_device(d, 0);
    outb(io + ATA_REG_SECCOUNT, 0);
    outb(io + ATA_REG_LBA_LO, 0);
    outb(io + ATA_REG_LBA_MID, 0);
    outb(io + ATA_REG_LBA_HI, 0);
    outb(io + ATA_REG_COMMAND, ATA_CMD_IDENTIFY);
    uint8_t s = altstatus(d);
    if (s == 0 || s == ATA_FLOATING_BUS)
        return ATA_E_ABSENT;
    enum ata_err err = wait_ready(d, false);
    uint8_t mid = inb(io + ATA_REG_LBA_MID), hi = inb(io + ATA_REG_LBA_HI);
    if ((mid == ATA_SIG_ATAPI_MID && hi == ATA_SIG_ATAPI_HI) ||
        (mid == ATA_SIG_SATA_MID && hi == ATA_SIG_SATA_HI))
        return ATA_E_NOT_ATA;
    if (err == ATA_OK)
        err = wait_ready(d, true);
    if (err != ATA_OK)
        return err;
    read_words(d, words, ATA_IDENTIFY_WORDS);
    (void)inb(io + ATA_REG_STATUS);          /* acknowledge the (masked) interrupt */
    return ata_parse_identify(words, &d->id);
}

static void init_position(unsigned i)
{
    struct ata_disk *d = &disks[i];
    d->io_base = i < 2 ? ATA_PRIMARY_IO : ATA_SECONDARY_IO;
    d->ctrl_base = i < 2 ? ATA_PRIMARY_CTRL : ATA_SECONDARY_CTRL;
    d->slave = (uint8_t)(i & 1);
    d->name[0] = 'a', d->name[1] = 't', d->name[2] = 'a';
    d->name[3] = (char)('0' + i), d->name[4] = '\0';
    d->dev.name = d->name;
    d->dev.read = ata_read;
    d->dev.write = ata_write;
    d->dev.priv = d;
}

int ata_probe(void)
{
    static const char *const where[ATA_POSITIONS] = {
        "primary master", "primary slave", "secondary master", "secondary slave" };
    uint16_t words[ATA_IDENTIFY_WORDS];
    int found = 0;
    for (unsigned i = 0; i < ATA_POSITIONS; i++) {
        init_position(i);
        enum ata_err err = identify(&disks[i], words);
        present[i] = err == ATA_OK;
        if (err != ATA_OK) {
            kprintf("ata: %s (%s): %s\n", disks[i].name, where[i], ata_strerror(err));
            continue;
        }
        disks[i].dev.sectors = disks[i].id.sectors;
        kprintf("ata: %s (%s): \"%s\", %llu sectors, %s\n", disks[i].name, where[i],
                disks[i].id.model, (unsigned long long)disks[i].id.sectors,
                disks[i].id.lba48 ? "LBA48" : "LBA28");
        found++;
    }
    return found;
}

struct blockdev *ata_blockdev(unsigned position)
{
    return position < ATA_POSITIONS && present[position] ? &disks[position].dev : NULL;
}
