/* The start-up steps both kernels' kernel_main take in the same way: the banner, the options
 * from fw_cfg, the clock option, and logging and keeping the validated boot_info (which
 * kernel_boot_info() in bootcheck.h returns afterwards). The order of the steps and everything
 * architecture-specific stay in each kernel_main. */
#ifndef FLUID_KERNEL_STARTUP_H
#define FLUID_KERNEL_STARTUP_H

#include <fluid/bootinfo.h>

/* "fluid: Fluid <arch_name> kernel, build <git revision from the image header>". */
void startup_log_banner(const char *arch_name);

/* Reads the options from fw_cfg file opt/fluid/cmdline and logs them ("cmdline: none" if
 * absent, "cmdline: ignored: <why>" if unusable), then applies clock=icount|tcg|hw. */
void startup_load_options(void);

/* Logs the boot drive, image layout and the stage2 RAM copy, and keeps bi for
 * kernel_boot_info(). bi must have passed bootcheck's validation. */
void startup_accept_boot_info(const struct boot_info *bi);

#endif
