; The assembled AP trampoline (ap_trampoline.nasm, a flat binary for AP_TRAMPOLINE_ADDR) as
; bytes of the kernel image, which kernel/smp/smp.c copies below 1 MiB.
section .rodata
global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
    incbin "kernel/arch/i686/ap_trampoline.bin"
ap_trampoline_end:
