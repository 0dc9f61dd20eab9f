/* x86-64 definitions shared by the arch files: selectors of the kernel's own GDT, control
 * register bits, the trap frame built by isr.asm, and small register accessors.
 * Intel SDM vol. 3A: §2.5 (control registers), §3.4.5 (descriptors), §6.14 (64-bit mode
 * interrupts), §7.7 (64-bit TSS, IST). */
#ifndef FLUID_ARCH_X86_64_H
#define FLUID_ARCH_X86_64_H

#include <fluid/types.h>

#include "kernel/arch/x86/pic.h"

/* GDT selectors (gdt.c). Code and data sit where stage2's long-mode GDT has them. */
#define SEL_KERNEL_CODE     0x08
#define SEL_KERNEL_DATA     0x10
#define SEL_TSS             0x18    /* 16-byte system descriptor: two GDT slots */
#define SEL_CODE32          0x28    /* flat 32-bit code: the BIOS thunk's compatibility mode */
#define SEL_REAL_CODE16     0x38    /* 16-bit code and data, base 0, 64 KiB: the thunk's way */
#define SEL_REAL_DATA16     0x40    /* to real mode (SDM vol. 3A §9.9.2) */
#define GDT_ENTRIES         9

/* Interrupt stack table slots (1-based in the gate; 0 = no stack switch). */
#define IST_DOUBLE_FAULT    1
#define IST_NMI             2
#define IST_MACHINE_CHECK   3
#define IST_STACK_BYTES     (16u * 1024u)

#include "kernel/arch/x86/exceptions.h"
#define VECTOR_NMI          2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_MACHINE_CHECK 18
/* The exceptions, the PIC lines, then up to the local APIC's vectors (kernel/smp/smp.h:
 * SMP_WAKE_VECTOR 0x31 and SMP_SPURIOUS_VECTOR 0x3F); isr.asm has a stub for each. */
#define IDT_VECTORS         64

#define RFLAGS_IF           (1u << 9)

/* What isr.asm pushes, lowest address first: the general registers, the vector, the error
 * code (0 when the CPU pushes none), then the CPU's RIP, CS, RFLAGS, RSP, SS (always pushed
 * in 64-bit mode, SDM vol. 3A §6.14.2). */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* The 64-bit TSS (SDM vol. 3A §7.7, figure 7-11): only the IST pointers are used. */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/* One CPU's descriptor tables and interrupt stacks (gdt.c fills and loads them). */
struct cpu_tables {
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss64 tss __attribute__((aligned(16)));
    uint8_t df_stack[IST_STACK_BYTES] __attribute__((aligned(16)));
    uint8_t nmi_stack[IST_STACK_BYTES] __attribute__((aligned(16)));
    uint8_t mc_stack[IST_STACK_BYTES] __attribute__((aligned(16)));
};

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

static inline void irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }

/* gdt.c: the boot CPU's GDT with code, data and the TSS whose IST stacks serve #DF, NMI and
 * #MC; gdt_load_cpu fills t (a CPU's own set) the same way and loads it on this CPU. Both
 * reload the segment registers, GS's base included: set IA32_GS_BASE afterwards. */
void gdt_init(void);
void gdt_load_cpu(struct cpu_tables *t);

/* smp_arch.c: points IA32_GS_BASE at the boot CPU's block (its `self` set) right after
 * gdt_init, so cpu_local() and the heap's GS-relative read of the block's `heap`
 * (cpu_heap_gs) are valid from arch init on, one CPU or many; smp_start later fills in the
 * rest of the block, at the same address. */
void smp_arch_early_boot_cpu(void);

/* idt.c / trap.c: idt_init builds the IDT and loads it; idt_load loads it on another CPU. */
void idt_init(void);
void idt_load(void);
void trap_dispatch(struct trap_frame *f);
void exception_report(const struct trap_frame *f);

/* paging.c: unmaps the 4 KiB page at guard (splitting stage2's 2 MiB page that holds it,
 * once; PAGING_SPLIT_TABLES such pages at most); false, with nothing changed, if the map is
 * not what stage2 builds or no spare table is left. */
bool paging_guard_page(uintptr_t guard);

#endif
