/* The x86-64 IDT (Intel SDM vol. 3A §6.14.1), shared by every CPU: 16-byte interrupt gates
 * for the 32 exception vectors, the 16 PIC lines and the local APIC's vectors up to 63, all
 * to the isr.asm stubs. #DF, NMI and #MC switch to their CPU's own IST stacks (gdt.c), so an
 * overflowing kernel stack still gets its report. Vectors above 63 are beyond the IDT limit:
 * an INT to them raises #GP, which is reported. */
#include "kernel/arch/x86_64/x86_64.h"

#define GATE_INTERRUPT64    0x8E    /* P=1, DPL=0, 64-bit interrupt gate (clears IF) */

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t  ist;           /* bits 0-2: IST slot, 0 = stay on the current stack */
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

struct idt_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern const uint64_t isr_stub_table[IDT_VECTORS];     /* isr.asm */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static void idt_set(unsigned vector, uint64_t offset, uint8_t ist)
{
    idt[vector] = (struct idt_gate){
        .offset_lo = offset & 0xFFFF,
        .selector = SEL_KERNEL_CODE,
        .ist = ist,
        .type_attr = GATE_INTERRUPT64,
        .offset_mid = (uint16_t)(offset >> 16),
        .offset_hi = (uint32_t)(offset >> 32),
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++)
        idt_set(v, isr_stub_table[v], 0);
    idt_set(VECTOR_DOUBLE_FAULT, isr_stub_table[VECTOR_DOUBLE_FAULT], IST_DOUBLE_FAULT);
    idt_set(VECTOR_NMI, isr_stub_table[VECTOR_NMI], IST_NMI);
    idt_set(VECTOR_MACHINE_CHECK, isr_stub_table[VECTOR_MACHINE_CHECK], IST_MACHINE_CHECK);
    idt_load();
}

void idt_load(void)
{
    struct idt_ptr p = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}
