/* Start-up steps shared by the i686 and x86-64 kernel_main (contract in startup.h). */
#include "kernel/core/startup.h"

#include <string.h>


#include <fluid/kernel_header.h>

#include "kernel/core/arch.h"
#include "kernel/core/bootcheck.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/core/cpu.h"
#include "kernel/core/e820.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/core/tsc.h"
#include "kernel/drivers/optfile.h"

#define BUILD_ID_LEN        sizeof(((struct kernel_header *)0)->build_id)
#define CMDLINE_FWCFG_FILE  "opt/fluid/cmdline"

extern const struct kernel_header kernel_image_header;

static const struct boot_info *accepted_boot_info;

const struct boot_info *kernel_boot_info(void)
{
    return accepted_boot_info;
}

static void log_banner(const char *arch_name)
{
    char id[BUILD_ID_LEN + 1];
    size_t n = 0;
    for (; n < BUILD_ID_LEN && kernel_image_header.build_id[n]; n++)
        id[n] = (char)kernel_image_header.build_id[n];
    id[n] = '\0';
    kprintf("fluid: Fluid %s kernel, build %s\n", arch_name, n ? id : "unknown");
}

static void apply_clock_option(void)
{
    static const struct { const char *word; enum tsc_clock mode; } modes[] = {
        {"clock=icount", TSC_CLOCK_ICOUNT}, {"clock=tcg", TSC_CLOCK_TCG},
        {"clock=hw", TSC_CLOCK_HW},
    };
    if (!cmdline_value("clock"))
        return;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (cmdline_has(modes[i].word)) {
            tsc_set_clock_mode(modes[i].mode);
            kprintf("tsc: clock mode %s\n", tsc_clock_name(modes[i].mode));
            return;
        }
    }
    kprintf("cmdline: clock=%s is not icount, tcg or hw; ignored\n", cmdline_value("clock"));
}

/* fw_cfg's opt/fluid/cmdline under QEMU, else /CMDLINE.TXT on the boot partition
 * (kernel/drivers/optfile.h): the way to give options on a PC or under Bochs. */
static void load_options(const struct boot_info *bi)
{
    char text[CMDLINE_MAX_BYTES];
    if (!fwcfg_read_file(CMDLINE_FWCFG_FILE, text, sizeof text)) {
        enum optfile_err ferr = optfile_read((const void *)(uintptr_t)bi->ramdisk_addr,
                                             bi->ramdisk_size, text, sizeof text);
        if (ferr != OPTFILE_OK) {
            kprintf("cmdline: none (no fw_cfg file %s; %s)\n", CMDLINE_FWCFG_FILE,
                    optfile_strerror(ferr));
            return;
        }
        kprintf("cmdline: from %s\n", OPTFILE_PATH);
    }
    enum cmdline_err err = cmdline_set(text);
    if (err != CMDLINE_OK) {
        kprintf("cmdline: ignored: %s\n", cmdline_strerror(err));
        return;
    }
    kprintf("cmdline:");
    for (size_t i = 0; i < cmdline_word_count(); i++)
        kprintf(" %s", cmdline_word(i));
    kprintf("\n");
    apply_clock_option();
}

static void accept_boot_info(const struct boot_info *bi)
{
    accepted_boot_info = bi;
    kprintf("boot: drive 0x%02x, kernel %u bytes at 0x%08x from LBA %u, partition LBA %u "
            "(%u sectors)\n", bi->boot_drive, bi->kernel_image_size, bi->kernel_load_addr,
            bi->kernel_lba, bi->partition_lba, bi->partition_sectors);
    if (bi->disk_sectors)
        kprintf("boot: disk %llu sectors (INT 13h AH=48h)\n", (unsigned long long)bi->disk_sectors);
    else
        kprintf("boot: disk size unknown (stage2 had no INT 13h AH=48h count)\n");
    if (bi->ramdisk_addr)
        kprintf("boot: ramdisk %u bytes at 0x%08x\n", bi->ramdisk_size, bi->ramdisk_addr);
}

void startup_begin(const char *arch_name, uint32_t magic, struct boot_info *bi)
{
    console_init();
    log_banner(arch_name);
    if (!serial_present())
        kprintf("serial: no UART at COM1, screen only\n");
    enum bootinfo_err err = bootinfo_check(magic, bi);
    if (err != BOOTINFO_OK) {
        bootinfo_log_error(err, magic, bi);
        machine_exit(false);
    }
    accept_boot_info(bi);
    load_options(bi);
    cpu_identify();
    cpu_enable_fpu_sse();
    e820_log(bi);
}

void startup_timers(void)
{
    arch_timer_init();
    kprintf("timer: PIC remapped to 0x20-0x2f, PIT at %u Hz\n", TIMER_HZ);
    tsc_calibrate();
}

bool startup_test_option(const char *const *stage_tests, size_t count)
{
    const char *test = cmdline_value("test");
    if (!test)
        return true;
    kprintf("test: %s\n", test);
    for (size_t i = 0; i < count; i++)
        if (strcmp(test, stage_tests[i]) == 0)
            return true;                /* a stage runs it */
    if (cmdline_has("test=divide-error"))
        arch_test_divide_error();
    else if (cmdline_has("test=stack-overflow"))
        arch_test_stack_overflow();
    else
        kprintf("test: unknown test %s\n", test);
    kprintf("test: %s did not stop the kernel\n", test);
    return false;
}
