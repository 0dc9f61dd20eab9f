/* The .mod loader (kernel/bench/module_loader.h). mod_check applies the rules of
 * docs/module-format.md one per line, in this order: length, magic, header CRC, then each
 * header field, sizes (in 64-bit arithmetic, so no sum can wrap) against the file length,
 * entry, body CRC, relocation offsets, CPU features. mod_place trusts only what mod_check
 * accepted. Called by kernel/bench/suite.c and tools/hostrun; no allocation, no I/O. */
#include "kernel/bench/module_loader.h"

#include <string.h>

#include "kernel/core/format.h"
#include "kernel/lib/bytes.h"
#include "kernel/lib/crc32.h"

uint32_t mod_crc32(const void *data, size_t n)
{
    return crc32_iso_hdlc(data, n);
}

static enum mod_err reject(struct mod_diag *d, enum mod_err err, uint64_t expected,
                           uint64_t got)
{
    if (d) {
        d->err = err;
        d->expected = expected;
        d->got = got;
    }
    return err;
}

/* Name rule: 1..NAME_LEN-1 characters of [a-z0-9_], then NULs only. */
static bool name_ok(const char *name)
{
    size_t i = 0;
    while (i < FLUID_MOD_NAME_LEN && name[i]) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
        i++;
    }
    if (i == 0 || i == FLUID_MOD_NAME_LEN)
        return false;
    for (; i < FLUID_MOD_NAME_LEN; i++)
        if (name[i])
            return false;
    return true;
}

/* The field rules that need no file bytes beyond the header. */
static enum mod_err check_fields(const struct fluid_mod_header *h, struct mod_diag *d)
{
    if (h->format_version != FLUID_MOD_FORMAT_VERSION)       /* readers know version 1 only */
        return reject(d, MOD_E_VERSION, FLUID_MOD_FORMAT_VERSION, h->format_version);
    if (h->header_size != sizeof *h)                          /* no extended headers yet */
        return reject(d, MOD_E_HEADER_SIZE, sizeof *h, h->header_size);
    if (!name_ok(h->name))
        return reject(d, MOD_E_NAME, 0, 0);
    if (h->reserved0 || (h->build_flags & ~FLUID_BUILD_KNOWN)) /* room for later versions */
        return reject(d, MOD_E_RESERVED, 0, (uint32_t)h->reserved0 << 8 | h->build_flags);
    if (h->tier >= FLUID_TIER_COUNT)
        return reject(d, MOD_E_TIER, FLUID_TIER_COUNT - 1, h->tier);
    if (h->align < FLUID_MOD_ALIGN_MIN || h->align > FLUID_MOD_ALIGN_MAX ||
        (h->align & (h->align - 1)))
        return reject(d, MOD_E_ALIGN, FLUID_MOD_ALIGN_MAX, h->align);
    if (h->required_features & ~FLUID_FEAT_KNOWN)
        return reject(d, MOD_E_FEATURE_BITS, FLUID_FEAT_KNOWN, h->required_features);
    if (h->reloc_count > FLUID_MOD_MAX_RELOCS)
        return reject(d, MOD_E_RELOC_COUNT, FLUID_MOD_MAX_RELOCS, h->reloc_count);
    return MOD_OK;
}

/* Size rules, in 64-bit arithmetic so that no sum of 32-bit fields can wrap. */
static enum mod_err check_sizes(const struct fluid_mod_header *h, size_t size,
                                struct mod_diag *d)
{
    uint64_t image = (uint64_t)h->code_size + h->data_size + h->bss_size;
    uint64_t want = (uint64_t)h->header_size + h->code_size + h->data_size +
                    (uint64_t)h->reloc_count * sizeof(uint32_t);
    if (h->code_size == 0 || image > FLUID_MOD_MAX_IMAGE)
        return reject(d, MOD_E_IMAGE_SIZE, FLUID_MOD_MAX_IMAGE, image);
    if (want != (uint64_t)size)
        return reject(d, MOD_E_FILE_SIZE, want, size);
    if (h->entry >= h->code_size)                             /* entry must be code */
        return reject(d, MOD_E_ENTRY, h->code_size, h->entry);
    return MOD_OK;
}

