/* The IDT (Intel SDM vol. 3A §6.10-6.11), shared by every CPU: interrupt gates for the 32
 * exception vectors, the 16 PIC lines, VECTOR_USER_EXIT and the local APIC's vectors up to 63,
 * all to the isr.asm stubs, except vector 8 (#DF), a task gate to the double-fault TSS (each
 * CPU's GDT names its own) so the report runs on a known-good stack. Every gate has DPL 0,
 * so an INT n from ring 3 raises #GP (SDM vol. 3A §6.12.1.1), except VECTOR_USER_EXIT's,
 * DPL 3, the module's way back. Vectors past the IDT limit raise #GP too. */
#include "kernel/arch/i686/x86.h"

#define GATE_INTERRUPT32    0x8E    /* P=1, DPL=0, 32-bit interrupt gate (clears IF) */
#define GATE_DPL3           0x60    /* DPL bits 5-6 = 3: INT n allowed from ring 3 */
#define GATE_TASK           0x85    /* P=1, DPL=0, task gate */

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t  zero;
    uint8_t  type_attr;
    uint16_t offset_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 8, "IDT gates are 8 bytes");

struct idt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t isr_stub_table[IDT_VECTORS];     /* isr.asm */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));

static void idt_set(unsigned vector, uint32_t offset, uint16_t selector, uint8_t type_attr)
{
    idt[vector].offset_lo = offset & 0xFFFF;
    idt[vector].selector = selector;
    idt[vector].zero = 0;
    idt[vector].type_attr = type_attr;
    idt[vector].offset_hi = (uint16_t)(offset >> 16);
}

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++)
        idt_set(v, isr_stub_table[v], SEL_KERNEL_CODE, GATE_INTERRUPT32);
    /* A task gate's offset is unused; its selector names the TSS (SDM vol. 3A §7.2.5). */
    idt_set(VECTOR_DOUBLE_FAULT, 0, SEL_DF_TSS, GATE_TASK);
    idt_set(VECTOR_USER_EXIT, isr_stub_table[VECTOR_USER_EXIT], SEL_KERNEL_CODE,
            GATE_INTERRUPT32 | GATE_DPL3);
    idt_load();
}

void idt_load(void)
{
    struct idt_ptr p = {sizeof idt - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}
