/* libFuzzer target for the .mod loader (kernel/bench/module_loader.c). Each input is a module
 * file, checked twice: as it is, where the magic and the two CRCs stop nearly every mutation,
 * and again with both CRCs recomputed over the mutated bytes, so that mutations reach the
 * field, size, entry and relocation rules behind them. An accepted module is placed into a
 * heap block of exactly image_size bytes at the alignment it asks for (ASan reports any byte
 * written past it) and must be refused one byte less; its entry address is computed. Every
 * result's message is formatted. What the loader promises about an accepted module is
 * checked here, and a broken promise aborts: libFuzzer reports it as a crash.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/modules.mk). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bench/module_loader.h"
#include "kernel/lib/bytes.h"

#define FUZZ_MSG_MAX    160     /* a diagnostic line; longer ones are cut, as in the kernel */

/* Aborts when `cond` is false: the loader broke a promise of module_loader.h. */
static void expect(int cond)
{
    if (!cond)
        abort();
}

/* The promises about an accepted module: parts inside the file, sizes within the format's
 * limits (summed in 64 bits here, whatever the loader does), entry inside code. */
static void check_accepted(const struct mod_info *m, const uint8_t *file, size_t size)
{
    const struct fluid_mod_header *h = &m->hdr;
    uint64_t image = (uint64_t)h->code_size + h->data_size + h->bss_size;
    uint64_t body = (uint64_t)h->code_size + h->data_size;
    expect(image == m->image_size && image <= FLUID_MOD_MAX_IMAGE && h->code_size > 0);
    expect(h->entry < h->code_size);
    expect(m->body == file + h->header_size && m->relocs == m->body + body);
    expect((uint64_t)(m->relocs - file) + (uint64_t)h->reloc_count * sizeof(uint32_t) == size);
    expect(h->align >= FLUID_MOD_ALIGN_MIN && h->align <= FLUID_MOD_ALIGN_MAX &&
           (h->align & (h->align - 1)) == 0);
    expect(strlen(m->name) > 0 && strlen(m->name) < FLUID_MOD_NAME_LEN);
    expect(strlen(m->cflags) < FLUID_MOD_CFLAGS_LEN);
}

/* Places an accepted module into exactly image_size bytes, as suite_run.c does. */
static void place(const struct mod_info *m)
{
    size_t align = m->hdr.align < sizeof(void *) ? sizeof(void *) : m->hdr.align;
    void *dest = NULL;
    struct mod_diag d;
    expect(posix_memalign(&dest, align, m->image_size) == 0);
    uint32_t run_addr = (uint32_t)(uintptr_t)dest;  /* aligned like dest: its low bits */
    expect(mod_place(m, dest, m->image_size - 1, run_addr, &d) == MOD_E_DEST_SIZE);
    expect(mod_place(m, dest, m->image_size, run_addr, &d) == MOD_OK);
    expect(mod_entry_addr(m, run_addr) == run_addr + m->hdr.entry);
    free(dest);
}

static void check_one(const uint8_t *file, size_t size)
{
    struct mod_info info;
    struct mod_diag d;
    char msg[FUZZ_MSG_MAX];
    memset(&d, 0, sizeof d);
    enum mod_err err = mod_check(file, size, FLUID_FEAT_KNOWN, &info, &d);
    expect((unsigned)err < MOD_E_COUNT && d.err == err);
    mod_format_error("fuzz", &d, msg, sizeof msg);
    expect(strlen(msg) < sizeof msg && strcmp(mod_strerror(err), "unknown module error") != 0);
    if (err != MOD_OK)
        return;
    check_accepted(&info, file, size);
    place(&info);
}

/* Recomputes the body CRC (over the bytes after the header_size the file claims, when it
 * claims no more than there is) and then the header CRC. */
static void reseal(uint8_t *file, size_t size)
{
    if (size < sizeof(struct fluid_mod_header))
        return;
    uint16_t header_size = ld16(file + offsetof(struct fluid_mod_header, header_size));
    if (header_size <= size)
        st32(file + offsetof(struct fluid_mod_header, body_crc32),
             mod_crc32(file + header_size, size - header_size));
    st32(file + offsetof(struct fluid_mod_header, header_crc32),
         mod_crc32(file, FLUID_MOD_HEADER_CRC_SPAN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one(data, size);
    uint8_t *copy = malloc(size ? size : 1);    /* exactly sized: ASan sees every overread */
    if (size)
        memcpy(copy, data, size);
    reseal(copy, size);
    check_one(copy, size);
    free(copy);
    return 0;
}
