; Fluid stage 2. Loaded by stage1 at STAGE2_ADDR (real mode, CS=DS=0), entered at
; STAGE2_ADDR + STAGE2_ENTRY_OFFSET with DL = boot drive.
;
; 0. Itself: the CRC-32 of all its sectors, by code in its first sector (check_stage2).
; 1. COM1 at 115200; every message goes to the screen (INT 10h) and COM1.
; 2. A20: check, then BIOS INT 15h/2401h, keyboard controller, port 92h, re-checking each.
; 3. Memory: INT 12h, E801h and the E820 map, into struct boot_info at BOOT_INFO_ADDR.
; 4. The kernel: reads struct kernel_header from KERNEL_LBA, checks every field (magic,
;    version, size against the boot area, load address, entry, architecture, memory), copies
;    the image in BOUNCE_BUFFER_SECTORS chunks through a low-memory bounce buffer to
;    KERNEL_LOAD_ADDR (unreal mode), and checks its CRC-32 (header included) before it jumps.
; 5. Partition 1 (the FAT16 cache) copied to RAM for kernels that cannot reach the disk,
;    unless its MBR entry lies past the disk end (AH=48h's size) or a read fails: then
;    skipped with a message, never a halt (boot/ramdisk.inc).
; 6. Protected mode: flat GDT, then jump to the entry with EAX = BOOT_INFO_MAGIC,
;    EBX = &boot_info. Long mode (KERNEL_ARCH_X86_64) is entered by boot/longmode.inc.
; Every other failure prints "FLUID: <what> ..." with the bad value and halts.

%include "asm-offsets.inc"

bits 16
org STAGE2_ADDR

COM1                equ 0x3F8
UART_LSR            equ COM1 + 5
UART_LSR_THRE       equ 0x20
UART_POLL_LIMIT     equ 0xFFFF
READ_TRIES          equ 3
KBC_DATA            equ 0x60            ; 8042 keyboard controller (IBM PC/AT TechRef)
KBC_STATUS          equ 0x64
KBC_IN_FULL         equ 0x02
KBC_CMD_WRITE_OUT   equ 0xD1            ; next byte on port 60h goes to the output port
KBC_OUT_A20_ON      equ 0xDF
FAST_A20_PORT       equ 0x92            ; System Control Port A: bit 1 = A20, bit 0 = reset
E820_SMAP           equ 0x534D4150      ; "SMAP" (ACPI 6.4 §15.1)
CR0_PE              equ 1
CODE32_SEL          equ gdt_code32 - gdt
DATA32_SEL          equ gdt_data32 - gdt
CRC32_POLY          equ 0xEDB88320      ; CRC-32/ISO-HDLC, reflected
CRC32_INIT          equ 0xFFFFFFFF
BOUNCE_LINEAR       equ BOUNCE_BUFFER_SEGMENT * 16
LOW_MEMORY_END      equ 0x100000

    dd STAGE2_MAGIC                     ; checked by stage1
entry:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, STAGE2_STACK_TOP
    cld
    sti
    push dx
    call serial_init
    call check_stage2                   ; before the first write into stage2's own bytes
    pop dx
    mov [boot_drive], dl
    mov si, msg_banner
    call print
    call boot_info_init
    call disk_init
    call enable_a20
    call read_memory_map
    call load_kernel
    call copy_partition_to_ram
    jmp enter_kernel

; check_stage2: the CRC-32 of stage2's first STAGE2_CRC_OFFSET bytes against the dword after
; them, which the image tool stored. Stage1 checked only the magic, and a BIOS can return
; zeroed or stale sectors without an error. This routine and all it calls lie in the first
; sector, the one the magic vouches for (asserted at first_sector_end); the CRC is computed
; bit by bit because the table-driven one (kernel_load.inc) lies in the sectors being checked.
; IN: DS = 0. OUT: returns if the CRC matches, else prints "FLUID: bad stage2: ..." and halts.
; Clobbers EAX, BL, CX, SI.
check_stage2:
    mov si, STAGE2_ADDR
    mov cx, STAGE2_CRC_OFFSET           ; < 64 KiB: one real-mode segment
    mov eax, CRC32_INIT
.byte:
    xor al, [si]
    inc si
    mov bl, 8
.bit:
    shr eax, 1
    jnc .next_bit
    xor eax, CRC32_POLY
.next_bit:
    dec bl
    jnz .bit
    loop .byte
    not eax
    cmp eax, [STAGE2_ADDR + STAGE2_CRC_OFFSET]
    jne .bad
    ret
.bad:
    push eax
    mov si, msg_bad_stage2
    call fail_prefix
    pop eax
    call print_hex32
    mov si, msg_stage2_stored
    call print
    mov eax, [STAGE2_ADDR + STAGE2_CRC_OFFSET]
    call print_hex32
    jmp fail_newline

msg_bad_stage2      db "bad stage2: its sectors give CRC-32 ", 0
msg_stage2_stored   db ", the image tool stored ", 0

%include "console.inc"

first_sector_end:
; check_stage2 can trust only what stage1's magic check covers: this fails to assemble if the
; code it runs spills out of the first sector.
    times -((first_sector_end - $$) > SECTOR_SIZE) db 0

; ---------------------------------------------------------------------------------------
; boot_info_init: zero struct boot_info and fill the fields known now.
boot_info_init:
    mov di, BOOT_INFO_ADDR
    mov cx, BI_SIZE
    xor al, al
    rep stosb
    mov dword [BOOT_INFO_ADDR + BI_MAGIC], BI_MAGIC_VALUE
    mov word [BOOT_INFO_ADDR + BI_VERSION], BI_VERSION_VALUE
    mov word [BOOT_INFO_ADDR + BI_STRUCT_SIZE], BI_SIZE
    mov al, [boot_drive]
    mov [BOOT_INFO_ADDR + BI_BOOT_DRIVE], al
    ; Partition 1 from the MBR stage1 was loaded from (still at STAGE1_ADDR).
    mov eax, [STAGE1_ADDR + MBR_PARTITION_TABLE + MBR_ENTRY_LBA]
    mov [BOOT_INFO_ADDR + BI_PARTITION_LBA], eax
    mov eax, [STAGE1_ADDR + MBR_PARTITION_TABLE + MBR_ENTRY_SECTORS]
    mov [BOOT_INFO_ADDR + BI_PARTITION_SECTORS], eax
    ret

MBR_PARTITION_TABLE equ 446
MBR_ENTRY_LBA       equ 8
MBR_ENTRY_SECTORS   equ 12

%include "disk.inc"
%include "a20.inc"
%include "memmap.inc"
%include "kernel_load.inc"
%include "ramdisk.inc"

; ---------------------------------------------------------------------------------------
; enter_kernel: protected mode, flat segments, jump to the kernel entry.
enter_kernel:
    mov si, msg_jump
    call print
    cmp dword [kernel_arch], KH_ARCH_X86_64
    je enter_long_mode
    cli
    lgdt [gdt_descriptor]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp CODE32_SEL:.pm32
bits 32
.pm32:
    mov ax, DATA32_SEL
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STAGE2_STACK_TOP
    mov eax, BI_MAGIC_VALUE
    mov ebx, BOOT_INFO_ADDR
    jmp [kernel_entry]
bits 16

%include "longmode.inc"

; GDT: flat 4 GiB code and data (Intel SDM vol. 3A §3.4.5), also used for unreal mode.
align 8
gdt:
    dq 0
gdt_code32:
    dq 0x00CF9A000000FFFF               ; base 0, limit 4 GiB, 32-bit, execute/read
gdt_data32:
    dq 0x00CF92000000FFFF               ; base 0, limit 4 GiB, read/write
gdt_code64:
    dq 0x00AF9A000000FFFF               ; 64-bit code (L=1, D=0)
gdt_end:
gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt

msg_banner      db "FLUID stage2: started", 13, 10, 0
msg_jump        db "FLUID stage2: entering the kernel", 13, 10, 0

boot_drive      db 0
kernel_arch     dd 0
kernel_entry    dd 0

stage2_end:
; stage1 loads exactly STAGE2_MAX_SECTORS sectors, whose last four bytes hold the CRC-32 the
; image tool fills in: this fails to assemble if stage2 outgrows the space before them.
    times STAGE2_CRC_OFFSET - ($ - $$) db 0
stage2_crc      dd 0                    ; tools/fluid/image.py writes the CRC-32 here

; Uninitialised data, between boot_info and stage1 (include/fluid/memlayout.h).
absolute STAGE2_DATA_ADDR
alignb 16
crc32_table     resd 256
sector_buffer   resb SECTOR_SIZE
edd_params      resb EDD_PARAMS_SIZE
%if STAGE2_DATA_ADDR + 256 * 4 + SECTOR_SIZE + EDD_PARAMS_SIZE > STAGE1_ADDR
%error "stage2's data runs into stage1"
%endif
