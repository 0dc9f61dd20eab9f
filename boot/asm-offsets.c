/* Exports the C layouts to NASM, the way Linux's asm-offsets does: compiled to assembly only,
 * each DEFINE leaves a "->NAME value" marker that tools/gen_asm_offsets.py turns into
 * "%define NAME value" lines in build/gen/asm-offsets.inc. The boot code and the Python image
 * tools read that file, so the structures and the disk layout are written down once, in C. */
#include <fluid/bootinfo.h>
#include <fluid/kernel_header.h>
#include <fluid/memlayout.h>

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(struct type, member))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(SECTOR_SIZE, SECTOR_SIZE);
    DEFINE(STAGE2_LBA, STAGE2_LBA);
    DEFINE(STAGE2_MAX_SECTORS, STAGE2_MAX_SECTORS);
    DEFINE(STAGE2_MAGIC, STAGE2_MAGIC);
    DEFINE(STAGE2_ENTRY_OFFSET, STAGE2_ENTRY_OFFSET);
    DEFINE(KERNEL_LBA, KERNEL_LBA);
    DEFINE(KERNEL_MAX_SECTORS, KERNEL_MAX_SECTORS);
    DEFINE(PARTITION1_LBA, PARTITION1_LBA);
    DEFINE(STAGE1_ADDR, STAGE1_ADDR);
    DEFINE(STAGE2_ADDR, STAGE2_ADDR);
    DEFINE(STAGE2_STACK_TOP, STAGE2_STACK_TOP);
    DEFINE(BOOT_INFO_ADDR, BOOT_INFO_ADDR);
    DEFINE(STAGE2_DATA_ADDR, STAGE2_DATA_ADDR);
    DEFINE(BOUNCE_BUFFER_SEGMENT, BOUNCE_BUFFER_SEGMENT);
    DEFINE(BOUNCE_BUFFER_SECTORS, BOUNCE_BUFFER_SECTORS);
    DEFINE(KERNEL_LOAD_ADDR, KERNEL_LOAD_ADDR);
    DEFINE(RAMDISK_ALIGN, RAMDISK_ALIGN);
    DEFINE(RAMDISK_MAX_SECTORS, RAMDISK_MAX_SECTORS);

    DEFINE(KH_MAGIC_VALUE, KERNEL_HEADER_MAGIC);
    DEFINE(KH_VERSION_VALUE, KERNEL_HEADER_VERSION);
    DEFINE(KH_ARCH_I686, KERNEL_ARCH_I686);
    DEFINE(KH_ARCH_X86_64, KERNEL_ARCH_X86_64);
    DEFINE(KH_SIZE, sizeof(struct kernel_header));
    OFFSET(KH_MAGIC, kernel_header, magic);
    OFFSET(KH_VERSION, kernel_header, version);
    OFFSET(KH_HEADER_SIZE, kernel_header, header_size);
    OFFSET(KH_IMAGE_SIZE, kernel_header, image_size);
    OFFSET(KH_LOAD_ADDR, kernel_header, load_addr);
    OFFSET(KH_ENTRY, kernel_header, entry);
    OFFSET(KH_ARCH, kernel_header, arch);
    OFFSET(KH_CRC32, kernel_header, crc32);
    OFFSET(KH_BSS_SIZE, kernel_header, bss_size);
    OFFSET(KH_BUILD_ID, kernel_header, build_id);
    DEFINE(KH_BUILD_ID_LEN, sizeof(((struct kernel_header *)0)->build_id));

    DEFINE(BI_MAGIC_VALUE, BOOT_INFO_MAGIC);
    DEFINE(BI_VERSION_VALUE, BOOT_INFO_VERSION);
    DEFINE(BI_SIZE, sizeof(struct boot_info));
    DEFINE(BI_E820_MAX, E820_MAX_ENTRIES);
    DEFINE(BI_E820_ENTRY_SIZE, sizeof(struct e820_entry));
    OFFSET(BI_MAGIC, boot_info, magic);
    OFFSET(BI_VERSION, boot_info, version);
    OFFSET(BI_STRUCT_SIZE, boot_info, size);
    OFFSET(BI_FLAGS, boot_info, flags);
    OFFSET(BI_BOOT_DRIVE, boot_info, boot_drive);
    OFFSET(BI_A20_METHOD, boot_info, a20_method);
    OFFSET(BI_KERNEL_LBA, boot_info, kernel_lba);
    OFFSET(BI_KERNEL_LOAD_ADDR, boot_info, kernel_load_addr);
    OFFSET(BI_KERNEL_IMAGE_SIZE, boot_info, kernel_image_size);
    OFFSET(BI_PARTITION_LBA, boot_info, partition_lba);
    OFFSET(BI_PARTITION_SECTORS, boot_info, partition_sectors);
    OFFSET(BI_RAMDISK_ADDR, boot_info, ramdisk_addr);
    OFFSET(BI_RAMDISK_SIZE, boot_info, ramdisk_size);
    OFFSET(BI_MEM_LOWER_KB, boot_info, mem_lower_kb);
    OFFSET(BI_MEM_UPPER_KB, boot_info, mem_upper_kb);
    OFFSET(BI_E820_COUNT, boot_info, e820_count);
    OFFSET(BI_E820, boot_info, e820);
    OFFSET(E820_BASE, e820_entry, base);
    OFFSET(E820_LENGTH, e820_entry, length);
    OFFSET(E820_TYPE, e820_entry, type);
    DEFINE(E820_TYPE_USABLE, E820_TYPE_USABLE);
    DEFINE(PAGE_TABLES_ADDR, PAGE_TABLES_ADDR);
    DEFINE(LONG_MODE_MAP_MAX_GIB, LONG_MODE_MAP_MAX_GIB);
    DEFINE(BOOT_FLAG_INT13_EXT, BOOT_FLAG_INT13_EXT);
    DEFINE(BOOT_FLAG_E820_TRUNC, BOOT_FLAG_E820_TRUNC);
    DEFINE(BOOT_FLAG_E820_FAILED, BOOT_FLAG_E820_FAILED);
    DEFINE(A20_ALREADY_ON, A20_ALREADY_ON);
    DEFINE(A20_BIOS, A20_BIOS);
    DEFINE(A20_FAST_PORT92, A20_FAST_PORT92);
    DEFINE(A20_KBC, A20_KBC);
}
