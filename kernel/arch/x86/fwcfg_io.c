/* fw_cfg through the legacy I/O ports (QEMU docs/specs/fw_cfg.txt): a 16-bit selector write
 * to port 0x510, then byte reads from 0x511. Without the device the data port floats high,
 * so the "QEMU" signature check fails and we report the file as absent. */
#include <string.h>

#include "kernel/core/arch.h"
#include "kernel/drivers/fwcfg.h"
#include "kernel/arch/x86/io.h"
#include "kernel/core/log.h"

#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_SIG_BYTES    4

static const char fw_cfg_signature[FW_CFG_SIG_BYTES] = {'Q', 'E', 'M', 'U'};

static void fwcfg_select(uint16_t sel)
{
    outw(FW_CFG_PORT_SEL, sel);
}

static void fwcfg_port_read(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        buf[i] = inb(FW_CFG_PORT_DATA);
}

static bool fwcfg_present(void)
{
    uint8_t sig[FW_CFG_SIG_BYTES];
    fwcfg_select(FW_CFG_SIGNATURE);
    fwcfg_port_read(NULL, sig, sizeof sig);
    return memcmp(sig, fw_cfg_signature, sizeof sig) == 0;
}

bool fwcfg_read_file(const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!fwcfg_present())
        return false;
    struct fwcfg_file f;
    fwcfg_select(FW_CFG_FILE_DIR);
    enum fwcfg_err err = fwcfg_dir_find(fwcfg_port_read, NULL, name, &f, NULL);
    if (err == FWCFG_E_NOT_FOUND)
        return false;
    if (err != FWCFG_OK) {
        kprintf("fwcfg: looking up %s: %s\n", name, fwcfg_strerror(err));
        return false;
    }
    if (f.size >= cap) {
        kprintf("fwcfg: %s is %u bytes, more than the %zu we take\n", name, f.size, cap - 1);
        return false;
    }
    fwcfg_select(f.select);
    fwcfg_port_read(NULL, (uint8_t *)buf, f.size);
    buf[f.size] = '\0';
    return true;
}
