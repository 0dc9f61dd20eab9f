/* QEMU fw_cfg file directory parsing (QEMU docs/specs/fw_cfg.txt): the directory item
 * (selector FW_CFG_FILE_DIR) is a big-endian u32 count followed by count 64-byte entries
 * { be32 size; be16 select; u16 reserved; char name[56]; }. The parser reads through a
 * callback so it has no port I/O and is host-tested; kernel/arch/x86/fwcfg_io.c supplies
 * the port reads. */
#ifndef FLUID_KERNEL_FWCFG_H
#define FLUID_KERNEL_FWCFG_H

#include <fluid/types.h>

#define FW_CFG_SIGNATURE        0x0000  /* selector: "QEMU" */
#define FW_CFG_FILE_DIR         0x0019  /* selector: the file directory */
#define FW_CFG_FILE_FIRST       0x0020  /* file items use selectors from here on */
#define FW_CFG_FILE_ENTRY_BYTES 64
#define FW_CFG_NAME_LEN         56
#define FW_CFG_MAX_FILES        4096    /* our bound on the count; QEMU has a few dozen */

/* Offsets inside one directory entry. */
#define FW_CFG_ENT_SIZE         0       /* be32: bytes in the item */
#define FW_CFG_ENT_SELECT       4       /* be16: selector of the item */
#define FW_CFG_ENT_NAME         8       /* char[56], NUL-terminated */

/* Every result of this subsystem. */
enum fwcfg_err {
    FWCFG_OK = 0,
    FWCFG_E_NOT_FOUND,          /* no entry with that name */
    FWCFG_E_TOO_MANY_FILES,     /* count > FW_CFG_MAX_FILES: not a sane directory */
    FWCFG_E_BAD_SELECTOR,       /* the matching entry's selector is below FW_CFG_FILE_FIRST */
};

struct fwcfg_file {
    uint32_t size;
    uint16_t select;
};

/* Reads the next n bytes of the selected item into buf. */
typedef void (*fwcfg_read_fn)(void *ctx, uint8_t *buf, size_t n);

/* Reads the directory (the caller has selected FW_CFG_FILE_DIR) and finds `name`. Reads at
 * most 4 + count * 64 bytes; stops at the match. *count_out (may be NULL) gets the count. */
enum fwcfg_err fwcfg_dir_find(fwcfg_read_fn read, void *ctx, const char *name,
                              struct fwcfg_file *out, uint32_t *count_out);

/* A short description of an enum fwcfg_err value; "unknown fwcfg error" outside the enum. */
const char *fwcfg_strerror(enum fwcfg_err err);

#endif
