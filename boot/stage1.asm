; Fluid stage 1: the MBR. Loaded by the BIOS at 0000:7C00 (or 07C0:0000 on some BIOSes) with
; the boot drive in DL. Reads stage2 (STAGE2_MAX_SECTORS sectors from STAGE2_LBA) to
; STAGE2_ADDR, checks its magic and jumps to it with DL = boot drive.
; Disk reads use INT 13h AH=42h when the extensions are present (AH=41h), else CHS from the
; AH=08h geometry; a failed read is retried after a reset, and after the last try the BIOS
; error code is printed ("FLUID: disk read error 0x0C") and the machine halts.
; Bytes 446..509 hold the partition table, written by tools/mkimage.py; code never reaches them.

%include "asm-offsets.inc"

bits 16
org STAGE1_ADDR

BPB_END             equ 90          ; end of a FAT32 BPB (fatgen103): some USB BIOSes write there
PARTITION_TABLE     equ 446
READ_TRIES          equ 3
DRIVE_FIRST_HDD     equ 0x80
COM1                equ 0x3F8
UART_LSR_THRE       equ 0x20        ; line status: transmit holding register empty
UART_POLL_LIMIT     equ 0xFFFF      ; bound on THRE polls: no UART must not hang the loader
UART_DIVISOR_115200 equ 1

start:
    jmp short skip_bpb
    nop
    times BPB_END-($-$$) db 0       ; BPB-sized gap, left zero

skip_bpb:
    jmp 0x0000:normalised           ; CS:IP = 0000:7Cxx whatever the BIOS used
normalised:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax                      ; no interrupt can come between these two (SDM MOV SS)
    mov sp, STAGE1_ADDR
    cld
    ; Only 0x80..0x8F name a hard disk; some BIOSes hand over garbage in DL.
    mov al, dl
    and al, 0xF0
    cmp al, DRIVE_FIRST_HDD
    je .drive_ok
    mov dl, DRIVE_FIRST_HDD
.drive_ok:
    mov [boot_drive], dl
    call serial_init

    ; INT 13h extensions: AH=41h, BX=55AAh -> CF clear, BX=AA55h, CX bit 0 (packet access).
    ; With them, one AH=42h read brings all of stage2; if that fails, fall back to CHS.
    ; FORCE_CHS (a test build, tests/boot/test_boot_paths.py) leaves this out to run the CHS path.
%ifndef FORCE_CHS
    mov ah, 0x41
    mov bx, 0x55AA
    int 0x13
    jc chs_load
    cmp bx, 0xAA55
    jne chs_load
    test cl, 1
    jz chs_load
    mov si, dap
    mov dl, [boot_drive]
    mov ah, 0x42
    int 0x13
    jnc loaded
%endif

chs_load:
    ; Geometry (AH=08h): CL bits 0-5 = sectors per track, DH = last head. ES:DI=0 guards
    ; against BIOS bugs (RBIL INT 13h/08h).
    xor di, di
    mov dl, [boot_drive]
    mov ah, 0x08
    int 0x13
    jc disk_error
    push ds                         ; ES = 0 again (AH=08h may return a table in ES:DI)
    pop es
    and cx, 0x3F
    mov [sectors_per_track], cx
    movzx dx, dh
    inc dx
    mov [heads], dx
    mov bx, STAGE2_ADDR
    mov si, STAGE2_LBA
.next_sector:
    call read_chs
    add bx, SECTOR_SIZE
    inc si
    cmp si, STAGE2_LBA + STAGE2_MAX_SECTORS
    jb .next_sector

loaded:
    cmp dword [STAGE2_ADDR], STAGE2_MAGIC
    jne bad_stage2
    mov dl, [boot_drive]
    jmp STAGE2_ADDR + STAGE2_ENTRY_OFFSET   ; CS is already 0

; read_chs: one sector, READ_TRIES tries with a disk reset between them.
; IN: SI = LBA, ES:BX = destination.  OUT: returns only on success.
read_chs:
    mov di, READ_TRIES
