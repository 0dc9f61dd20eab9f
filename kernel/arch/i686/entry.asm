; Kernel entry for the i686 kernel.
; IN:  EAX = BOOT_INFO_MAGIC, EBX = struct boot_info * (include/fluid/bootinfo.h)
;      32-bit protected mode, paging off, interrupts off, flat CS=0x08 DS=ES=SS=0x10
;      (stage2's GDT), image copied to KERNEL_LOAD_ADDR and CRC-checked.
; Sets up a stack, zeroes .bss (C expects its statics zero), then calls
; kernel_main(magic, boot_info). kernel_main never returns; if it did, we say so and halt.

%include "asm-offsets.inc"

KERNEL_STACK_SIZE equ 16384

section .text
global _start
extern kernel_main
extern __bss_start, __bss_end

_start:
    cli
    cld
    mov esp, kernel_stack_top
    mov esi, eax                    ; keep the boot arguments across the .bss clear
    mov ebp, ebx
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb                       ; .bss need not be a multiple of 4 bytes long
    push ebp                        ; struct boot_info *
    push esi                        ; magic
    call kernel_main
    ; kernel_main is noreturn: reaching here is a kernel bug. Leave a mark on the screen.
    mov dword [0xB8000], 0x4F524F45 ; "ER" white on red
.halt:
    cli
    hlt
    jmp .halt

section .bss
align 16
global kernel_stack_bottom, kernel_stack_top
kernel_stack_bottom:
    resb KERNEL_STACK_SIZE
kernel_stack_top:
