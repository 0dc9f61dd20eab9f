/* The host runner: loads the same .mod bytes the kernel embeds (the generated registry) into
 * a 32-bit Linux process with the same loader and entry ABI, times each module with
 * serialized RDTSC (LFENCE; RDTSC, Intel SDM vol. 2B) on the real CPU, and prints the same
 * JSON profile (clock "host-rdtsc"). This measures real cycles where QEMU has no hardware
 * virtualisation. Faults become SIGSEGV/SIGILL/SIGFPE/SIGBUS and the time budget a SIGALRM;
 * both jump back out of the module (sigsetjmp), so a bad module cannot stop the run.
 * Usage: hostrun [--calls N] [--budget-ms N] [--bad-modules]
 * Exit status: 0 if every module run passed, 1 otherwise, 2 on bad usage. */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <unistd.h>

#include "kernel/bench/fprof.h"
#include "kernel/bench/profile.h"
#include "kernel/bench/suite_run.h"

#define HOSTRUN_DEFAULT_CALLS   8
#define HOSTRUN_DEFAULT_BUDGET  2000    /* ms per call */
#define HOSTRUN_OVERHEAD_ROUNDS 1000
#define HOSTRUN_ALTSTACK        65536
#define MS_PER_S                1000
#define US_PER_MS               1000

#ifndef HOSTRUN_BUILD_ID
#define HOSTRUN_BUILD_ID "unknown"
#endif

static sigjmp_buf escape;
static volatile sig_atomic_t caught_signal;
static volatile uint32_t caught_eip;
static uint32_t budget_ms = HOSTRUN_DEFAULT_BUDGET;

static uint64_t rdtsc_serialized(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    (void)info;
    caught_signal = sig;
    caught_eip = (uint32_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_EIP];
    siglongjmp(escape, 1);
}

static void install_handlers(void)
{
    static char altstack[HOSTRUN_ALTSTACK];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static void arm_timer(uint32_t ms)
{
    struct itimerval t = {{0, 0}, {ms / MS_PER_S, (ms % MS_PER_S) * US_PER_MS}};
    setitimer(ITIMER_REAL, &t, NULL);
}

/* The exception vector a signal stands for (Intel SDM vol. 3A table 6-1), for the JSON. */
static uint32_t vector_of(int sig)
{
    return sig == SIGFPE ? 0 : sig == SIGILL ? 6 : sig == SIGBUS ? 17 : 13;
}

static enum suite_call_outcome host_call(void *ctx, uint32_t entry,
                                         const struct fluid_module_ctx *mctx,
                                         uint32_t *result, uint32_t *vector, uint32_t *eip)
{
    (void)ctx;
    fluid_module_entry_fn fn = (fluid_module_entry_fn)(uintptr_t)entry;
    caught_signal = 0;
    if (sigsetjmp(escape, 1) == 0) {
        arm_timer(budget_ms);
        *result = fn(mctx);
        arm_timer(0);
        return SUITE_CALL_OK;
    }
    arm_timer(0);
    if (caught_signal == SIGALRM)
        return SUITE_CALL_TIMEOUT;
    *vector = vector_of(caught_signal);
    *eip = caught_eip;
    return SUITE_CALL_FAULT;
}

static void *host_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx;
    (void)align;    /* mmap returns page-aligned memory; FLUID_MOD_ALIGN_MAX is a page */
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    *run_addr = (uint32_t)(uintptr_t)p;
    return p;
}

static void host_release(void *ctx, void *mem, uint32_t size)
{
    (void)ctx;
    munmap(mem, size ? size : 1);
}

