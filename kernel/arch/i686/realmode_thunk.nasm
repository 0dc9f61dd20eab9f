; The BIOS thunk of the i686 kernel (kernel/arch/x86/bios.h): a flat binary assembled for
; REALMODE_THUNK_ADDR, embedded in the kernel (realmode_blob.asm) and copied there by
; bios_init. One call: protected mode with paging -> 16-bit protected mode -> real mode, the
; INT with the registers at REALMODE_REGS_ADDR, and back, following Intel SDM vol. 3A §9.9.2
; (switching back to real-address mode) and §9.9.1 (switching to protected mode).
; IN:  called as a cdecl void function from identity-mapped kernel code, interrupts off, the
;      PIC and PIT already set the way the BIOS expects (bios.c), struct bios_regs at
;      REALMODE_REGS_ADDR with the vector in BR_VECTOR.
; OUT: the registers and flags the INT returned with at REALMODE_REGS_ADDR; every register of
;      the caller, GDTR, IDTR, CR0 and CR3 restored; interrupts off.

%include "asm-offsets.inc"

REAL_IVT_LIMIT equ 0x3FF            ; 256 four-byte vectors at linear 0
CR0_PE         equ 1 << 0           ; SDM vol. 3A §2.5 (as kernel/arch/i686/x86.h)
CR0_PG         equ 1 << 31
INT_OPCODE     equ 0xCD

bits 32
org REALMODE_THUNK_ADDR

thunk_entry:
    pushad
    mov [saved_esp], esp
    sgdt [saved_gdtr]
    sidt [saved_idtr]
    mov eax, cr3
    mov [saved_cr3], eax
    mov eax, cr0
    mov [saved_cr0], eax
    and eax, ~CR0_PG                ; this page is identity-mapped: the next fetch is the same
    mov cr0, eax
    xor eax, eax
    mov cr3, eax                    ; flush the TLB (§9.9.2 step 2)
    jmp THUNK_SEL_CODE16:pm16

bits 16
pm16:                               ; 16-bit protected mode, 64 KiB segments (§9.9.2 steps 3-4)
    mov ax, THUNK_SEL_DATA16
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    lidt [real_idtr]
    mov eax, cr0
    and eax, ~CR0_PE
    mov cr0, eax
    jmp 0:real_mode

%include "kernel/arch/x86/realmode_call.inc"
    xor ax, ax
    mov ds, ax
    o32 lgdt [saved_gdtr]
    mov eax, [saved_cr0]
    and eax, ~CR0_PG                ; paging comes back once CR3 is loaded again
    or eax, CR0_PE
    mov cr0, eax
    jmp dword SEL_KERNEL_CODE:pm32

bits 32
pm32:
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov ss, ax
    mov ax, SEL_CPU_LOCAL           ; the calling CPU's block, from the GDT just reloaded
    mov gs, ax
    mov eax, [saved_cr3]
    mov cr3, eax
    mov eax, [saved_cr0]
    mov cr0, eax
    lidt [saved_idtr]
    mov esp, [saved_esp]
    popad
    ret

align 4
saved_esp:  dd 0
saved_cr0:  dd 0
saved_cr3:  dd 0
saved_gdtr: dw 0
            dd 0
saved_idtr: dw 0
            dd 0
real_idtr:  dw REAL_IVT_LIMIT
            dd 0

%if $ - $$ > REALMODE_THUNK_MAX
%error "the real-mode thunk outgrew REALMODE_THUNK_MAX"
%endif
