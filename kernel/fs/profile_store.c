/* Saving profiles to the boot stick (contract in kernel/fs/profile_store.h): finds the
 * volume with /PROFILE, reads every slot to learn which is newest and which may go, formats
 * the chosen slot in a heap buffer and writes it in place. Kernel only. */
#include "kernel/fs/profile_store.h"

#include "kernel/core/cmdline.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/fs/volume.h"
#include "kernel/mm/heap.h"

#define SLOT_PATH_MAX 24            /* "/PROFILE/RUN0.JSN" and its NUL */

static struct volume profile_volume;

static void slot_path(char *path, const char *kind, unsigned i)
{
    fmt_snprintf(path, SLOT_PATH_MAX, "%s/%s%u.JSN", PROFILE_STORE_DIR, kind, i);
}

/* Opens slot i of ring kind and checks its size; false (logged) if it is missing or not a
 * slot. */
static bool open_slot(struct fat16 *fs, const char *kind, unsigned i, struct fat16_file *f)
{
    char path[SLOT_PATH_MAX];
    slot_path(path, kind, i);
    enum fat16_err err = fat16_open(fs, path, f);
    if (err != FAT16_OK) {
        kprintf("profile: %s: %s\n", path, fat16_strerror(err));
        return false;
    }
    if (f->size != PROFILE_STORE_SLOT_BYTES) {
        kprintf("profile: %s is %u bytes, not the %u of a slot the image tools make\n", path,
                (unsigned)f->size, PROFILE_STORE_SLOT_BYTES);
        return false;
    }
    return true;
}

/* Reads every slot's header and CRC; false if a slot is missing or unreadable. */
static bool survey(struct fat16 *fs, const char *kind, uint8_t *buf,
                   struct profile_slot slots[])
{
    for (unsigned i = 0; i < PROFILE_STORE_SLOTS; i++) {
        struct fat16_file f;
        uint32_t got;
        if (!open_slot(fs, kind, i, &f) ||
            fat16_read(&f, buf, PROFILE_STORE_SLOT_BYTES, &got) != FAT16_OK ||
            got != PROFILE_STORE_SLOT_BYTES)
            return false;
        slots[i] = profile_slot_parse(buf);
    }
    return true;
}

static bool write_slot(struct fat16 *fs, const char *kind, unsigned i, const uint8_t *buf)
{
    struct fat16_file f;
    if (!open_slot(fs, kind, i, &f))
        return false;
    enum fat16_err err = fat16_write(&f, buf, PROFILE_STORE_SLOT_BYTES);
    if (err != FAT16_OK) {
        kprintf("profile: writing slot %u on %s failed: %s\n", i, profile_volume.name,
                fat16_strerror(err));
        return false;
    }
    return true;
}

bool profile_store_save(const char *kind, const char *json, uint32_t len,
                        const struct boot_info *bi)
{
    struct profile_slot slots[PROFILE_STORE_SLOTS];
    uint32_t seq;
    if (cmdline_has(PROFILE_STORE_OPTION_OFF)) {
        kprintf("profile: not saved to disk (%s)\n", PROFILE_STORE_OPTION_OFF);
        return false;
    }
    if (len > PROFILE_STORE_MAX_JSON) {
        kprintf("profile: %u bytes do not fit a %u-byte slot: not saved\n", (unsigned)len,
                PROFILE_STORE_MAX_JSON);
        return false;
    }
    uint8_t *buf = malloc(PROFILE_STORE_SLOT_BYTES);
    if (!buf) {
        kprintf("profile: no memory for %u bytes: not saved\n", PROFILE_STORE_SLOT_BYTES);
        return false;
    }
    bool ok = volume_find(&profile_volume, PROFILE_STORE_DIR, bi, "profile") &&
              survey(&profile_volume.fs, kind, buf, slots);
    unsigned i = ok ? profile_slot_pick(slots, &seq) : 0;
    ok = ok && profile_slot_format(buf, seq, json, len) &&
         write_slot(&profile_volume.fs, kind, i, buf);
    if (ok)
        kprintf("profile: saved to %s:%s/%s%u.JSN, seq %u, %u bytes\n", profile_volume.name,
                PROFILE_STORE_DIR, kind, i, (unsigned)seq, (unsigned)len);
    else
        kprintf("profile: not saved to disk\n");
    free(buf);
    return ok;
}
