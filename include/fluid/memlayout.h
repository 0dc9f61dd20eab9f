/* Fluid's disk and memory layout: the one place every fixed address and sector number lives.
 * Shared by the boot code (through the generated asm-offsets.inc), the kernel and the image
 * tools (which read the same generated file), so the three can never disagree.
 *
 * Disk (512-byte sectors):
 *   LBA 0                      stage1 (MBR) with the partition table at bytes 446..509
 *   LBA 1 .. 63                stage2 (at most STAGE2_MAX_SECTORS; its CRC-32 in the last 4 bytes)
 *   LBA 64 .. 2047             kernel image (header first), at most KERNEL_MAX_SECTORS
 *   LBA 2048 ..                partition 1, FAT16 (module cache, models)
 *
 * Low memory while booting (real mode):
 *   0x00500 .. 0x04FFF         stage2 stack (grows down from STAGE2_STACK_TOP)
 *   0x05000 .. 0x05FFF         struct boot_info handed to the kernel
 *   0x06000 .. 0x07BFF         stage2's scratch data (CRC table, sector buffer)
 *   0x07C00 .. 0x07DFF         stage1
 *   0x08000 .. 0x0FDFF         stage2
 *   0x10000 .. 0x1FFFF         bounce buffer for INT 13h reads (one 64 KiB segment)
 *   0x20000 .. 0x61FFF         long-mode page tables (x86-64 kernels only)
 *   0x100000 ..                kernel image, copied up from the bounce buffer in unreal mode
 *
 * Low memory once the kernel runs (stage2 and its data are no longer needed; boot_info stays):
 *   0x00500 .. 0x04FFF         real-mode stack of the kernel's BIOS calls
 *   0x05000 .. 0x05FFF         struct boot_info, still read by the kernel
 *   0x06000 .. 0x06FFF         the real-mode thunk, its saved state and the call's registers
 *   0x08000 .. 0x08FFF         the AP start-up trampoline and its parameter block (stage2's
 *                              old place; kernel/smp/ap_boot.h), used while APs start
 *   0x10000 .. 0x1FFFF         the BIOS call buffer (disk address packet, bounce buffer)
 */
#ifndef FLUID_MEMLAYOUT_H
#define FLUID_MEMLAYOUT_H

#define SECTOR_SIZE             512

/* Disk layout (LBA). */
#define STAGE1_LBA              0
#define STAGE2_LBA              1
#define STAGE2_MAX_SECTORS      63      /* LBA 1..63: stage1 always reads all of them */
#define KERNEL_LBA              64
#define PARTITION1_LBA          2048    /* the usual 1 MiB alignment of partition 1 */
#define KERNEL_MAX_SECTORS      (PARTITION1_LBA - KERNEL_LBA)   /* 1984 sectors = 992 KiB */

/* What stage1 checks before it jumps to stage2: the first dword of the stage2 area, followed
 * by stage2's first instruction. Catches an image written without (or with a corrupt) stage2. */
#define STAGE2_MAGIC            0x32534C46u  /* "FLS2" */
#define STAGE2_ENTRY_OFFSET     4

/* The rest of stage2 is checked by stage2 itself, since stage1 has no byte to spare: the last
 * four bytes of the STAGE2_MAX_SECTORS sectors hold the CRC-32 of all the bytes before them,
 * written by the image tool (tools/fluid/image.py), and code in stage2's first sector (the
 * one stage1's magic check vouches for) compares them before anything else runs. A BIOS
 * read that returns zeroed or missing sectors after the first then ends in
 * "FLUID: bad stage2" instead of a jump into zeros. */
#define STAGE2_CRC_OFFSET       (STAGE2_MAX_SECTORS * SECTOR_SIZE - 4)

/* Real-mode memory used by the boot chain. */
#define STAGE2_STACK_TOP        0x5000
#define BOOT_INFO_ADDR          0x5000
#define BOOT_INFO_MAX_SIZE      0x1000
#define STAGE2_DATA_ADDR        0x6000
#define STAGE1_ADDR             0x7C00
#define STAGE2_ADDR             0x8000
#define BOUNCE_BUFFER_SEGMENT   0x1000  /* linear 0x10000 */
#define BOUNCE_BUFFER_SECTORS   64      /* per INT 13h read: <= 127 and never crosses 64 KiB */
#define PAGE_TABLES_ADDR        0x20000 /* PML4, PDPT, then one page directory per GiB */
#define LONG_MODE_MAP_MAX_GIB   64      /* identity map limit: 2 + 64 tables end at 0x62000 */

/* The kernel's BIOS calls (kernel/arch/x86/bios.h): the thunk is copied to
 * REALMODE_THUNK_ADDR, whose last bytes hold the call's registers (REALMODE_REGS_ADDR). */
#define REALMODE_STACK_TOP      0x5000
#define REALMODE_THUNK_ADDR     0x6000
#define REALMODE_THUNK_MAX      0x0F00  /* thunk code and saved state */
#define REALMODE_REGS_ADDR      (REALMODE_THUNK_ADDR + REALMODE_THUNK_MAX)
#define BIOS_BUFFER_SEGMENT     BOUNCE_BUFFER_SEGMENT
#define BIOS_BUFFER_ADDR        (BIOS_BUFFER_SEGMENT * 16)
#define BIOS_BUFFER_BYTES       0x10000

/* The application processors' start-up page (kernel/smp/ap_boot.h): a STARTUP IPI sends an
 * AP to real mode at vector * 4 KiB, so the page must be 4 KiB aligned and below 1 MiB (Intel
 * SDM vol. 3A §8.4.4.1, §10.6.1). Stage2's code no longer runs once the kernel does, and the
 * kernel checks the page is usable RAM in the E820 map before it copies the trampoline there.
 * The trampoline's code comes first, its parameter block last. */
#define AP_TRAMPOLINE_ADDR      0x8000
#define AP_TRAMPOLINE_BYTES     0x1000
#define AP_PARAMS_OFFSET        0x0F00  /* struct ap_boot_params, at the end of the page */
#define AP_PARAMS_ADDR          (AP_TRAMPOLINE_ADDR + AP_PARAMS_OFFSET)

/* Where the kernel image lives once loaded. */
#define KERNEL_LOAD_ADDR        0x100000

/* Stage2's RAM copy of partition 1 (boot_info.ramdisk_*): at the first RAMDISK_ALIGN boundary
 * after the kernel's image and bss, at most RAMDISK_MAX_SECTORS (4 MiB: the module cache and
 * small models; each MiB costs about 0.25 s per boot through SeaBIOS's IDE code under TCG) and
 * at most a quarter of the usable RAM there. Files beyond the copy need the ATA path. */
#define RAMDISK_ALIGN           0x100000
#define RAMDISK_MAX_SECTORS     8192

#endif
