/* The kernel image's own header (include/fluid/kernel_header.h), placed first by the linker
 * script of each architecture (kernel/arch/<arch>/linker.ld).
 * tools/mkkernel.py fills entry, image_size, crc32, bss_size and build_id after linking (a
 * 64-bit address cannot be truncated in a C initializer) and refuses an image whose layout
 * disagrees with this header. */
#include <fluid/kernel_header.h>
#include <fluid/memlayout.h>

/* What stage2 must set up before the jump (boot/stage2.asm, boot/longmode.inc). */
#if defined(__x86_64__)
#define THIS_KERNEL_ARCH KERNEL_ARCH_X86_64
#else
#define THIS_KERNEL_ARCH KERNEL_ARCH_I686
#endif

__attribute__((section(".kernel_header"), used))
const struct kernel_header kernel_image_header = {
    .magic = KERNEL_HEADER_MAGIC,
    .version = KERNEL_HEADER_VERSION,
    .header_size = sizeof(struct kernel_header),
    .image_size = 0,                    /* filled by mkkernel.py */
    .load_addr = KERNEL_LOAD_ADDR,
    .entry = 0,                         /* filled by mkkernel.py from the ELF entry */
    .arch = THIS_KERNEL_ARCH,
    .crc32 = 0,                         /* filled by mkkernel.py */
    .bss_size = 0,                      /* filled by mkkernel.py */
    .build_id = {0},                    /* filled by mkkernel.py */
};
