/* 8259A PIC pair (kernel/arch/x86/pic.c), shared by the i686 and x86-64 kernels: the vectors
 * the PIC lines are remapped to and the calls the timer and trap code use. */
#ifndef FLUID_ARCH_X86_PIC_H
#define FLUID_ARCH_X86_PIC_H

#include <fluid/types.h>

#define IRQ_BASE_VECTOR     0x20        /* PIC master; slave at IRQ_BASE_VECTOR + 8 */
#define IRQ_LINES           16

/* Remaps both PICs to IRQ_BASE_VECTOR.. and masks every line but the cascade. */
void pic_init(void);
void pic_unmask(unsigned irq);

/* The BIOS's own mapping (IBM PC/AT: master 0x08, slave 0x70) with the masks it had set
 * before pic_init, for a BIOS call (kernel/arch/x86/bios.h); pic_leave_bios restores the
 * kernel's mapping and masks. Interrupts must be off around both. */
#define PIC_BIOS_MASTER_VECTOR  0x08
#define PIC_BIOS_SLAVE_VECTOR   0x70
void pic_enter_bios(void);
void pic_leave_bios(void);
/* True for a spurious IRQ 7 / 15, which must not be acknowledged (the slave's is, to the
 * master, here). */
bool pic_is_spurious(unsigned irq);
void pic_eoi(unsigned irq);

#endif
