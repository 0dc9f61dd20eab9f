/* struct boot_info: what stage2 hands the kernel (pointer in EBX, BOOT_INFO_MAGIC in EAX).
 * Defined only here. Stage2 fills it through offsets generated from this header
 * (boot/asm-offsets.c -> build/gen/asm-offsets.inc), so asm and C cannot drift apart; the
 * _Static_asserts pin the sizes the asm side relies on. */
#ifndef FLUID_BOOTINFO_H
#define FLUID_BOOTINFO_H

#include "types.h"

#define BOOT_INFO_MAGIC     0x49424C46u  /* "FLBI" */
#define BOOT_INFO_VERSION   2            /* 2: disk_sectors */
#define E820_MAX_ENTRIES    64           /* stage2 stops (and flags truncation) beyond this */

/* E820 address range types (ACPI 6.4 §15, table 15.312). */
#define E820_TYPE_USABLE    1
#define E820_TYPE_RESERVED  2
#define E820_TYPE_ACPI      3
#define E820_TYPE_NVS       4
#define E820_TYPE_BAD       5

/* One INT 15h/E820 descriptor as the BIOS returns it, plus the ACPI 3.0 extended attributes. */
struct e820_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
    uint32_t ext_attributes;            /* bit 0 clear: ignore the entry (ACPI 3.0) */
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 24, "e820_entry is 24 bytes, as INT 15h writes it");

/* boot_info.flags */
#define BOOT_FLAG_INT13_EXT     (1u << 0)   /* stage2 read the disk with INT 13h AH=42h */
#define BOOT_FLAG_E820_TRUNC    (1u << 1)   /* more than E820_MAX_ENTRIES: the map is cut */
#define BOOT_FLAG_E820_FAILED   (1u << 2)   /* no E820: mem_lower_kb/mem_upper_kb only */

/* boot_info.a20_method: how A20 was found or made enabled. */
#define A20_ALREADY_ON      1
#define A20_BIOS            2
#define A20_FAST_PORT92     3
#define A20_KBC             4

struct boot_info {
    uint32_t magic;                 /* BOOT_INFO_MAGIC */
    uint16_t version;               /* BOOT_INFO_VERSION */
    uint16_t size;                  /* sizeof(struct boot_info) */
    uint32_t flags;                 /* BOOT_FLAG_* */
    uint8_t  boot_drive;            /* BIOS drive number (0x80..0x8F) */
    uint8_t  a20_method;            /* A20_* */
    uint16_t reserved0;
    uint32_t kernel_lba;            /* first sector of the kernel image */
    uint32_t kernel_load_addr;      /* where the image was copied (physical) */
    uint32_t kernel_image_size;     /* bytes, header included, CRC checked by stage2 */
    uint32_t partition_lba;         /* partition 1 start (from the MBR table) */
    uint32_t partition_sectors;     /* partition 1 length */
    uint32_t ramdisk_addr;          /* copy of partition 1 made by stage2, 0 if none */
    uint32_t ramdisk_size;          /* bytes in that copy */
    uint64_t disk_sectors;          /* boot disk size by INT 13h AH=48h, 0 if the BIOS gave none */
    uint32_t mem_lower_kb;          /* INT 12h conventional memory */
    uint32_t mem_upper_kb;          /* INT 15h E801 memory above 1 MiB (fallback map) */
    uint32_t e820_count;            /* valid entries in e820[] */
    struct e820_entry e820[E820_MAX_ENTRIES];
} __attribute__((packed));

_Static_assert(sizeof(struct boot_info) <= 0x1000, "boot_info must fit BOOT_INFO_MAX_SIZE");

#endif
