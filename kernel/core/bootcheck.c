/* boot_info validation (contract in bootcheck.h): one rule per check, in field order. */
#include "kernel/core/bootcheck.h"

#include "kernel/core/log.h"

enum bootinfo_err bootinfo_check(uint32_t magic, const struct boot_info *bi)
{
    if (magic != BOOT_INFO_MAGIC)
        return BOOTINFO_E_MAGIC;
    if (!bi)
        return BOOTINFO_E_NULL;
    if (bi->magic != BOOT_INFO_MAGIC)
        return BOOTINFO_E_STRUCT_MAGIC;
    if (bi->version != BOOT_INFO_VERSION)
        return BOOTINFO_E_VERSION;
    if (bi->size != sizeof(struct boot_info))
        return BOOTINFO_E_SIZE;
    if (bi->e820_count > E820_MAX_ENTRIES)
        return BOOTINFO_E_E820_COUNT;
    return BOOTINFO_OK;
}

void bootinfo_log_error(enum bootinfo_err err, uint32_t magic, const struct boot_info *bi)
{
    switch (err) {
    case BOOTINFO_OK:
        break;
    case BOOTINFO_E_MAGIC:
        kprintf("boot: entry magic 0x%08x is not 0x%08x\n", magic, BOOT_INFO_MAGIC);
        break;
    case BOOTINFO_E_NULL:
        kprintf("boot: boot_info pointer is NULL\n");
        break;
    case BOOTINFO_E_STRUCT_MAGIC:
        kprintf("boot: boot_info magic 0x%08x is not 0x%08x\n", bi->magic, BOOT_INFO_MAGIC);
        break;
    case BOOTINFO_E_VERSION:
        kprintf("boot: boot_info version %u is not %u\n", bi->version, BOOT_INFO_VERSION);
        break;
    case BOOTINFO_E_SIZE:
        kprintf("boot: boot_info size %u is not %zu\n", bi->size, sizeof(struct boot_info));
        break;
    case BOOTINFO_E_E820_COUNT:
        kprintf("boot: e820 count %u exceeds %u\n", bi->e820_count, E820_MAX_ENTRIES);
        break;
    }
}

const char *bootinfo_strerror(enum bootinfo_err err)
{
    switch (err) {
    case BOOTINFO_OK:             return "ok";
    case BOOTINFO_E_MAGIC:        return "entry magic is not BOOT_INFO_MAGIC";
    case BOOTINFO_E_NULL:         return "boot_info pointer is NULL";
    case BOOTINFO_E_STRUCT_MAGIC: return "boot_info magic is not BOOT_INFO_MAGIC";
    case BOOTINFO_E_VERSION:      return "unsupported boot_info version";
    case BOOTINFO_E_SIZE:         return "boot_info size does not match";
    case BOOTINFO_E_E820_COUNT:   return "too many E820 entries";
    }
    return "unknown bootinfo error";
}
