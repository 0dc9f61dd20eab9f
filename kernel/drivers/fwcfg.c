/* fw_cfg directory parser (contract in fwcfg.h). Every field is read big-endian and
 * validated before use: the count against FW_CFG_MAX_FILES, the name for a terminating NUL
 * within its 56 bytes (an unterminated name matches nothing), the selector range. */
#include "kernel/drivers/fwcfg.h"

static uint32_t ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ld_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* True if the entry's name is NUL-terminated within the field and equals `name`. */
static bool name_matches(const uint8_t *field, const char *name)
{
    for (size_t i = 0; i < FW_CFG_NAME_LEN; i++) {
        if ((char)field[i] != name[i])
            return false;
        if (field[i] == '\0')
            return true;
    }
    return false;
}

enum fwcfg_err fwcfg_dir_find(fwcfg_read_fn read, void *ctx, const char *name,
                              struct fwcfg_file *out, uint32_t *count_out)
{
    uint8_t buf[FW_CFG_FILE_ENTRY_BYTES];
    read(ctx, buf, sizeof(uint32_t));
    uint32_t count = ld_be32(buf);
    if (count_out)
        *count_out = count;
    if (count > FW_CFG_MAX_FILES)
        return FWCFG_E_TOO_MANY_FILES;
    for (uint32_t i = 0; i < count; i++) {
        read(ctx, buf, sizeof buf);
        if (!name_matches(buf + FW_CFG_ENT_NAME, name))
            continue;
        out->size = ld_be32(buf + FW_CFG_ENT_SIZE);
        out->select = ld_be16(buf + FW_CFG_ENT_SELECT);
        return out->select < FW_CFG_FILE_FIRST ? FWCFG_E_BAD_SELECTOR : FWCFG_OK;
    }
    return FWCFG_E_NOT_FOUND;
}

const char *fwcfg_strerror(enum fwcfg_err err)
{
    switch (err) {
    case FWCFG_OK:               return "ok";
    case FWCFG_E_NOT_FOUND:      return "not found";
    case FWCFG_E_TOO_MANY_FILES: return "directory count too large";
    case FWCFG_E_BAD_SELECTOR:   return "selector below the file range";
    }
    return "unknown fwcfg error";
}