/* Every relocation must name a whole u32 inside code + data. check_sizes has bounded the
 * sum; it is taken in 64 bits all the same, like every size from the header. */
static enum mod_err check_relocs(const struct mod_info *m, struct mod_diag *d)
{
    uint64_t limit = (uint64_t)m->hdr.code_size + m->hdr.data_size;
    for (uint32_t i = 0; i < m->hdr.reloc_count; i++) {
        uint64_t off = ld32(m->relocs + sizeof(uint32_t) * i);
        if (off + sizeof(uint32_t) > limit)
            return reject(d, MOD_E_RELOC, limit, off);
    }
    return MOD_OK;
}

/* After check_sizes: code + data + bss <= FLUID_MOD_MAX_IMAGE, so these 32-bit sums, and
 * mod_place's, cannot wrap. */
static void fill_info(struct mod_info *m, const uint8_t *file)
{
    memcpy(m->name, m->hdr.name, FLUID_MOD_NAME_LEN);
    m->name[FLUID_MOD_NAME_LEN - 1] = '\0';
    memcpy(m->cflags, m->hdr.cflags, FLUID_MOD_CFLAGS_LEN);
    m->cflags[FLUID_MOD_CFLAGS_LEN - 1] = '\0';
    m->body = file + m->hdr.header_size;
    m->relocs = m->body + m->hdr.code_size + m->hdr.data_size;
    m->image_size = m->hdr.code_size + m->hdr.data_size + m->hdr.bss_size;
}

enum mod_err mod_check(const void *file, size_t size, uint32_t cpu_features,
                       struct mod_info *m, struct mod_diag *d)
{
    const uint8_t *bytes = file;
    struct fluid_mod_header *h = &m->hdr;
    enum mod_err err;
    if (size < sizeof *h)
        return reject(d, MOD_E_TRUNCATED, sizeof *h, size);
    memcpy(h, bytes, sizeof *h);
    if (h->magic != FLUID_MOD_MAGIC)
        return reject(d, MOD_E_MAGIC, FLUID_MOD_MAGIC, h->magic);
    uint32_t crc = mod_crc32(bytes, FLUID_MOD_HEADER_CRC_SPAN);
    if (crc != h->header_crc32)
        return reject(d, MOD_E_HEADER_CRC, h->header_crc32, crc);
    if ((err = check_fields(h, d)) || (err = check_sizes(h, size, d)))
        return err;
    crc = mod_crc32(bytes + h->header_size, size - h->header_size);
    if (crc != h->body_crc32)
        return reject(d, MOD_E_CRC, h->body_crc32, crc);
    fill_info(m, bytes);
    if ((err = check_relocs(m, d)))
        return err;
    if (h->required_features & ~cpu_features)
        return reject(d, MOD_E_CPU_FEATURES, h->required_features,
                      h->required_features & cpu_features);
    return reject(d, MOD_OK, 0, 0);
}

enum mod_err mod_place(const struct mod_info *m, void *dest, size_t dest_size,
                       uint32_t run_addr, struct mod_diag *d)
{
    uint8_t *out = dest;
    uint32_t align = m->hdr.align;
    if (dest_size < m->image_size)
        return reject(d, MOD_E_DEST_SIZE, m->image_size, dest_size);
    if (((uintptr_t)dest & (align - 1)) || (run_addr & (align - 1)))
        return reject(d, MOD_E_DEST_ALIGN, align, run_addr);
    memcpy(out, m->body, m->hdr.code_size + m->hdr.data_size);
    memset(out + m->hdr.code_size + m->hdr.data_size, 0, m->hdr.bss_size);
    for (uint32_t i = 0; i < m->hdr.reloc_count; i++) {
        uint8_t *p = out + ld32(m->relocs + 4 * i);
        st32(p, ld32(p) + run_addr);
    }
    return reject(d, MOD_OK, 0, 0);
}

uint32_t mod_entry_addr(const struct mod_info *m, uint32_t run_addr)
{
    return run_addr + m->hdr.entry;
}

