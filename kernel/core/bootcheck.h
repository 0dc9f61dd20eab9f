/* Validation of what stage2 hands the kernel (include/fluid/bootinfo.h) before any field is
 * used. Pure, host-tested. */
#ifndef FLUID_KERNEL_BOOTCHECK_H
#define FLUID_KERNEL_BOOTCHECK_H

#include <fluid/bootinfo.h>

/* Every result of this subsystem. */
enum bootinfo_err {
    BOOTINFO_OK = 0,
    BOOTINFO_E_MAGIC,           /* EAX is not BOOT_INFO_MAGIC: not entered by our stage2 */
    BOOTINFO_E_NULL,            /* EBX is 0 */
    BOOTINFO_E_STRUCT_MAGIC,    /* boot_info.magic differs from BOOT_INFO_MAGIC */
    BOOTINFO_E_VERSION,         /* boot_info.version is not BOOT_INFO_VERSION */
    BOOTINFO_E_SIZE,            /* boot_info.size is not sizeof(struct boot_info) */
    BOOTINFO_E_E820_COUNT,      /* e820_count > E820_MAX_ENTRIES */
};

/* Checks magic (register and field), version, size and the E820 count, in that order. */
enum bootinfo_err bootinfo_check(uint32_t magic, const struct boot_info *bi);

/* Logs "boot: <what is wrong> (<bad value>)" for a failed check: the field's value and the
 * one expected, which bootinfo_strerror alone cannot give. */
void bootinfo_log_error(enum bootinfo_err err, uint32_t magic, const struct boot_info *bi);

/* A short description of an enum bootinfo_err value; "unknown bootinfo error" outside the
 * enum. */
const char *bootinfo_strerror(enum bootinfo_err err);

/* The validated boot_info (kernel/main_i686.c keeps it; NULL before validation). */
const struct boot_info *kernel_boot_info(void);

#endif
