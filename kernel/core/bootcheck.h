/* Validation of what stage2 hands the kernel (include/fluid/bootinfo.h) before any field is
 * used. Pure, host-tested. */
#ifndef FLUID_KERNEL_BOOTCHECK_H
#define FLUID_KERNEL_BOOTCHECK_H

#include <fluid/bootinfo.h>

enum bootinfo_error {
    BOOTINFO_OK,
    BOOTINFO_BAD_MAGIC,         /* EAX is not BOOT_INFO_MAGIC: not entered by our stage2 */
    BOOTINFO_NULL,              /* EBX is 0 */
    BOOTINFO_BAD_STRUCT_MAGIC,  /* boot_info.magic differs from BOOT_INFO_MAGIC */
    BOOTINFO_BAD_VERSION,       /* boot_info.version is not BOOT_INFO_VERSION */
    BOOTINFO_BAD_SIZE,          /* boot_info.size is not sizeof(struct boot_info) */
    BOOTINFO_BAD_E820_COUNT,    /* e820_count > E820_MAX_ENTRIES */
};

/* Checks magic (register and field), version, size and the E820 count, in that order. */
enum bootinfo_error bootinfo_check(uint32_t magic, const struct boot_info *bi);

/* Logs "boot: <what is wrong> (<bad value>)" for a failed check. */
void bootinfo_log_error(enum bootinfo_error err, uint32_t magic, const struct boot_info *bi);

/* The validated boot_info (kernel/main_i686.c keeps it; NULL before validation). */
const struct boot_info *kernel_boot_info(void);

#endif
