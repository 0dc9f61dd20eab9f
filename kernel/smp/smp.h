/* Symmetric multiprocessing of both kernels: starting the application processors (APs) the
 * cpus stage found, the per-CPU block, running a function on every started CPU, and
 * stopping the other CPUs when one of them fails. docs/smp.md describes the whole.
 *
 * Start-up (smp_start, boot CPU only, from the cpus stage, interrupts on): the trampoline is
 * copied to AP_TRAMPOLINE_ADDR after an E820 check of its page; then each AP in table order
 * gets INIT, 10 ms, STARTUP, 200 us, STARTUP (Intel SDM vol. 3A §8.4.4.1), timed with the
 * calibrated TSC, and SMP_ANSWER_MS to say it runs. One that does not is sent INIT again
 * (so it stops and never reads the next AP's parameters), reported by APIC ID and left out;
 * the boot goes on. An AP runs in the kernel's own mode on its own GDT, TSS and guarded
 * stack with the shared IDT and the boot CPU's CR0, CR4 and XCR0, then parks in
 * smp_ap_idle with interrupts off but for the wake-up IPI.
 *
 * CPU indices are dense: the boot CPU is 0, the started APs 1 .. cpu_count_started() - 1 in
 * the order they started. The per-CPU block is found through GS (x86-64: IA32_GS_BASE; i686:
 * a segment over the block in each CPU's own GDT; see docs/smp.md). The local APIC is driven in the mode firmware left it in, xAPIC or x2APIC
 * (kernel/arch/x86/lapic.h); the APs are brought into the boot CPU's mode. */
#ifndef FLUID_KERNEL_SMP_H
#define FLUID_KERNEL_SMP_H

#include <fluid/types.h>

#include "kernel/acpi/acpi.h"

#define SMP_MAX_CPUS        16      /* started CPUs, the boot CPU included; more are left out */
#define SMP_ANSWER_MS       500     /* how long an AP has, after its STARTUP IPIs, to say it runs */
#define SMP_OPT_LIMIT       "smp"   /* smp=N: start at most N CPUs, the boot CPU included */
#define SMP_OPT_WITHHOLD    "test.smp_withhold"   /* =APICID: that AP gets INIT but no STARTUP */
#define SMP_OPT_AP_FAULT    "test.smp_ap_fault"   /* =ud2|pf|stack: the last AP started faults */
/* =1: before the kernel looks at its local APIC, put it in x2APIC mode as firmware may hand it
 * over (Bochs's rombios never does; QEMU's TCG has no x2APIC) */
#define SMP_OPT_FIRMWARE_X2APIC "test.smp_firmware_x2apic"
#define SMP_OPT_APIC        "apic"  /* apic=x2apic: switch the local APICs to x2APIC mode */
#define SMP_APIC_X2APIC     "x2apic"
/* IDT vectors of both kernels for the local APIC: the wake-up IPI of parked APs, and the
 * spurious vector (its low four bits must be 1 on P6 and Pentium CPUs, SDM vol. 3A §10.9). */
#define SMP_WAKE_VECTOR     0x31
#define SMP_SPURIOUS_VECTOR 0x3F

/* Every result of this subsystem. */
enum smp_err {
    SMP_OK = 0,
    SMP_E_NO_LAPIC,         /* no usable local APIC: only the boot CPU runs */
    SMP_E_PAGE,             /* the trampoline page is not usable RAM in the E820 map */
    SMP_E_TRAMPOLINE,       /* the trampoline does not fit its page */
    SMP_E_NO_TSC,           /* the TSC is not calibrated: the start-up delays cannot be timed */
    SMP_E_NO_ANSWER,        /* an AP did not say it runs within SMP_ANSWER_MS */
    SMP_E_IPI,              /* an IPI stayed pending at the local APIC */
    SMP_E_ARCH,             /* the architecture could not prepare the AP (logged there) */
};

/* The per-CPU block. The first fields are read by assembly (x86-64: %gs:0 is `self`), and
 * `heap` through GS by cpu_heap_gs. */
struct cpu_local {
    struct cpu_local *self;     /* the block's own address, read through GS */
    uint32_t index;             /* dense CPU number, 0 = boot CPU */
    uint32_t apic_id;
    uintptr_t stack_top;        /* the CPU's kernel stack (the boot CPU's: arch_init's) */
    uintptr_t stack_guard;      /* its unmapped guard page, 0 if none */
    void *arch;                 /* the architecture's per-CPU tables (GDT, TSS) */
    volatile uint32_t started;  /* set by the AP when it runs in the kernel */
    volatile uint32_t sleeping; /* the AP is halted waiting for the wake-up IPI */
    volatile uint32_t seen_generation;  /* the last smp_run_on_all job it ran */
    uint64_t cr0, cr4, xcr0;    /* what the AP runs with, compared with the boot CPU's */
    uint32_t apic_mode;         /* enum lapic_mode its IA32_APIC_BASE shows once enabled */
    /* the kernel heap's share of this CPU (struct heap_cpu), NULL until the heap binds it on
     * the CPU's first call that leaves its fast paths (kernel/mm/heap_impl.h) */
    void *heap;
};

/* This CPU's dense index: 0 on the boot CPU (also before smp_start), 1.. on the APs. Safe in
 * any context, interrupt and exception handlers included. */
uint32_t cpu_index(void);

#if (defined(__x86_64__) || defined(__i386__)) && __STDC_HOSTED__ == 0
/* This CPU's block's `heap` without a call, for the heap's malloc and free: one GS-relative
 * load, valid from arch init on. x86-64: IA32_GS_BASE holds the block's address (SDM vol. 3A
 * §3.4.4: in 64-bit mode GS keeps a base), the boot CPU's from smp_arch_early_boot_cpu on,
 * an AP's from its entry. i686: GS's segment covers the block from gdt_init on. */
static inline void *cpu_heap_gs(void)
{
    void *h;
    __asm__ volatile("mov %%gs:%c1, %0" : "=r"(h) : "i"(__builtin_offsetof(struct cpu_local, heap)));
    return h;
}
#endif

/* CPUs running the kernel, the boot CPU included (1 before smp_start or without APs). */
uint32_t cpu_count_started(void);

/* This CPU's block (the boot CPU's before smp_start). */
struct cpu_local *cpu_local(void);

/* Runs fn(arg) on every started CPU, the caller's included (it runs its share itself), and
 * returns when all have returned. The boot CPU only; not from inside fn. The APs take the
 * job from a spinning wait (or are woken from HLT by an IPI after a while idle) and use
 * neither the heap nor the console lock on the way. */
void smp_run_on_all(void (*fn)(void *arg), void *arg);

/* Starts the APs of cpus (the cpus stage calls it after finding them) and records each one's
 * outcome in cpus->state[]; logs one "smp: ..." line per AP and a summary. Returns SMP_OK when
 * every AP it tried started (the limits of SMP_MAX_CPUS and smp=N are not failures); any
 * other value only says why fewer run: the boot goes on with those that do. */
enum smp_err smp_start(struct acpi_cpus *cpus);

/* Called by a CPU that is going to report a failure and end the run (exception, panic,
 * machine_exit(false)): the first caller sends an NMI to every other CPU and waits briefly for
 * them to halt, then takes the console for itself; a later caller on another CPU halts at
 * once (the first report goes out alone). Does nothing before the APs run. */
void smp_stop_others(void);

/* The NMI handler's question: true if this NMI asks this CPU to stop (another CPU is failing);
 * it then never returns. */
void smp_nmi_stop_if_asked(void);

/* A short description of an enum smp_err value; "unknown smp error" outside the enum. */
const char *smp_strerror(enum smp_err err);

#endif