.try:
    mov ax, si                      ; sector = lba % spt + 1; head = (lba / spt) % heads
    xor dx, dx
    div word [sectors_per_track]
    inc dx
    mov cl, dl
    xor dx, dx
    div word [heads]
    mov ch, al                      ; CH: cylinder bits 0-7
    shl ah, 6
    or cl, ah                       ; CL: sector | cylinder bits 8-9 << 6
    mov dh, dl
    mov dl, [boot_drive]
    mov ax, 0x0201
    int 0x13
    jc .failed
    ret
.failed:
    push ax                         ; keep the error code across the reset
    xor ax, ax
    mov dl, [boot_drive]
    int 0x13
    pop ax
    dec di
    jnz .try
    ; out of tries: fall through

; disk_error: IN: AH = BIOS error code. Prints it in hex and halts.
disk_error:
    push ax
    mov si, msg_read_error
    call print
    pop ax
    mov al, ah
    shr al, 4
    call hex_digit
    mov al, ah
    call hex_digit
    mov si, msg_crlf
    call print
halt:
    cli
    hlt
    jmp halt

bad_stage2:
    mov si, msg_bad_stage2
    call print
    jmp halt

; serial_init: COM1 at 115200 8N1, FIFO on (16550 datasheet, registers at COM1+0..7).
serial_init:
    mov si, uart_setup
    mov cx, UART_SETUP_COUNT
.next:
    lodsw                           ; AL = register (low byte of its port), AH = value
    mov dl, al
    mov dh, COM1 >> 8
    mov al, ah
    out dx, al
    loop .next
    ret

; print: IN: DS:SI = NUL-terminated string. To the screen (INT 10h teletype) and COM1.
print:
    lodsb
    test al, al
    jz .end
    call putc
    jmp print
.end:
    ret

; hex_digit: IN: AL low nibble. Prints it as an ASCII hex digit (the classic DAA sequence).
hex_digit:
    and al, 0x0F
    add al, 0x90
    daa
    adc al, 0x40
    daa
    ; fall through
; putc: IN: AL = character.
putc:
    push ax
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    mov dx, COM1 + 5
    mov cx, UART_POLL_LIMIT
.wait:
    in al, dx
    test al, UART_LSR_THRE
    loopz .wait
    pop ax
    mov dx, COM1
    out dx, al
    ret

msg_read_error  db "FLUID: disk error 0x", 0
msg_bad_stage2  db "FLUID: bad stage2"
msg_crlf        db 13, 10, 0

uart_setup:                         ; (register, value) pairs for COM1
    db (COM1 + 1) & 0xFF, 0x00      ; IER: no interrupts
    db (COM1 + 3) & 0xFF, 0x80      ; LCR: DLAB on
    db (COM1 + 0) & 0xFF, UART_DIVISOR_115200   ; DLL
    db (COM1 + 1) & 0xFF, 0x00      ; DLM
    db (COM1 + 3) & 0xFF, 0x03      ; LCR: 8N1, DLAB off
    db (COM1 + 2) & 0xFF, 0xC7      ; FCR: FIFO on and cleared
UART_SETUP_COUNT equ ($ - uart_setup) / 2

dap:                                ; INT 13h AH=42h disk address packet (EDD 3.0 §7)
    db 16, 0                        ; packet size, reserved
    dw STAGE2_MAX_SECTORS           ; <= 127, and 8000h + 63 * 512 stays in one segment
    dw STAGE2_ADDR, 0               ; destination offset, segment
    dq STAGE2_LBA

    times PARTITION_TABLE-($-$$) db 0   ; fails to assemble if the code grows into the table
    times 510-($-$$) db 0               ; the partition table, filled by tools/mkimage.py
    dw 0xAA55

; Variables live in the free bytes between stage1 and stage2; each is set before it is read.
absolute STAGE1_ADDR + SECTOR_SIZE
boot_drive          resb 1
                    resb 1
sectors_per_track   resw 1
heads               resw 1