/* CPUID leaf 1 (EDX/ECX) and leaf 7 (EBX) -> FLUID_FEAT_*, with names for the profile. */
static uint32_t host_features(const char **names, uint32_t *count)
{
    static const struct { int reg, bit; uint32_t feat; const char *name; } map[] = {
        {3, 0, FLUID_FEAT_FPU, "fpu"}, {3, 4, FLUID_FEAT_TSC, "tsc"},
        {3, 15, FLUID_FEAT_CMOV, "cmov"}, {3, 23, FLUID_FEAT_MMX, "mmx"},
        {3, 25, FLUID_FEAT_SSE, "sse"}, {3, 26, FLUID_FEAT_SSE2, "sse2"},
        {2, 0, FLUID_FEAT_SSE3, "sse3"}, {2, 9, FLUID_FEAT_SSSE3, "ssse3"},
        {2, 19, FLUID_FEAT_SSE41, "sse4_1"}, {2, 20, FLUID_FEAT_SSE42, "sse4_2"},
        {2, 28, FLUID_FEAT_AVX, "avx"}, {1, 5, FLUID_FEAT_AVX2, "avx2"},
    };
    unsigned r1[4] = {0}, r7[4] = {0};     /* eax, ebx, ecx, edx */
    __get_cpuid(1, &r1[0], &r1[1], &r1[2], &r1[3]);
    __get_cpuid_count(7, 0, &r7[0], &r7[1], &r7[2], &r7[3]);
    uint32_t feats = 0;
    *count = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        unsigned reg = map[i].reg == 1 ? r7[1] : r1[map[i].reg];
        if (reg & (1u << map[i].bit)) {
            feats |= map[i].feat;
            names[(*count)++] = map[i].name;
        }
    }
    return feats;
}

static void cpu_strings(char vendor[13], char brand[49])
{
    unsigned r[4];
    __get_cpuid(0, &r[0], &r[1], &r[2], &r[3]);
    memcpy(vendor, &r[1], 4), memcpy(vendor + 4, &r[3], 4), memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    brand[0] = 0;
    for (unsigned leaf = 0; leaf < 3; leaf++)
        if (__get_cpuid(0x80000002u + leaf, &r[0], &r[1], &r[2], &r[3]))
            memcpy(brand + 16 * leaf, r, 16);
    brand[48] = 0;
}

static void stdout_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    fwrite(s, 1, n, stdout);
}

static int usage(void)
{
    fprintf(stderr, "usage: hostrun [--calls N] [--budget-ms N] [--bad-modules]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint32_t calls = HOSTRUN_DEFAULT_CALLS;
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--calls") && i + 1 < argc)
            calls = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--budget-ms") && i + 1 < argc)
            budget_ms = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bad-modules"))
            bad = true;
        else
            return usage();
    }
    if (calls == 0 || calls > SUITE_MAX_CALLS) {
        fprintf(stderr, "hostrun: --calls %u is outside 1..%d\n", calls, SUITE_MAX_CALLS);
        return 2;
    }
    static const char *names[32];
    static char vendor[13], brand[49];
    static struct suite_result results[64];
    uint32_t nfeat;
    install_handlers();
    fprof_clock = rdtsc_serialized;
    struct suite_runner rn = {
        .cpu_features = host_features(names, &nfeat), .calls = calls,
        .timer_overhead = suite_timer_overhead(rdtsc_serialized, HOSTRUN_OVERHEAD_ROUNDS),
        .clock = rdtsc_serialized, .acquire = host_acquire, .release = host_release,
        .call = host_call,
    };
    cpu_strings(vendor, brand);
    uint32_t n = 0;
    bool all_passed = true;
    for (uint32_t i = 0; i < suite_registry_count && n < 64; i++) {
        const struct suite_entry *e = &suite_registry[i];
        if (e->expect != SUITE_EXPECT_VALUE && !bad)
            continue;
        all_passed &= suite_run_one(&rn, e, e->mod, e->mod_size, "embedded", &results[n]);
        if (results[n].error[0])
            fprintf(stderr, "hostrun: %s\n", results[n].error);
        n++;
    }
    struct sysinfo si;
    sysinfo(&si);
    struct profile_env env = {
        .build_id = HOSTRUN_BUILD_ID, .boot_id = (uint32_t)rdtsc_serialized(),
        .cpu_vendor = vendor, .cpu_brand = brand, .hypervisor = "",
        .features = names, .feature_count = nfeat, .clock = "host-rdtsc",
        .clock_is_cycles = true, .tsc_hz = 0, .timer_overhead = rn.timer_overhead,
        .memory_bytes = (uint64_t)si.totalram * si.mem_unit, .calls_per_module = calls,
        .runner = "hostrun",
    };
    if (!profile_write(stdout_sink, NULL, &env, results, n))
        fprintf(stderr, "hostrun: JSON writer misuse (a bug in kernel/bench/profile.c)\n");
    return all_passed ? 0 : 1;
}
