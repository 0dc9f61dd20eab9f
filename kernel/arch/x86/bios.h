/* Calling the PC BIOS from the running kernel: each call returns to real mode through a thunk
 * below 1 MiB (kernel/arch/<arch>/realmode_thunk.nasm; from long mode by way of compatibility
 * mode), with the BIOS's own interrupt table, the
 * PIC on the vectors the BIOS programmed (0x08 and 0x70) with the BIOS's line masks, the PIT at
 * its BIOS rate (18.2 Hz) and interrupts on, so a BIOS that waits for its disk or timer
 * interrupts works; everything is put back before the kernel continues. A20 is left as it is.
 * Data the BIOS reads or writes lives in BIOS_BUFFER_ADDR (below 1 MiB). Not for a BIOS that
 * depends on state the kernel changed beyond that (see docs/boot.md, "Calling the BIOS"). */
#ifndef FLUID_ARCH_X86_BIOS_H
#define FLUID_ARCH_X86_BIOS_H

#include <fluid/memlayout.h>
#include <fluid/types.h>

/* The registers a call passes in and gets back (the thunk reads and writes this layout at
 * REALMODE_REGS_ADDR; boot/asm-offsets.c exports its offsets). */
struct bios_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint32_t eflags;            /* out: the flags after the INT (CF = bit 0) */
    uint16_t ds, es;            /* in and out: real-mode segments */
    uint8_t vector;             /* the INT number (set by bios_call) */
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct bios_regs) == 40, "struct bios_regs is 40 bytes");

#define BIOS_EFLAGS_CF  (1u << 0)

/* GDT selectors the thunks switch through; each kernel's GDT has these descriptors at these
 * places (kernel/arch/i686/gdt.c, kernel/arch/x86_64/gdt.c). */
#define THUNK_SEL_CODE32    0x28    /* x86-64: flat 32-bit code, for compatibility mode */
#define THUNK_SEL_CODE16    0x38    /* 16-bit code, base 0, 64 KiB (SDM vol. 3A §9.9.2) */
#define THUNK_SEL_DATA16    0x40    /* 16-bit data, base 0, 64 KiB */

/* Copies the thunk below 1 MiB. False (logged) if it does not fit. */
bool bios_init(void);
bool bios_available(void);

/* INT vector with *r in real mode; *r gets the registers and flags it returned with. False if
 * the BIOS cannot be called (bios_init failed); the BIOS's own status is in *r. */
bool bios_call(uint8_t vector, struct bios_regs *r);

/* BIOS_BUFFER_BYTES of memory the BIOS addresses as BIOS_BUFFER_SEGMENT:0 (in the kernel, the
 * identity-mapped BIOS_BUFFER_ADDR; host tests supply their own). */
void *bios_buffer(void);

#endif
