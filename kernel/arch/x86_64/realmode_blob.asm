; The assembled BIOS thunk (realmode_thunk.nasm, a flat binary for REALMODE_THUNK_ADDR) as
; bytes of the kernel image, which bios_init copies below 1 MiB.
section .rodata
global realmode_thunk_start, realmode_thunk_end
realmode_thunk_start:
    incbin "kernel/arch/x86_64/realmode_thunk.bin"
realmode_thunk_end:
