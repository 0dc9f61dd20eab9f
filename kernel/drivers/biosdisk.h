/* A block device over the BIOS's disk services, called through kernel/arch/x86/bios.h: the
 * INT 13h extensions (EDD: AH=41h to detect them, AH=48h for the size, AH=42h to read, AH=43h
 * to write), or, on a BIOS without them, the original CHS calls (AH=08h for the geometry,
 * AH=02h/03h within one track at a time; only the first 1024 cylinders are addressable). It reaches whatever disk the
 * BIOS booted from, whatever the controller (USB, AHCI, NVMe), at the price of a trip to real
 * mode per call: reads and writes go through a bounce buffer below 1 MiB in chunks of at most
 * BIOSDISK_CALL_SECTORS, each tried BIOSDISK_TRIES times with a drive reset (AH=00h) in
 * between. A failure names the call, the LBA and the BIOS status. Portable C over bios.h, so
 * host tests drive it with a fake BIOS. */
#ifndef FLUID_KERNEL_BIOSDISK_H
#define FLUID_KERNEL_BIOSDISK_H

#include "kernel/drivers/blockdev.h"

#define BIOSDISK_CALL_SECTORS   64      /* 32 KiB a call: within every BIOS's 127-sector limit */
#define BIOSDISK_TRIES          3

/* The geometry of a disk read with CHS calls (INT 13h AH=08h). */
struct biosdisk_chs {
    uint32_t cylinders;         /* 1..1024 */
    uint32_t heads;             /* 1..256 */
    uint32_t sectors;           /* per track, 1..63 */
};

struct biosdisk {
    struct blockdev dev;
    uint8_t drive;              /* BIOS drive number, 0x80.. for hard disks */
    bool use_chs;               /* no extensions: AH=02h/03h with chs */
    struct biosdisk_chs chs;
    char name[BLOCKDEV_NAME_MAX];
};

/* Makes d a block device of BIOS drive `drive` ("bios80" for 0x80). The size is AH=48h's
 * sector count; where the BIOS reports none (0, or AH=48h fails, as on some USB BIOSes),
 * min_sectors (the end of the boot partition the MBR names) stands in, and the log says so.
 * Without the extensions (or with chs_only, to test that path on a BIOS that has them) the
 * size is the CHS geometry's. Returns BLOCKDEV_OK, or
 * BLOCKDEV_E_IO (logged) with neither the extensions nor a geometry, with a sector size other
 * than 512, or when no size is known. */
enum blockdev_err biosdisk_init(struct biosdisk *d, uint8_t drive, uint64_t min_sectors,
                                bool chs_only);

#endif
