/* The kernel image's own header (include/fluid/kernel_header.h), placed first by linker.ld.
 * The linker resolves the addresses; tools/mkkernel.py fills image_size, crc32, bss_size and
 * build_id after linking, and refuses an image whose layout disagrees with this header. */
#include <fluid/kernel_header.h>
#include <fluid/memlayout.h>

extern char _start[];

__attribute__((section(".kernel_header"), used))
const struct kernel_header kernel_image_header = {
    .magic = KERNEL_HEADER_MAGIC,
    .version = KERNEL_HEADER_VERSION,
    .header_size = sizeof(struct kernel_header),
    .image_size = 0,                    /* filled by mkkernel.py */
    .load_addr = KERNEL_LOAD_ADDR,
    .entry = (uint32_t)_start,
    .arch = KERNEL_ARCH_I686,
    .crc32 = 0,                         /* filled by mkkernel.py */
    .bss_size = 0,                      /* filled by mkkernel.py */
    .build_id = {0},                    /* filled by mkkernel.py */
};