static const char *const err_names[MOD_E_COUNT] = {
    [MOD_OK] = "ok", [MOD_E_TRUNCATED] = "truncated", [MOD_E_MAGIC] = "bad_magic",
    [MOD_E_HEADER_CRC] = "bad_header_crc", [MOD_E_VERSION] = "bad_version",
    [MOD_E_HEADER_SIZE] = "bad_header_size", [MOD_E_NAME] = "bad_name",
    [MOD_E_RESERVED] = "reserved_bits", [MOD_E_TIER] = "bad_tier", [MOD_E_ALIGN] = "bad_align",
    [MOD_E_FEATURE_BITS] = "unknown_features", [MOD_E_RELOC_COUNT] = "too_many_relocs",
    [MOD_E_IMAGE_SIZE] = "bad_image_size", [MOD_E_FILE_SIZE] = "bad_file_size",
    [MOD_E_ENTRY] = "bad_entry", [MOD_E_CRC] = "bad_crc", [MOD_E_RELOC] = "bad_reloc",
    [MOD_E_CPU_FEATURES] = "missing_cpu_features", [MOD_E_DEST_SIZE] = "dest_too_small",
    [MOD_E_DEST_ALIGN] = "dest_misaligned",
};

const char *mod_strerror(enum mod_err err)
{
    return (unsigned)err < MOD_E_COUNT ? err_names[err] : "unknown module error";
}

/* printf templates, each given (expected, got) in that order, as unsigned long long. */
static const char *const err_text[MOD_E_COUNT] = {
    [MOD_OK] = "ok",
    [MOD_E_TRUNCATED] = "truncated (header needs %llu bytes, file has %llu)",
    [MOD_E_MAGIC] = "bad magic (expected 0x%08llx, got 0x%08llx)",
    [MOD_E_HEADER_CRC] = "bad header CRC (expected 0x%08llx, got 0x%08llx)",
    [MOD_E_VERSION] = "unsupported format version (expected %llu, got %llu)",
    [MOD_E_HEADER_SIZE] = "bad header size (expected %llu, got %llu)",
    [MOD_E_NAME] = "bad name (not 1-23 characters of [a-z0-9_])",
    [MOD_E_RESERVED] = "reserved bits set (expected %llu, got 0x%llx)",
    [MOD_E_TIER] = "bad tier (at most %llu, got %llu)",
    [MOD_E_ALIGN] = "bad alignment (power of two up to %llu, got %llu)",
    [MOD_E_FEATURE_BITS] = "unknown required features (known 0x%llx, got 0x%llx)",
    [MOD_E_RELOC_COUNT] = "too many relocations (at most %llu, got %llu)",
    [MOD_E_IMAGE_SIZE] = "bad image size (1 to %llu bytes, got %llu)",
    [MOD_E_FILE_SIZE] = "sizes do not match the file (header says %llu bytes, file has %llu)",
    [MOD_E_ENTRY] = "entry outside code (code size 0x%llx, entry 0x%llx)",
    [MOD_E_CRC] = "bad CRC (expected 0x%08llx, got 0x%08llx)",
    [MOD_E_RELOC] = "relocation outside code and data (limit 0x%llx, offset 0x%llx)",
    [MOD_E_CPU_FEATURES] = "missing CPU features (needs 0x%llx, CPU has 0x%llx of them)",
    [MOD_E_DEST_SIZE] = "destination too small (needs %llu bytes, got %llu)",
    [MOD_E_DEST_ALIGN] = "destination misaligned (needs %llu-byte alignment, address 0x%llx)",
};

size_t mod_format_error(const char *label, const struct mod_diag *d, char *buf, size_t cap)
{
    size_t n = fmt_snprintf(buf, cap, "module %s: ", label ? label : "?");
    const char *tmpl = (unsigned)d->err < MOD_E_COUNT ? err_text[d->err] : "error %llu %llu";
    size_t rest = n < cap ? cap - n : 0;
    return n + fmt_snprintf(rest ? buf + n : NULL, rest, tmpl,
                            (unsigned long long)d->expected, (unsigned long long)d->got);
}
