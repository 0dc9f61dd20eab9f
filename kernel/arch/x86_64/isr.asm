; Interrupt entry stubs for the x86-64 kernel (Intel SDM vol. 3A §6.14).
; isr_stub_table[v] is the entry of vector v (0..63): exceptions 0-31, PIC IRQs 32-47, the
; local APIC's vectors above (kernel/smp/smp.h). Each
; stub pushes a dummy error code where the CPU pushes none, then the vector, and joins
; isr_common, which saves the general registers as struct trap_frame
; (kernel/arch/x86_64/x86_64.h) and the x87/SSE state (FXSAVE: compiled C may use XMM
; registers, and a timer IRQ must not corrupt the interrupted code's), then calls
; trap_dispatch(frame). Also: stack_switch_call (run a function on a new stack).

IDT_VECTORS equ 64                 ; kernel/arch/x86_64/x86_64.h
FXSAVE_BYTES equ 512                ; FXSAVE area, 16-byte aligned (SDM vol. 1 §10.5)

section .text
bits 64
extern trap_dispatch

; Vectors whose exceptions push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
; #PF 14, #AC 17, #CP 21, #VC 29, #SX 30 (SDM vol. 3A table 6-1).
%macro ISR 1
isr_%1:
%if %1 == 8 || %1 == 10 || %1 == 11 || %1 == 12 || %1 == 13 || %1 == 14 || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push qword 0
%endif
    push qword %1
    jmp isr_common
%endmacro

%assign v 0
%rep IDT_VECTORS
    ISR v
%assign v v + 1
%endrep

; The CPU aligned RSP to 16 before pushing SS..RIP (5 qwords); with the error code, the vector
; and 15 registers (22 qwords in all) RSP is 16-byte aligned again at the FXSAVE area.
isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp                    ; struct trap_frame *
    sub rsp, FXSAVE_BYTES
    fxsave64 [rsp]
    cld
    call trap_dispatch
    fxrstor64 [rsp]
    add rsp, FXSAVE_BYTES
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep IDT_VECTORS
    dq isr_ %+ v
%assign v v + 1
%endrep

section .text
; void stack_switch_call(void *stack_top, void (*fn)(void))  -- noreturn
; IN: RDI = stack top (16-byte aligned), RSI = fn. fn must not return; if it does we halt.
global stack_switch_call
stack_switch_call:
    mov rsp, rdi
    xor ebp, ebp                    ; end of the frame-pointer chain
    call rsi
.halt:
    cli
    hlt
    jmp .halt
