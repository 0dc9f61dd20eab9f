; Kernel entry for the x86-64 kernel.
; IN:  EDI (and EAX) = BOOT_INFO_MAGIC, ESI (and EBX) = struct boot_info * (identity-mapped)
;      long mode, paging on with all RAM identity-mapped by stage2 (boot/longmode.inc),
;      interrupts off, CS = 64-bit code selector, data selectors flat.
; Before any compiled C runs, this enables the FPU and SSE (CR0.EM=0, MP=1, NE=1;
; CR4.OSFXSR, OSXMMEXCPT: x86-64 compilers use SSE for all floating point), and, where CPUID
; has XSAVE, CR4.OSXSAVE with XCR0 enabling every state component of AVX/AVX-512 the CPU
; supports (Intel SDM vol. 1 §13.3, vol. 3A §2.5-2.6). Then it sets the stack, zeroes .bss and
; calls kernel_main(magic, boot_info); returning from it is a bug and halts.

%include "asm-offsets.inc"

KERNEL_STACK_SIZE   equ 65536
CR0_MP              equ 1 << 1
CR0_EM              equ 1 << 2
CR0_NE              equ 1 << 5
CR4_OSFXSR          equ 1 << 9
CR4_OSXMMEXCPT      equ 1 << 10
CR4_OSXSAVE         equ 1 << 18
CPUID1_ECX_XSAVE    equ 1 << 26
CPUID_XSAVE_LEAF    equ 0x0D
XCR0_X87_SSE        equ 0x3             ; x87 and SSE state: always on with XSAVE
XCR0_WANTED         equ 0xE7            ; x87, SSE, AVX, AVX-512 opmask, ZMM_Hi256, Hi16_ZMM

section .text
bits 64
global _start
extern kernel_main
extern __bss_start, __bss_end

_start:
    cli
    cld
    mov r12d, edi
    mov r13d, esi
    mov rsp, kernel_stack_top
    mov rdi, __bss_start
    mov rcx, __bss_end
    sub rcx, rdi
    xor eax, eax
    rep stosb
    call enable_fpu_sse
    call enable_xsave_state
    mov edi, r12d
    mov esi, r13d
    call kernel_main
    mov dword [0xB8000], 0x4F524F45     ; "ER" white on red: kernel_main returned
.halt:
    cli
    hlt
    jmp .halt

enable_fpu_sse:
    mov rax, cr0
    and rax, ~CR0_EM
    or rax, CR0_MP | CR0_NE
    mov cr0, rax
    mov rax, cr4
    or rax, CR4_OSFXSR | CR4_OSXMMEXCPT
    mov cr4, rax
    fninit
    ret

; XCR0 = what the CPU supports (CPUID.(EAX=0Dh,ECX=0):EAX) among XCR0_WANTED; the AVX-512
; components only together (SDM vol. 1 §13.3: XSETBV faults on a partial set).
enable_xsave_state:
    mov eax, 1
    cpuid
    test ecx, CPUID1_ECX_XSAVE
    jz .done
    mov rax, cr4
    or rax, CR4_OSXSAVE
    mov cr4, rax
    mov eax, CPUID_XSAVE_LEAF
    xor ecx, ecx
    cpuid
    and eax, XCR0_WANTED
    mov edx, eax
    and edx, 0xE0
    cmp edx, 0xE0
    je .set
    and eax, ~0xE0                      ; not all of AVX-512's state: none of it
.set:
    or eax, XCR0_X87_SSE
    xor edx, edx
    xor ecx, ecx
    xsetbv
.done:
    ret

section .bss
align 16
global kernel_stack_bottom, kernel_stack_top
kernel_stack_bottom:
    resb KERNEL_STACK_SIZE
kernel_stack_top:
