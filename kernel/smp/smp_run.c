/* Work for the APs, and stopping them (contract in smp.h). A parked AP spins on the job
 * generation with PAUSE, and after AP_IDLE_SPINS polls without a job halts with only the
 * wake-up IPI let in (so idle APs leave the host's cores to the others under QEMU). The
 * boot CPU publishes a job by bumping the generation, wakes the halted ones, runs its own
 * share and waits for the count of finished APs. No lock, no heap, no console on the way.
 *
 * Lost-wake-up rule: an AP stores `sleeping` before it reads the generation a last time; the
 * boot CPU stores the generation before it reads `sleeping`; a full fence sits between each
 * pair, so at least one of them sees the other's store (SDM vol. 3A §8.2.3.4 allows the
 * reordering of a load ahead of an older store to another address, hence the fences). */
#include <string.h>

#include "kernel/arch/x86/lapic.h"
#include "kernel/core/arch.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/log.h"
#include "kernel/core/machine.h"
#include "kernel/core/tsc.h"
#include "kernel/smp/smp_arch.h"
#include "kernel/smp/smp_impl.h"

#define AP_IDLE_SPINS       20000u      /* PAUSE polls before an idle AP halts */
#define JOB_LIMIT_S         60u         /* an AP job that runs longer is a hung CPU */
#define STOP_WAIT_US        100000u     /* how long the failing CPU waits for the others */
#define NO_CPU              (-1)
#define US_PER_S            1000000u

static void (*volatile job_fn)(void *);
static void *volatile job_arg;
static volatile uint32_t job_generation;
static volatile uint32_t job_done;
static volatile int32_t failing_cpu = NO_CPU;
static volatile uint32_t cpus_stopped;

static inline void full_fence(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void wake_sleepers(void)
{
    for (uint32_t i = 1; i < smp_started; i++)
        if (smp_cpus[i].sleeping)
            (void)lapic_send_ipi(smp_cpus[i].apic_id, LAPIC_DM_FIXED | SMP_WAKE_VECTOR);
}

/* Waits for the APs to finish the job; a job that takes over JOB_LIMIT_S is a panic. */
static void wait_job_done(uint32_t aps)
{
    uint64_t limit = JOB_LIMIT_S * tsc_hz(), t0 = tsc_read();
    while (__atomic_load_n(&job_done, __ATOMIC_ACQUIRE) != aps) {
        __asm__ volatile("pause");
        if (tsc_read() - t0 > limit)
            panic("smp: %u of %u APs finished a job within %u s", job_done, aps, JOB_LIMIT_S);
    }
}

void smp_run_on_all(void (*fn)(void *arg), void *arg)
{
    uint32_t aps = smp_started - 1;
    if (aps == 0) {
        fn(arg);
        return;
    }
    job_fn = fn;
    job_arg = arg;
    job_done = 0;
    __atomic_store_n(&job_generation, job_generation + 1, __ATOMIC_RELEASE);
    full_fence();
    wake_sleepers();
    fn(arg);
    wait_job_done(aps);
}

/* Halts until the wake-up IPI unless a job came in after the last look. */
static void idle_sleep(struct cpu_local *c)
{
    c->sleeping = 1;
    full_fence();
    if (__atomic_load_n(&job_generation, __ATOMIC_ACQUIRE) == c->seen_generation)
        smp_arch_halt_until_ipi();
    c->sleeping = 0;
}

void smp_ap_main(struct cpu_local *c)
{
    c->seen_generation = job_generation;
    __atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
    for (;;) {
        uint32_t spins = 0;
        while (__atomic_load_n(&job_generation, __ATOMIC_ACQUIRE) == c->seen_generation) {
            __asm__ volatile("pause");
            if (++spins == AP_IDLE_SPINS) {
                idle_sleep(c);
                spins = 0;
            }
        }
        c->seen_generation = job_generation;
        job_fn(job_arg);
        __atomic_fetch_add(&job_done, 1, __ATOMIC_RELEASE);
    }
}

void smp_stop_others(void)
{
    if (smp_started <= 1)
        return;
    int32_t me = (int32_t)cpu_index(), expected = NO_CPU;
    if (!__atomic_compare_exchange_n(&failing_cpu, &expected, me, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        if (expected == me)
            return;                     /* this CPU already stopped the others */
        __atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_SEQ_CST);
        machine_halt();                 /* another CPU's report goes out alone */
    }
    lapic_nmi_all_but_self();
    uint64_t limit = STOP_WAIT_US * tsc_hz() / US_PER_S, t0 = tsc_read();
    while (__atomic_load_n(&cpus_stopped, __ATOMIC_SEQ_CST) < smp_started - 1 &&
           tsc_read() - t0 < limit)
        __asm__ volatile("pause");
    log_console_take();
    kprintf("smp: cpu %d stopped %u of the other %u CPUs\n", me, cpus_stopped,
            smp_started - 1);
}

void smp_nmi_stop_if_asked(void)
{
    int32_t failing = __atomic_load_n(&failing_cpu, __ATOMIC_SEQ_CST);
    if (failing == NO_CPU || failing == (int32_t)cpu_index())
        return;
    __atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_SEQ_CST);
    machine_halt();
}

enum ap_fault { AP_FAULT_UD, AP_FAULT_PF, AP_FAULT_STACK };

/* The job of test.smp_ap_fault: the last started AP faults, the others return. */
static void fault_job(void *arg)
{
    const enum ap_fault *what = arg;
    if (cpu_index() != smp_started - 1)
        return;
    if (*what == AP_FAULT_STACK)
        arch_test_stack_overflow();
    if (*what == AP_FAULT_PF)
        smp_arch_fault_pf();
    smp_arch_fault_ud();
}

void smp_test_ap_fault(void)
{
    const char *what = cmdline_value(SMP_OPT_AP_FAULT);
    if (!what)
        return;
    if (smp_started < 2) {
        kprintf("smp: " SMP_OPT_AP_FAULT " needs an AP; none runs\n");
        return;
    }
    static const char *const names[] = {"#UD", "a page fault", "a kernel stack overflow"};
    enum ap_fault fault = strcmp(what, "pf") == 0 ? AP_FAULT_PF :
                          strcmp(what, "stack") == 0 ? AP_FAULT_STACK : AP_FAULT_UD;
    kprintf("test: CPU %u raises %s\n", smp_started - 1, names[fault]);
    smp_run_on_all(fault_job, &fault);
    kprintf("smp: " SMP_OPT_AP_FAULT ": the AP came back\n");
}
