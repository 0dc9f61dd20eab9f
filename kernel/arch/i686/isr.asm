; Interrupt entry stubs for the i686 kernel (Intel SDM vol. 3A ch. 6).
; isr_stub_table[v] is the entry of vector v (0..IDT_VECTORS-1): exceptions 0-31, PIC IRQs
; 32-47, then VECTOR_USER_EXIT, the INT a ring-3 module returns through. Each stub pushes a
; dummy error code where the CPU pushes none, then the vector, and joins isr_common, which
; saves the rest as struct trap_frame (kernel/arch/i686/x86.h) and calls trap_dispatch(frame).
; Vector 8 (#DF) goes through a task gate to df_task_entry instead.
; Also: stack_switch_call (run a function on a new stack), the guard's setjmp/longjmp, the
; way into ring 3 (user_enter) and the one page of kernel code ring 3 may run (.user_text).

%include "asm-offsets.inc"          ; selectors and vectors from kernel/arch/i686/x86.h

section .text
extern trap_dispatch
extern double_fault_task

; Vectors whose exceptions push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
; #PF 14, #AC 17, #CP 21, #VC 29, #SX 30 (SDM vol. 3A table 6-1).
%macro ISR 1
isr_%1:
%if %1 == 8 || %1 == 10 || %1 == 11 || %1 == 12 || %1 == 13 || %1 == 14 || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push dword 0
%endif
    push dword %1
    jmp isr_common
%endmacro

%assign v 0
%rep IDT_VECTORS
    ISR v
%assign v v + 1
%endrep

isr_common:
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov ax, SEL_CPU_LOCAL           ; ring 3 may have left any selector in GS
    mov gs, ax
    cld
    push esp                        ; struct trap_frame *
    call trap_dispatch
    add esp, 4
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8                      ; vector and error code
    iretd

section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep IDT_VECTORS
    dd isr_ %+ v
%assign v v + 1
%endrep

section .text
; The double-fault task (entered through the task gate in IDT entry 8, on its own TSS and
; stack). The CPU pushed an error code (always 0). double_fault_task() reports, or recovers
; a guarded call by rewriting the interrupted task's TSS and returning 1; IRET with NT set
; then switches back to that task. The next #DF resumes after the IRET, hence the loop and
; the stack reset.
global df_task_entry
extern df_stack_top_addr
df_task_entry:
    mov esp, [df_stack_top_addr]
    call double_fault_task          ; returns only to resume the interrupted task
    iretd
    jmp df_task_entry

; An AP's double-fault task (kernel/arch/i686/smp_arch.c sets its TSS's EIP and ESP here):
; ap_double_fault_task(the AP's kernel TSS, from the previous-task link) reports and never
; returns; the AP halts if it does.
global ap_df_task_entry
extern ap_double_fault_task
extern ap_df_current_tss
ap_df_task_entry:
    sub esp, 12
    call ap_df_current_tss          ; EAX = the interrupted task's TSS
    push eax
    call ap_double_fault_task
.halt:
    cli
    hlt
    jmp .halt

; void stack_switch_call(void *stack_top, void (*fn)(void))  -- noreturn
; IN: stack_top 16-byte aligned. fn must not return; if it does we halt.
global stack_switch_call
stack_switch_call:
    mov eax, [esp + 4]
    mov ecx, [esp + 8]
    mov esp, eax
    xor ebp, ebp                    ; end of the frame-pointer chain
    call ecx
.halt:
    cli
    hlt
    jmp .halt

; int guard_setjmp(struct guard_jmp *j)  -- returns 0; returns 1 again via guard_longjmp
; struct guard_jmp: ebx, esi, edi, ebp, esp, eip, eflags (kernel/arch/i686/guard.c)
global guard_setjmp
guard_setjmp:
    mov eax, [esp + 4]
    mov [eax + 0], ebx
    mov [eax + 4], esi
    mov [eax + 8], edi
    mov [eax + 12], ebp
    lea ecx, [esp + 4]              ; ESP once we have returned
    mov [eax + 16], ecx
    mov ecx, [esp]                  ; return address
    mov [eax + 20], ecx
    pushfd
    pop ecx
    mov [eax + 24], ecx
    xor eax, eax
    ret

; void guard_longjmp(struct guard_jmp *j)  -- noreturn; guard_setjmp returns 1
; Reloads the kernel data segments and GS's per-CPU block (the aborted code may have changed
; them), clears DF and
; restores EFLAGS (so IF) as they were at guard_setjmp.
global guard_longjmp
guard_longjmp:
    mov edx, [esp + 4]
    mov ax, SEL_KERNEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov ss, ax
    mov ax, SEL_CPU_LOCAL
    mov gs, ax
    mov esp, [edx + 16]
    mov ebx, [edx + 0]
    mov esi, [edx + 4]
    mov edi, [edx + 8]
    mov ebp, [edx + 12]
    push dword [edx + 24]
    popfd
    cld
    mov eax, 1
    jmp [edx + 20]

; Where a guarded call resumes after a #DF: the double-fault task set EIP here and
; EAX = struct guard_jmp * in the interrupted task's TSS.
global guard_df_resume
guard_df_resume:
    push eax
    push eax                        ; fake return address slot
    jmp guard_longjmp

; void user_enter(uint32_t entry, uint32_t user_esp, uint32_t *esp0)  -- noreturn
; IN:  entry: where ring 3 starts; user_esp: its stack, already holding the return address
;      and arguments; esp0: the kernel TSS's ESP0 field, which gets this frame's ESP (16-byte
;      aligned down), so interrupts from ring 3 build their frames below the guard's saved
;      context (SDM vol. 3A §6.12.1). Interrupts off on entry.
; OUT: never returns; the kernel comes back through the guard's longjmp (the module's return
;      INT, an exception or the timer). IRET loads CS:EIP, EFLAGS and SS:ESP for ring 3 in one
;      step (SDM vol. 2A, IRET: return to outer privilege level) with IF set and IOPL 0, so
;      the timer can preempt the module and CLI, HLT, IN and OUT raise #GP. Every general
;      register is cleared so no kernel address leaks to the module.
global user_enter
user_enter:
    mov ecx, [esp + 4]              ; entry
    mov edx, [esp + 8]              ; user_esp
    mov eax, [esp + 12]             ; &tss.esp0
    mov ebx, esp
    and ebx, ~15
    mov [eax], ebx
    mov ax, SEL_USER_DATA | RPL_USER
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    push dword SEL_USER_DATA | RPL_USER         ; SS
    push edx                                    ; ESP
    push dword EFLAGS_IF | EFLAGS_RESERVED1     ; EFLAGS: IF, IOPL 0, DF 0, NT 0
    push dword SEL_USER_CODE | RPL_USER         ; CS
    push ecx                                    ; EIP
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd

; The one page of kernel code ring 3 may execute (mapped user read-only by usermode.c, and
; nothing else lives in it: the linker script gives the section a page of its own).
section .user_text progbits alloc exec nowrite align=4096
global user_exit_stub, user_null_entry
; The return address every module call starts with: fluid_main's RET lands here, and the INT
; hands EAX (the result) to the kernel (trap.c). The kernel never resumes after the INT.
user_exit_stub:
    int VECTOR_USER_EXIT
    ud2
; A module entry that returns 0 at once: timing it measures the ring-3 entry and exit alone.
user_null_entry:
    xor eax, eax
    ret
