; The BIOS thunk of the x86-64 kernel (kernel/arch/x86/bios.h): a flat binary assembled for
; REALMODE_THUNK_ADDR, embedded in the kernel (realmode_blob.asm) and copied there by
; bios_init. One call: 64-bit mode -> compatibility mode -> paging and long mode off (32-bit
; protected mode) -> 16-bit protected mode -> real mode, the INT with the registers at
; REALMODE_REGS_ADDR, and the same way back, after Intel SDM vol. 3A §9.8.5.4 (leaving
; IA-32e mode), §9.9 (real mode and back) and §9.8.5 (entering IA-32e mode).
; IN:  called as a System V void function from identity-mapped 64-bit code, interrupts off,
;      the PIC and PIT already set the way the BIOS expects (bios.c), struct bios_regs at
;      REALMODE_REGS_ADDR with the vector in BR_VECTOR; the kernel's GDT, IDT and page tables
;      below 4 GiB.
; OUT: the registers and flags the INT returned with at REALMODE_REGS_ADDR; the caller's
;      callee-saved registers, RSP, RFLAGS, GDTR, IDTR, CR0, CR3, CR4, EFER and x87/SSE
;      state restored; interrupts off.

%include "asm-offsets.inc"

REAL_IVT_LIMIT equ 0x3FF            ; 256 four-byte vectors at linear 0
CR0_PE         equ 1 << 0           ; SDM vol. 3A §2.5
CR0_PG         equ 1 << 31
MSR_EFER       equ 0xC0000080       ; SDM vol. 3A §2.2.1
EFER_LME       equ 1 << 8
INT_OPCODE     equ 0xCD
FXSAVE_BYTES   equ 512

bits 64
org REALMODE_THUNK_ADDR

thunk_entry:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    pushfq
    mov [saved_rsp], rsp
    fxsave [fx_area]
    sgdt [saved_gdtr]
    sidt [saved_idtr]
    mov rax, cr0
    mov [saved_cr0], rax
    mov rax, cr3
    mov [saved_cr3], rax
    mov rax, cr4
    mov [saved_cr4], rax
    mov ecx, MSR_EFER
    rdmsr
    mov [saved_efer], eax
    push qword THUNK_SEL_CODE32     ; far return into compatibility mode
    push qword compat
    o64 retf

bits 32
compat:                             ; compatibility mode: a 32-bit segment, paging still on
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, REALMODE_STACK_TOP
    mov eax, cr0
    and eax, ~CR0_PG                ; leaves IA-32e mode: this page is identity-mapped
    mov cr0, eax
    mov ecx, MSR_EFER
    rdmsr
    and eax, ~EFER_LME
    wrmsr
    xor eax, eax
    mov cr3, eax
    jmp THUNK_SEL_CODE16:pm16

bits 16
pm16:                               ; 16-bit protected mode, 64 KiB segments (§9.9.2)
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
    o32 lgdt [saved_gdtr]           ; the low 32 bits of the kernel GDT's base (below 4 GiB)
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword THUNK_SEL_CODE32:pm32

bits 32
pm32:                               ; 32-bit protected mode, paging off: back into IA-32e
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, [saved_cr4]            ; PAE on (§9.8.5 step 2)
    mov cr4, eax
    mov eax, [saved_cr3]
    mov cr3, eax
    mov ecx, MSR_EFER
    mov eax, [saved_efer]
    xor edx, edx
    wrmsr                           ; LME back on
    mov eax, [saved_cr0]
    mov cr0, eax                    ; paging on: IA-32e mode, still a 32-bit segment
    jmp SEL_KERNEL_CODE:long_mode

bits 64
long_mode:
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    lgdt [saved_gdtr]               ; the full 64-bit base again
    lidt [saved_idtr]
    mov rsp, [saved_rsp]
    fxrstor [fx_area]
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

align 16
fx_area:    times FXSAVE_BYTES db 0
saved_rsp:  dq 0
saved_cr0:  dq 0
saved_cr3:  dq 0
saved_cr4:  dq 0
saved_efer: dd 0
saved_gdtr: dw 0
            dq 0
saved_idtr: dw 0
            dq 0
real_idtr:  dw REAL_IVT_LIMIT
            dd 0

%if $ - $$ > REALMODE_THUNK_MAX
%error "the real-mode thunk outgrew REALMODE_THUNK_MAX"
%endif
