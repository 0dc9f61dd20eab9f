/* 8259A PIC pair: remapped to vectors 0x20-0x2F (the BIOS leaves the master on 0x08-0x0F,
 * where CPU exceptions live), all lines masked except the timer and the cascade; put back on
 * the BIOS's vectors and masks around each BIOS call. Intel 8259A
 * datasheet: ICW1-ICW4, OCW2 (EOI), OCW3 (read ISR). */
#include "kernel/arch/x86/io.h"
#include "kernel/arch/x86/pic.h"

#define PIC1_CMD            0x20
#define PIC1_DATA           0x21
#define PIC2_CMD            0xA0
#define PIC2_DATA           0xA1
#define ICW1_INIT_ICW4      0x11    /* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER_SLAVE_ON_IRQ2 0x04
#define ICW3_SLAVE_ID       0x02
#define ICW4_8086           0x01
#define OCW2_EOI            0x20
#define OCW3_READ_ISR       0x0B
#define IRQ_CASCADE         2
#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE  15
#define PIC_LINES           8

static uint16_t pic_mask = 0xFFFF;      /* bit set = line masked; slave in the high byte */
static uint16_t bios_mask;              /* the masks the BIOS had set, read before pic_init */
static bool bios_mask_saved;

static void pic_write_masks(uint16_t mask)
{
    outb(PIC1_DATA, mask & 0xFF);
    outb(PIC2_DATA, mask >> 8);
}

/* ICW1-ICW4: both PICs to vectors master_base.. and slave_base.. (8259A datasheet). */
static void pic_program(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4); io_wait();
    outb(PIC2_CMD, ICW1_INIT_ICW4); io_wait();
    outb(PIC1_DATA, master_base); io_wait();
    outb(PIC2_DATA, slave_base); io_wait();
    outb(PIC1_DATA, ICW3_MASTER_SLAVE_ON_IRQ2); io_wait();
    outb(PIC2_DATA, ICW3_SLAVE_ID); io_wait();
    outb(PIC1_DATA, ICW4_8086); io_wait();
    outb(PIC2_DATA, ICW4_8086); io_wait();
}

void pic_init(void)
{
    if (!bios_mask_saved) {
        bios_mask = (uint16_t)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
        bios_mask_saved = true;
    }
    pic_program(IRQ_BASE_VECTOR, IRQ_BASE_VECTOR + PIC_LINES);
    pic_mask = (uint16_t)~(1u << IRQ_CASCADE);
    pic_write_masks(pic_mask);
}

void pic_enter_bios(void)
{
    pic_program(PIC_BIOS_MASTER_VECTOR, PIC_BIOS_SLAVE_VECTOR);
    pic_write_masks(bios_mask);
}

void pic_leave_bios(void)
{
    pic_program(IRQ_BASE_VECTOR, IRQ_BASE_VECTOR + PIC_LINES);
    pic_write_masks(pic_mask);
}

void pic_unmask(unsigned irq)
{
    pic_mask &= (uint16_t)~(1u << irq);
    pic_write_masks(pic_mask);
}

void pic_eoi(unsigned irq)
{
    if (irq >= PIC_LINES)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

static uint8_t pic_in_service(uint16_t cmd_port)
{
    outb(cmd_port, OCW3_READ_ISR);
    return inb(cmd_port);
}

/* IRQ 7 / 15 without the in-service bit set is spurious: no EOI for it (the slave's still
 * needs the master's EOI for the cascade line). 8259A datasheet, "spurious interrupt". */
bool pic_is_spurious(unsigned irq)
{
    if (irq == IRQ_SPURIOUS_MASTER)
        return !(pic_in_service(PIC1_CMD) & (1u << (IRQ_SPURIOUS_MASTER % PIC_LINES)));
    if (irq == IRQ_SPURIOUS_SLAVE && !(pic_in_service(PIC2_CMD) & (1u << (irq % PIC_LINES)))) {
        outb(PIC1_CMD, OCW2_EOI);
        return true;
    }
    return false;
}
