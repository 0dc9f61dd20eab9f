/* Exports the C layouts to NASM, the way Linux's asm-offsets does: compiled to assembly only,
 * each DEFINE leaves a "->NAME value" marker that tools/gen_asm_offsets.py turns into
 * "%define NAME value" lines in build/gen/asm-offsets.inc. The boot code and the Python tools
 * (tools/fluid/layout.py) read that file, so the structures, the disk layout, the module
 * format, the module cache's naming rules and the FAT16 and MBR on-disk formats are written
 * down once, in C. */
#include <fluid/bootinfo.h>
#include <fluid/kernel_header.h>
#include <fluid/memlayout.h>
#include <fluid/module.h>

#include "kernel/bench/cache.h"
#include "kernel/bench/live_frame.h"
#include "kernel/bench/profile.h"
#include "kernel/bench/wisdom.h"
#include "kernel/arch/i686/x86.h"
#include "kernel/arch/x86/bios.h"
#include "kernel/core/machine.h"
#include "kernel/fs/fat16.h"
#include "kernel/fs/mbr.h"
#include "kernel/fs/profile_store.h"
#include "kernel/smp/ap_boot.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(struct type, member))
/* A string constant, "%define NAME "value"": the value holds no quote, backslash or percent. */
#define DEFINE_STR(sym, str) __asm__ volatile("\n.ascii \"->" #sym " \\\"" str "\\\"\"")

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(SECTOR_SIZE, SECTOR_SIZE);
    DEFINE(STAGE2_LBA, STAGE2_LBA);
    DEFINE(STAGE2_MAX_SECTORS, STAGE2_MAX_SECTORS);
    DEFINE(STAGE2_MAGIC, STAGE2_MAGIC);
    DEFINE(STAGE2_ENTRY_OFFSET, STAGE2_ENTRY_OFFSET);
    DEFINE(STAGE2_CRC_OFFSET, STAGE2_CRC_OFFSET);
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
    OFFSET(BI_DISK_SECTORS, boot_info, disk_sectors);
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

    /* include/fluid/module.h: the .mod header (tools/fluid/modfmt.py). */
    DEFINE(FLUID_MOD_MAGIC, FLUID_MOD_MAGIC);
    DEFINE(FLUID_MOD_FORMAT_VERSION, FLUID_MOD_FORMAT_VERSION);
    DEFINE(FLUID_MOD_NAME_LEN, FLUID_MOD_NAME_LEN);
    DEFINE(FLUID_MOD_CFLAGS_LEN, FLUID_MOD_CFLAGS_LEN);
    DEFINE(FLUID_MOD_ALIGN_MIN, FLUID_MOD_ALIGN_MIN);
    DEFINE(FLUID_MOD_ALIGN_MAX, FLUID_MOD_ALIGN_MAX);
    DEFINE(FLUID_MOD_MAX_IMAGE, FLUID_MOD_MAX_IMAGE);
    DEFINE(FLUID_MOD_MAX_RELOCS, FLUID_MOD_MAX_RELOCS);
    DEFINE(FLUID_MOD_HEADER_CRC_SPAN, FLUID_MOD_HEADER_CRC_SPAN);
    DEFINE(FLUID_TIER_O0, FLUID_TIER_O0);
    DEFINE(FLUID_TIER_O1, FLUID_TIER_O1);
    DEFINE(FLUID_TIER_O2, FLUID_TIER_O2);
    DEFINE(FLUID_TIER_O3, FLUID_TIER_O3);
    DEFINE(FLUID_TIER_OS, FLUID_TIER_OS);
    DEFINE(FLUID_TIER_OZ, FLUID_TIER_OZ);
    DEFINE(FLUID_TIER_COUNT, FLUID_TIER_COUNT);
    DEFINE(FLUID_BUILD_SSE2_CODEGEN, FLUID_BUILD_SSE2_CODEGEN);
    DEFINE(FLUID_BUILD_PGO_GENERATE, FLUID_BUILD_PGO_GENERATE);
    DEFINE(FLUID_BUILD_PGO_USE, FLUID_BUILD_PGO_USE);
    DEFINE(FLUID_BUILD_TEST_ONLY, FLUID_BUILD_TEST_ONLY);
    DEFINE(FLUID_BUILD_KNOWN, FLUID_BUILD_KNOWN);
    DEFINE(FLUID_FEAT_FPU, FLUID_FEAT_FPU);
    DEFINE(FLUID_FEAT_TSC, FLUID_FEAT_TSC);
    DEFINE(FLUID_FEAT_CMOV, FLUID_FEAT_CMOV);
    DEFINE(FLUID_FEAT_MMX, FLUID_FEAT_MMX);
    DEFINE(FLUID_FEAT_SSE, FLUID_FEAT_SSE);
    DEFINE(FLUID_FEAT_SSE2, FLUID_FEAT_SSE2);
    DEFINE(FLUID_FEAT_SSE3, FLUID_FEAT_SSE3);
    DEFINE(FLUID_FEAT_SSSE3, FLUID_FEAT_SSSE3);
    DEFINE(FLUID_FEAT_SSE41, FLUID_FEAT_SSE41);
    DEFINE(FLUID_FEAT_SSE42, FLUID_FEAT_SSE42);
    DEFINE(FLUID_FEAT_AVX, FLUID_FEAT_AVX);
    DEFINE(FLUID_FEAT_AVX2, FLUID_FEAT_AVX2);
    DEFINE(FLUID_FEAT_KNOWN, FLUID_FEAT_KNOWN);
    DEFINE(MH_SIZE, sizeof(struct fluid_mod_header));
    OFFSET(MH_MAGIC, fluid_mod_header, magic);
    OFFSET(MH_FORMAT_VERSION, fluid_mod_header, format_version);
    OFFSET(MH_HEADER_SIZE, fluid_mod_header, header_size);
    OFFSET(MH_NAME, fluid_mod_header, name);
    OFFSET(MH_MODULE_VERSION, fluid_mod_header, module_version);
    OFFSET(MH_ENTRY, fluid_mod_header, entry);
    OFFSET(MH_CODE_SIZE, fluid_mod_header, code_size);
    OFFSET(MH_DATA_SIZE, fluid_mod_header, data_size);
    OFFSET(MH_BSS_SIZE, fluid_mod_header, bss_size);
    OFFSET(MH_RELOC_COUNT, fluid_mod_header, reloc_count);
    OFFSET(MH_ALIGN, fluid_mod_header, align);
    OFFSET(MH_REQUIRED_FEATURES, fluid_mod_header, required_features);
    OFFSET(MH_TIER, fluid_mod_header, tier);
    OFFSET(MH_BUILD_FLAGS, fluid_mod_header, build_flags);
    OFFSET(MH_RESERVED0, fluid_mod_header, reserved0);
    OFFSET(MH_CFLAGS_HASH, fluid_mod_header, cflags_hash);
    OFFSET(MH_CFLAGS, fluid_mod_header, cflags);
    OFFSET(MH_BODY_CRC32, fluid_mod_header, body_crc32);
    OFFSET(MH_HEADER_CRC32, fluid_mod_header, header_crc32);

    /* kernel/bench/cache.h: where the module cache lives and how its files are named
     * (tools/fluid/cache.py). */
    DEFINE_STR(CACHE_DIR, CACHE_DIR);
    DEFINE_STR(CACHE_EXT, CACHE_EXT);
    DEFINE(CACHE_BASE_LEN, CACHE_BASE_LEN);
    DEFINE(CACHE_MAX_MODULES, CACHE_MAX_MODULES);
    DEFINE(CACHE_MAX_FILE, CACHE_MAX_FILE);
    DEFINE(CACHE_MAX_VARIANTS, CACHE_MAX_VARIANTS);
    DEFINE(CACHE_VARIANT_BUDGET, CACHE_VARIANT_BUDGET);
    DEFINE_STR(MANIFEST_FILE, MANIFEST_FILE);
    DEFINE_STR(MANIFEST_MAGIC, MANIFEST_MAGIC);
    DEFINE(MANIFEST_VERSION, MANIFEST_VERSION);
    DEFINE(MANIFEST_MAX_BYTES, MANIFEST_MAX_BYTES);
    /* kernel/bench/wisdom.h: the planner's wisdom file (tools/fluid/wisdom.py). */
    DEFINE_STR(WISDOM_DIR, WISDOM_DIR);
    DEFINE_STR(WISDOM_PATH, WISDOM_PATH);
    DEFINE(WISDOM_FILE_BYTES, WISDOM_FILE_BYTES);
    DEFINE(WISDOM_HEADER_BYTES, WISDOM_HEADER_BYTES);
    DEFINE_STR(WISDOM_MAGIC, WISDOM_MAGIC);
    DEFINE(WISDOM_VERSION, WISDOM_VERSION);
    DEFINE(WISDOM_MAX_MODULES, WISDOM_MAX_MODULES);
    DEFINE(WISDOM_VENDOR_LEN, WISDOM_VENDOR_LEN);
    DEFINE(WISDOM_MAX_LINE, WISDOM_MAX_LINE);
    DEFINE(PLANNER_MAX_CANDIDATES, PLANNER_MAX_CANDIDATES);

    /* kernel/bench/live_frame.h: the live line's frames (tools/fluid/pgo/live.py). */
    DEFINE(LIVE_MAGIC, LIVE_MAGIC);
    DEFINE(LIVE_VERSION, LIVE_VERSION);
    DEFINE(LIVE_HEADER_SIZE, LIVE_HEADER_SIZE);
    DEFINE(LIVE_CRC_SIZE, LIVE_CRC_SIZE);
    DEFINE(LIVE_MAX_PAYLOAD, LIVE_MAX_PAYLOAD);
    DEFINE(LIVE_OFF_VERSION, LIVE_OFF_VERSION);
    DEFINE(LIVE_OFF_TYPE, LIVE_OFF_TYPE);
    DEFINE(LIVE_OFF_RESERVED, LIVE_OFF_RESERVED);
    DEFINE(LIVE_OFF_SEQ, LIVE_OFF_SEQ);
    DEFINE(LIVE_OFF_LENGTH, LIVE_OFF_LENGTH);
    DEFINE(LIVE_VARIANT_NAME_LEN, LIVE_VARIANT_NAME_LEN);
    DEFINE(LIVE_T_HELLO, LIVE_T_HELLO);
    DEFINE(LIVE_T_PROFILE, LIVE_T_PROFILE);
    DEFINE(LIVE_T_ACK, LIVE_T_ACK);
    DEFINE(LIVE_T_NAK, LIVE_T_NAK);
    DEFINE(LIVE_T_VARIANT, LIVE_T_VARIANT);
    DEFINE(LIVE_T_BYE, LIVE_T_BYE);
    DEFINE(LIVE_POLL_BUDGET_MS, LIVE_POLL_BUDGET_MS);
    DEFINE(LIVE_GAP_MS, LIVE_GAP_MS);

    /* kernel/bench/profile.h: the markers around the JSON profile (tools/fluid/profiles.py). */
    DEFINE_STR(PROFILE_BEGIN, PROFILE_BEGIN);
    DEFINE_STR(PROFILE_END, PROFILE_END);
    /* kernel/fs/profile_store.h: the /PROFILE rings on the stick (profile_store.py). */
    DEFINE_STR(PROFILE_STORE_DIR, PROFILE_STORE_DIR);
    DEFINE_STR(PROFILE_STORE_MAGIC, PROFILE_STORE_MAGIC);
    DEFINE(PROFILE_STORE_VERSION, PROFILE_STORE_VERSION);
    DEFINE_STR(PROFILE_STORE_SUITE, PROFILE_STORE_SUITE);
    DEFINE_STR(PROFILE_STORE_LLM, PROFILE_STORE_LLM);
    DEFINE(PROFILE_STORE_SLOTS, PROFILE_STORE_SLOTS);
    DEFINE(PROFILE_STORE_SLOT_BYTES, PROFILE_STORE_SLOT_BYTES);
    DEFINE(PROFILE_STORE_HEADER_BYTES, PROFILE_STORE_HEADER_BYTES);

    /* kernel/core/machine.h: the isa-debug-exit values (tools/fluid/qemu.py). */
    DEFINE(DEBUG_EXIT_SUCCESS, DEBUG_EXIT_SUCCESS);
    DEFINE(DEBUG_EXIT_FAILURE, DEBUG_EXIT_FAILURE);

    /* kernel/fs/mbr.h: the partition table (tools/fluid/image.py, fatimg.py, cache.py). */
    DEFINE(MBR_PART_COUNT, MBR_PART_COUNT);
    DEFINE(MBR_TABLE_OFFSET, MBR_TABLE_OFFSET);
    DEFINE(MBR_ENTRY_SIZE, MBR_ENTRY_SIZE);
    DEFINE(MBR_SIG_OFFSET, MBR_SIG_OFFSET);
    DEFINE(MBR_SIG_0, MBR_SIG_0);
    DEFINE(MBR_SIG_1, MBR_SIG_1);
    DEFINE(PE_BOOT_INDICATOR, PE_BOOT_INDICATOR);
    DEFINE(PE_TYPE, PE_TYPE);
    DEFINE(PE_LBA_START, PE_LBA_START);
    DEFINE(PE_SECTOR_COUNT, PE_SECTOR_COUNT);
    DEFINE(PE_BOOT_ACTIVE, PE_BOOT_ACTIVE);
    DEFINE(PE_BOOT_INACTIVE, PE_BOOT_INACTIVE);
    DEFINE(MBR_TYPE_EMPTY, MBR_TYPE_EMPTY);
    DEFINE(MBR_TYPE_FAT16_SMALL, MBR_TYPE_FAT16_SMALL);
    DEFINE(MBR_TYPE_FAT16, MBR_TYPE_FAT16);
    DEFINE(MBR_TYPE_FAT16_LBA, MBR_TYPE_FAT16_LBA);

    /* kernel/fs/fat16.h: the FAT16 on-disk format (tools/fluid/fatimg.py). */
    DEFINE(BS_jmpBoot, BS_jmpBoot);
    DEFINE(BPB_BytsPerSec, BPB_BytsPerSec);
    DEFINE(BPB_SecPerClus, BPB_SecPerClus);
    DEFINE(BPB_RsvdSecCnt, BPB_RsvdSecCnt);
    DEFINE(BPB_NumFATs, BPB_NumFATs);
    DEFINE(BPB_RootEntCnt, BPB_RootEntCnt);
    DEFINE(BPB_TotSec16, BPB_TotSec16);
    DEFINE(BPB_Media, BPB_Media);
    DEFINE(BPB_FATSz16, BPB_FATSz16);
    DEFINE(BPB_TotSec32, BPB_TotSec32);
    DEFINE(BS_SIGNATURE, BS_SIGNATURE);
    DEFINE(FAT16_MIN_CLUSTERS, FAT16_MIN_CLUSTERS);
    DEFINE(FAT16_MAX_CLUSTERS, FAT16_MAX_CLUSTERS);
    DEFINE(FAT16_NAME_MAX, FAT16_NAME_MAX);
    DEFINE(FAT_ENTRY_BYTES, FAT_ENTRY_BYTES);
    DEFINE(FAT_FIRST_CLUSTER, FAT_FIRST_CLUSTER);
    DEFINE(FAT_BAD_CLUSTER, FAT_BAD_CLUSTER);
    DEFINE(FAT_EOC_MIN, FAT_EOC_MIN);
    DEFINE(DIR_Name, DIR_Name);
    DEFINE(DIR_Attr, DIR_Attr);
    DEFINE(DIR_FstClusLO, DIR_FstClusLO);
    DEFINE(DIR_FileSize, DIR_FileSize);
    DEFINE(DIR_ENTRY_SIZE, DIR_ENTRY_SIZE);
    DEFINE(DIR_NAME_LEN, DIR_NAME_LEN);
    DEFINE(DIR_BASE_LEN, DIR_BASE_LEN);
    DEFINE(DIR_EXT_LEN, DIR_EXT_LEN);
    DEFINE(ATTR_VOLUME_ID, ATTR_VOLUME_ID);
    DEFINE(ATTR_DIRECTORY, ATTR_DIRECTORY);
    DEFINE(ATTR_LONG_NAME, ATTR_LONG_NAME);
    DEFINE(ATTR_LONG_NAME_MASK, ATTR_LONG_NAME_MASK);
    DEFINE(DIR_NAME_FREE_ALL, DIR_NAME_FREE_ALL);
    DEFINE(DIR_NAME_DELETED, DIR_NAME_DELETED);

    /* kernel/arch/i686/x86.h: selectors and vectors of the i686 interrupt stubs (isr.asm). */
    DEFINE(SEL_KERNEL_DATA, SEL_KERNEL_DATA);
    DEFINE(SEL_CPU_LOCAL, SEL_CPU_LOCAL);
    DEFINE(SEL_USER_CODE, SEL_USER_CODE);
    DEFINE(SEL_USER_DATA, SEL_USER_DATA);
    DEFINE(RPL_USER, RPL_USER);
    DEFINE(EFLAGS_IF, EFLAGS_IF);
    DEFINE(EFLAGS_RESERVED1, EFLAGS_RESERVED1);
    DEFINE(EXCEPTION_VECTORS, EXCEPTION_VECTORS);
    DEFINE(IDT_VECTORS, IDT_VECTORS);
    DEFINE(VECTOR_USER_EXIT, VECTOR_USER_EXIT);

    /* The BIOS thunk (kernel/arch/i686/realmode_thunk.nasm, kernel/arch/x86/bios.h). */
    DEFINE(SEL_KERNEL_CODE, SEL_KERNEL_CODE);
    DEFINE(THUNK_SEL_CODE32, THUNK_SEL_CODE32);
    DEFINE(THUNK_SEL_CODE16, THUNK_SEL_CODE16);
    DEFINE(THUNK_SEL_DATA16, THUNK_SEL_DATA16);
    DEFINE(REALMODE_STACK_TOP, REALMODE_STACK_TOP);
    DEFINE(REALMODE_THUNK_ADDR, REALMODE_THUNK_ADDR);
    DEFINE(REALMODE_THUNK_MAX, REALMODE_THUNK_MAX);
    DEFINE(REALMODE_REGS_ADDR, REALMODE_REGS_ADDR);
    DEFINE(AP_TRAMPOLINE_ADDR, AP_TRAMPOLINE_ADDR);
    DEFINE(AP_TRAMPOLINE_BYTES, AP_TRAMPOLINE_BYTES);
    DEFINE(AP_PARAMS_ADDR, AP_PARAMS_ADDR);
    DEFINE(AP_REACHED_TRAMPOLINE, AP_REACHED_TRAMPOLINE);
    OFFSET(AP_CR0, ap_boot_params, cr0);
    OFFSET(AP_CR3, ap_boot_params, cr3);
    OFFSET(AP_CR4, ap_boot_params, cr4);
    OFFSET(AP_EFER, ap_boot_params, efer);
    OFFSET(AP_ENTRY, ap_boot_params, entry);
    OFFSET(AP_STACK_TOP, ap_boot_params, stack_top);
    OFFSET(AP_ARG, ap_boot_params, arg);
    OFFSET(AP_REACHED, ap_boot_params, reached);
    OFFSET(BR_EAX, bios_regs, eax);
    OFFSET(BR_EBX, bios_regs, ebx);
    OFFSET(BR_ECX, bios_regs, ecx);
    OFFSET(BR_EDX, bios_regs, edx);
    OFFSET(BR_ESI, bios_regs, esi);
    OFFSET(BR_EDI, bios_regs, edi);
    OFFSET(BR_EBP, bios_regs, ebp);
    OFFSET(BR_EFLAGS, bios_regs, eflags);
    OFFSET(BR_DS, bios_regs, ds);
    OFFSET(BR_ES, bios_regs, es);
    OFFSET(BR_VECTOR, bios_regs, vector);
}
