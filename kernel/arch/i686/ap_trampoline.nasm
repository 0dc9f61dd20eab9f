; The AP start-up trampoline of the i686 kernel: a flat binary for AP_TRAMPOLINE_ADDR, copied
; there by kernel/smp/smp.c and embedded in the kernel by ap_blob.asm.
; IN:  a STARTUP IPI with vector AP_TRAMPOLINE_ADDR >> 12: real mode, CS:IP = (vector << 8):0,
;      interrupts off, paging off (SDM vol. 3A §8.4.4.1, §9.1.4); struct ap_boot_params at
;      AP_PARAMS_ADDR (kernel/smp/ap_boot.h), filled by the boot CPU for this AP.
; OUT: 32-bit protected mode with the boot CPU's CR4, CR3 and CR0 (paging on), the
;      trampoline's own flat GDT, ESP = stack_top, and a call of entry(arg) (cdecl: arg on the
;      stack), which never returns; if it does, the AP halts.
; SDM vol. 3A §9.9.1: PE with a far jump to 32-bit code, then paging. `reached` is written
; first, so the boot CPU can tell an AP that never ran from one that died on the way.

%include "asm-offsets.inc"

CR0_PE          equ 1 << 0
TR_SEL_CODE32   equ 0x08
TR_SEL_DATA     equ 0x10

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
    mov fs, ax
    mov gs, ax
    mov eax, [AP_PARAMS_ADDR + AP_CR4]      ; PSE, and the x87/SSE bits
    mov cr4, eax
    mov eax, [AP_PARAMS_ADDR + AP_CR3]
    mov cr3, eax
    mov eax, [AP_PARAMS_ADDR + AP_CR0]      ; PG: the kernel's identity map
    mov cr0, eax
    mov esp, [AP_PARAMS_ADDR + AP_STACK_TOP]
    mov eax, [AP_PARAMS_ADDR + AP_ENTRY]
    sub esp, 12                             ; the stack 16-byte aligned at the call
    push dword [AP_PARAMS_ADDR + AP_ARG]
    call eax
.halt:
    cli
    hlt
    jmp .halt

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                   ; 0x08: flat 32-bit code
    dq 0x00CF92000000FFFF                   ; 0x10: flat data
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

%if ($ - $$) > (AP_PARAMS_ADDR - AP_TRAMPOLINE_ADDR)
%error "the AP trampoline runs into its parameter block"
%endif
