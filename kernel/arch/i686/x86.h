/* i686 definitions shared by the arch files: selectors of the kernel's own GDT, control
 * register bits, the trap frame built by isr.asm, and small register accessors.
 * Intel SDM vol. 3A: §2.5 (control registers), §3.4.5 (descriptors), ch. 6 (interrupts),
 * ch. 7 (tasks). */
#ifndef FLUID_ARCH_I686_X86_H
#define FLUID_ARCH_I686_X86_H

#include <fluid/types.h>

#include "kernel/arch/x86/pic.h"

/* GDT selectors (gdt.c). Code and data match stage2's, so nothing changes meaning when our
 * GDT replaces its. */
#define SEL_KERNEL_CODE     0x08
#define SEL_KERNEL_DATA     0x10
#define SEL_MAIN_TSS        0x18    /* the task the kernel runs in (saved on a #DF) */
#define SEL_DF_TSS          0x20    /* the double-fault task */
#define SEL_USER_CODE       0x28    /* ring-3 flat code, DPL 3: modules run here */
#define SEL_USER_DATA       0x30    /* ring-3 flat data and stack, DPL 3 */
#define SEL_REAL_CODE16     0x38    /* = THUNK_SEL_CODE16 (kernel/arch/x86/bios.h) */
#define SEL_REAL_DATA16     0x40    /* = THUNK_SEL_DATA16 */
/* This CPU's struct cpu_local (kernel/smp/smp.h), DPL 0, held in GS whenever the kernel
 * runs: every CPU has its own GDT, so the one selector has a different base on each. */
#define SEL_CPU_LOCAL       0x48
#define GDT_ENTRIES         10
#define RPL_USER            3       /* requested privilege level of a ring-3 selector */

#define CR0_PE              (1u << 0)   /* protection enable */
#define CR0_MP              (1u << 1)   /* monitor coprocessor: WAIT honours TS */
#define CR0_EM              (1u << 2)   /* emulation: x87 instructions raise #NM */
#define CR0_TS              (1u << 3)
#define CR0_NE              (1u << 5)   /* native x87 error reporting (#MF, not IRQ 13) */
#define CR0_PG              (1u << 31)
#define CR4_PSE             (1u << 4)   /* 4 MiB pages */
#define CR4_OSFXSR          (1u << 9)   /* FXSAVE/FXRSTOR and SSE enabled by the OS */
#define CR4_OSXMMEXCPT      (1u << 10)  /* unmasked SSE exceptions raise #XM */
#define EFLAGS_IF           (1u << 9)
#define EFLAGS_RESERVED1    (1u << 1)   /* always 1 */
#define EFLAGS_IOPL         (3u << 12)  /* I/O privilege level: 0 in every Fluid context */
#define EFLAGS_NT           (1u << 14)  /* nested task */
#define EFLAGS_ID           (1u << 21)  /* toggles if CPUID exists */
#define MXCSR_DEFAULT       0x1F80u     /* all SSE exceptions masked, round to nearest */

#include "kernel/arch/x86/exceptions.h"
#define VECTOR_NMI          2
#define VECTOR_DOUBLE_FAULT 8
/* The one gate ring 3 may INT to (DPL 3): a module's return (kernel/arch/i686/usermode.c). */
#define VECTOR_USER_EXIT    (IRQ_BASE_VECTOR + IRQ_LINES)
/* Up to the local APIC's vectors (kernel/smp/smp.h: SMP_WAKE_VECTOR 0x31, SMP_SPURIOUS_VECTOR
 * 0x3F); isr.asm has a stub for each. */
#define IDT_VECTORS         64

/* What isr.asm pushes, lowest address first: segment registers, PUSHAD, the vector, the
 * error code (0 when the CPU pushes none), then the CPU's EIP, CS, EFLAGS, and, only when the
 * interrupt came from ring 3, the interrupted ESP and SS (SDM vol. 3A §6.12.1, figure 6-4). */
struct trap_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pushad, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;     /* valid only if trap_from_user(frame) */
};

static inline bool trap_from_user(const struct trap_frame *f)
{
    return (f->cs & 3) == RPL_USER;
}

/* The 32-bit TSS (Intel SDM vol. 3A §7.2.1, figure 7-2). */
struct tss32 {
    uint16_t link, link_hi;
    uint32_t esp0;
    uint16_t ss0, ss0_hi;
    uint32_t esp1;
    uint16_t ss1, ss1_hi;
    uint32_t esp2;
    uint16_t ss2, ss2_hi;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, es_hi, cs, cs_hi, ss, ss_hi, ds, ds_hi, fs, fs_hi, gs, gs_hi;
    uint16_t ldt, ldt_hi;
    uint16_t trap, iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes");

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static inline uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ volatile("pushfl; popl %0" : "=r"(v));
    return v;
}

static inline void irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }

/* fninit, and MXCSR back to its reset value when SSE is enabled. */
void fpu_reset(void);

/* gdt.c. gdt_init loads the boot CPU's GDT with GS on SEL_CPU_LOCAL over cpu_block (bytes
 * long). gdt_load_ap gives an AP a copy of the boot CPU's GDT whose two TSS descriptors name
 * the AP's own tss and df_tss (a task's TSS is marked busy, so CPUs cannot share one), with
 * the double-fault task entering df_entry on df_stack_top, and whose SEL_CPU_LOCAL covers
 * the AP's own cpu_block; then loads it, GS and the TSS. */
void gdt_init(const void *cpu_block, uint32_t bytes);
void gdt_load_ap(uint64_t *gdt, struct tss32 *tss, struct tss32 *df_tss, void (*df_entry)(void),
                 uint32_t df_stack_top, const void *cpu_block, uint32_t bytes);
struct tss32 *gdt_main_tss(void);
struct tss32 *gdt_df_tss(void);
void gdt_set_cr3(uint32_t cr3);
/* The stack the CPU switches to when an interrupt or exception arrives from ring 3. */
void gdt_set_kernel_stack(uint32_t esp0);

/* paging.c: identity map; returns false (paging left off) without PSE. */
bool paging_init(uintptr_t guard_page);
bool paging_enabled(void);

/* Who may touch a page of the identity map (paging.c). */
enum page_access {
    PAGE_KERNEL,            /* supervisor read/write: the default for every page */
    PAGE_USER_RO,           /* ring 3 may read and execute, not write */
    PAGE_USER_RW,           /* ring 3 may read, write and execute (no NX without PAE) */
};

/* Sets every 4 KiB page overlapping [start, start + len) to `access` and flushes those TLB
 * entries. The pages must lie in 4 MiB regions already split into 4 KiB pages or splittable
 * (PAGING_SPLIT_REGIONS of them in all); false, with a log line, otherwise or with paging
 * off. */
bool paging_set_access(uintptr_t start, size_t len, enum page_access access);

/* paging.c: unmaps the 4 KiB page at guard (an AP's stack guard); false, logged, if its
 * 4 MiB region cannot be split. */
bool paging_guard_page(uintptr_t guard);

/* idt.c / trap.c; idt_load loads the IDT idt_init built on another CPU. */
void idt_init(void);
void idt_load(void);
void trap_dispatch(struct trap_frame *f);
void exception_report(const struct trap_frame *f);

/* guard.c: called by the trap and timer paths while a guarded call runs. */
bool guard_active(void);
__attribute__((noreturn)) void guard_abort_fault(const struct trap_frame *f);
void guard_check_budget(const struct trap_frame *f);
__attribute__((noreturn)) void guard_user_return(const struct trap_frame *f);
bool guard_recover_double_fault(struct tss32 *interrupted);

#endif
