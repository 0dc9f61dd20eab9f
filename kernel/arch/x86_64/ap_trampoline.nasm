; The AP start-up trampoline of the x86-64 kernel: a flat binary for AP_TRAMPOLINE_ADDR, copied
; there by kernel/smp/smp.c and embedded in the kernel by ap_blob.asm.
; IN:  a STARTUP IPI with vector AP_TRAMPOLINE_ADDR >> 12: real mode, CS:IP = (vector << 8):0,
;      interrupts off, paging off (SDM vol. 3A §8.4.4.1, §9.1.4); struct ap_boot_params at
;      AP_PARAMS_ADDR (kernel/smp/ap_boot.h), filled by the boot CPU for this AP.
; OUT: long mode with the boot CPU's CR0, CR3, CR4 and EFER bits, the trampoline's own GDT
;      (flat 64-bit code, null data selectors), RSP = stack_top, and a call of entry(arg)
;      (SysV: RDI = arg), which never returns; if it does, the AP halts.
; The way up is SDM vol. 3A §9.8.5: protected mode, PAE in CR4, CR3, EFER.LME, then paging,
; then a far jump into a 64-bit code segment. `reached` is written first, so the boot CPU can
; tell an AP that never ran from one that died on the way.

%include "asm-offsets.inc"

CR0_PE          equ 1 << 0
MSR_EFER        equ 0xC0000080
TR_SEL_CODE32   equ 0x08
TR_SEL_DATA     equ 0x10
TR_SEL_CODE64   equ 0x18

bits 16
org AP_TRAMPOLINE_ADDR

ap_start:
    cli
    cld
    jmp 0:.flat                             ; CS = 0: the labels are linear addresses
.flat:
    xor ax, ax
    mov ds, ax
    mov dword [AP_PARAMS_ADDR + AP_REACHED], AP_REACHED_TRAMPOLINE
    lgdt [gdt_ptr]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword TR_SEL_CODE32:protected32

bits 32
protected32:
    mov ax, TR_SEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, [AP_PARAMS_ADDR + AP_CR4]      ; PAE, and the x87/SSE/XSAVE bits
    mov cr4, eax
    mov eax, [AP_PARAMS_ADDR + AP_CR3]
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, [AP_PARAMS_ADDR + AP_EFER]      ; LME (and NXE, SCE as the boot CPU has them)
    wrmsr
    mov eax, [AP_PARAMS_ADDR + AP_CR0]      ; PG: long mode becomes active
    mov cr0, eax
    jmp TR_SEL_CODE64:long64

bits 64
long64:
    xor eax, eax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rsp, [AP_PARAMS_ADDR + AP_STACK_TOP]
    mov rdi, [AP_PARAMS_ADDR + AP_ARG]
    mov rax, [AP_PARAMS_ADDR + AP_ENTRY]
    call rax
.halt:
    cli
    hlt
    jmp .halt

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                   ; 0x08: flat 32-bit code
    dq 0x00CF92000000FFFF                   ; 0x10: flat data
    dq 0x00AF9A000000FFFF                   ; 0x18: 64-bit code (L=1)
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

; The parameter block follows the code in the same page; the code must end before it.
%if ($ - $$) > (AP_PARAMS_ADDR - AP_TRAMPOLINE_ADDR)
%error "the AP trampoline runs into its parameter block"
%endif
