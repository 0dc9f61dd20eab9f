/* Files for the LLM stage (contract in files.h): the volume holding /MODELS (found by
 * kernel/fs/volume.c) and whole-file reads into heap buffers. */
#include <string.h>

#include "kernel/core/progress.h"
#include "kernel/core/tsc.h"
#include "kernel/fs/fat16.h"
#include "kernel/mm/heap.h"
#include "kernel/core/log.h"
#include "kernel/fs/volume.h"
#include "kernel/llm/files.h"

#define MODELS_DIR          "/MODELS"
#define FILE_ALIGN          64      /* model weights are read in place: keep rows aligned */
#define READ_RETRIES        3
#define READ_CHUNK_BYTES    (1u << 20)  /* between progress updates */

_Static_assert(sizeof(size_t) > sizeof(uint32_t), "a FAT16 size + 1 must fit size_t");

static struct volume models;
static bool models_found;

bool llm_files_mount(const struct boot_info *bi)
{
    if (!models_found && volume_find(&models, MODELS_DIR, bi, "llm")) {
        models_found = true;
        kprintf("llm: models on %s\n", models.disk->name);
    }
    return models_found;
}

/* "NAME.BIN" -> "/MODELS/NAME.BIN"; a name with a '/' is a path of its own. */
static bool model_path(const char *name, char *out, size_t cap)
{
    const char *prefix = strchr(name, '/') ? "" : MODELS_DIR "/";
    size_t a = strlen(prefix), b = strlen(name);
    if (a + b + 1 > cap) {
        kprintf("llm: file name %s is too long\n", name);
        return false;
    }
    memcpy(out, prefix, a);
    memcpy(out + a, name, b + 1);
    return true;
}

static enum fat16_err file_open(const char *name, struct fat16_file *f, char *path,
                                size_t cap)
{
    if (!model_path(name, path, cap))
        return FAT16_E_BAD_PATH;
    return fat16_open(&models.fs, path, f);
}

/* Reads all of f into buf in READ_CHUNK_BYTES pieces, reporting progress. A failed read is
 * retried from where it stopped, at most READ_RETRIES times in all: a read that fails once (a
 * timeout on a heavily loaded host, say) may succeed when repeated, and the file is worth the
 * wait. */
static bool read_all(struct fat16_file *f, uint8_t *buf, const char *path)
{
    uint32_t pos = 0;
    struct progress pr;
    progress_begin(&pr, "llm", path, f->size, tsc_read(), tsc_hz());
    for (unsigned tries = 0;; tries++) {
        uint32_t done = 0;
        enum fat16_err err = FAT16_OK;
        while (err == FAT16_OK && pos < f->size) {
            uint32_t want = f->size - pos < READ_CHUNK_BYTES ? f->size - pos : READ_CHUNK_BYTES;
            err = fat16_read(f, buf + pos, want, &done);
            pos += done;
            progress_update(&pr, pos, tsc_read());
            if (err == FAT16_OK && done < want)
                break;                  /* cannot happen: f->size bounds the reads */
        }
        if (err == FAT16_OK && pos == f->size) {
            progress_end(&pr, pos, tsc_read());
            return true;
        }
        kprintf("llm: reading %s: %s after %u of %u bytes%s\n", path, fat16_strerror(err), pos,
                f->size, tries < READ_RETRIES ? ", retrying" : "");
        if (tries == READ_RETRIES || err == FAT16_OK || fat16_seek(f, pos) != FAT16_OK)
            return false;
    }
}

void *llm_file_read(const char *name, size_t *len, bool quiet_if_absent)
{
    char path[LLM_PATH_MAX];
    struct fat16_file f;
    enum fat16_err err = file_open(name, &f, path, sizeof path);
    if (err != FAT16_OK) {
        if (!(quiet_if_absent && err == FAT16_E_NOT_FOUND))
            kprintf("llm: cannot open %s: %s\n", path, fat16_strerror(err));
        return NULL;
    }
    /* +1: room for a NUL. In size_t: f.size + 1u in 32 bits wraps to 0 for a 4 GiB claim. */
    uint8_t *buf = aligned_alloc(FILE_ALIGN, (size_t)f.size + 1);
    if (!buf) {
        kprintf("llm: no memory for %s (%u bytes)\n", path, f.size);
        return NULL;
    }
    if (!read_all(&f, buf, path)) {
        free(buf);
        return NULL;
    }
    buf[f.size] = '\0';
    *len = f.size;
    return buf;
}
