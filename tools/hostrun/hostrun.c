/* The host runner: loads the same .mod bytes the kernel embeds (the generated registry) into
 * a 32-bit Linux process with the same loader and entry ABI, times each module with
 * serialized RDTSC (LFENCE; RDTSC, Intel SDM vol. 2B) on the real CPU, and prints the same
 * JSON profile (clock "host-rdtsc"). This measures real cycles where QEMU has no hardware
 * virtualisation. Faults become SIGSEGV/SIGILL/SIGFPE/SIGBUS and the time budget a SIGALRM;
 * both jump back out of the module (sigsetjmp), so a bad module cannot stop the run. As in
 * the kernel, a module runs on a stack of its own (MODULE_STACK_BYTES between two
 * inaccessible pages, its context copied to the top) and the runner keeps its own registers
 * (call_on_stack), so a module that smashes its stack or changes the callee-saved registers
 * hurts only itself.
 * Usage: hostrun [--calls N] [--budget-ms N] [--bad-modules]
 *        hostrun --adaptive N [--variant FILE.mod]... [--thresholds A,B,...] [--planner-off]
 *                [--only NAME,...] [--budget-ms N] [--bad-modules]
 * The second form runs every module N calls through its dispatch slot with the kernel's
 * planner (kernel/bench/suite_adapt.h), the registry's build as the baseline and each
 * --variant file whose header names the module as a candidate, and prints one `adaptive:`
 * line per module before the profile (docs/pgo.md, "The host runner's planner mode").
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
#include "kernel/bench/suite_adapt.h"
#include "kernel/bench/suite_run.h"

#define HOSTRUN_DEFAULT_CALLS   8
#define HOSTRUN_DEFAULT_BUDGET  2000    /* ms per call */
#define HOSTRUN_OVERHEAD_ROUNDS 1000
#define HOSTRUN_ALTSTACK        65536
#define HOSTRUN_MAX_MODULES     64
#define MODULE_STACK_BYTES      (64 * 1024)     /* as the kernel's user stack */
#define MODULE_ARG_AREA         256             /* the context's copy, top of the stack */
#define MODULE_STACK_ALIGN      16              /* i386 System V at a call */
#define HOSTRUN_MAX_VARIANTS    64
#define HOSTRUN_MAX_ADAPTIVE    1000000u        /* --adaptive N: as the kernel's suite.calls */
#define HOSTRUN_MOD_ALIGN       16              /* as the registry's embedded bytes */
#define PERCENT                 100.0
#define MS_PER_S                1000
#define US_PER_MS               1000

#ifndef HOSTRUN_BUILD_ID
#define HOSTRUN_BUILD_ID "unknown"
#endif

static sigjmp_buf escape;
static volatile sig_atomic_t caught_signal, caught_code;
static volatile uint32_t caught_eip, caught_addr;
static uint32_t budget_ms = HOSTRUN_DEFAULT_BUDGET;

static uint64_t rdtsc_serialized(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* uint32_t call_on_stack(fn, arg, esp): calls fn(arg) with ESP = esp (the argument slot,
 * 16-byte aligned), then restores ESP and the callee-saved registers from its own copies,
 * not from what fn left. Not reentrant (one module call at a time). */
uint32_t call_on_stack(fluid_module_entry_fn fn, const void *arg, void *esp);
static uint32_t saved_esp __attribute__((used));
__asm__(".text\n"
        ".globl call_on_stack\n"
        "call_on_stack:\n\t"
        "pushl %ebp\n\t"
        "pushl %ebx\n\t"
        "pushl %esi\n\t"
        "pushl %edi\n\t"
        "movl 20(%esp), %eax\n\t"     /* fn */
        "movl 24(%esp), %ecx\n\t"     /* arg */
        "movl 28(%esp), %edx\n\t"     /* esp */
        "movl %esp, saved_esp\n\t"
        "movl %edx, %esp\n\t"
        "movl %ecx, (%esp)\n\t"
        "call *%eax\n\t"
        "movl %ss:saved_esp, %esp\n\t"   /* SS: the module may have nulled DS */
        "cld\n\t"
        "movl %ss, %ecx\n\t"         /* the module may have loaded DS or ES with null */
        "movl %ecx, %ds\n\t"
        "movl %ecx, %es\n\t"
        "popl %edi\n\t"
        "popl %esi\n\t"
        "popl %ebx\n\t"
        "popl %ebp\n\t"
        "ret\n");

static uint8_t *module_stack_top;

/* x87 and SSE control back to their defaults after every call, as the kernel's guard does:
 * a module may leave exceptions unmasked or another rounding mode. */
#define MXCSR_DEFAULT 0x1F80u
static void fpu_reset(void)
{
    uint32_t mxcsr = MXCSR_DEFAULT;
    __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
}

/* [no access][MODULE_STACK_BYTES read/write][no access]: overflow and overrun both fault. */
static bool make_module_stack(void)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(NULL, MODULE_STACK_BYTES + 2 * page, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, MODULE_STACK_BYTES, PROT_READ | PROT_WRITE))
        return false;
    module_stack_top = p + page + MODULE_STACK_BYTES;
    return true;
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    caught_signal = sig;
    caught_code = info->si_code;
    caught_eip = (uint32_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_EIP];
    caught_addr = (uint32_t)(uintptr_t)info->si_addr;
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

/* A SIGSEGV from a page fault (not a #GP, which Linux reports as SI_KERNEL) or a SIGBUS:
 * si_addr is the address touched. */
static bool signal_has_address(int sig, int code)
{
    return (sig == SIGSEGV && (code == SEGV_MAPERR || code == SEGV_ACCERR)) || sig == SIGBUS;
}

/* The exception vector a signal stands for (Intel SDM vol. 3A table 6-1), for the JSON. */
static uint32_t vector_of(int sig, int code)
{
    if (sig == SIGSEGV)
        return signal_has_address(sig, code) ? 14 : 13;
    return sig == SIGFPE ? 0 : sig == SIGILL ? 6 : 17;
}

static enum suite_call_outcome host_call(void *ctx, uint32_t entry,
                                         const struct fluid_module_ctx *mctx,
                                         uint32_t *result, struct suite_fault *fault)
{
    (void)ctx;
    fluid_module_entry_fn fn = (fluid_module_entry_fn)(uintptr_t)entry;
    caught_signal = 0;
    if (sigsetjmp(escape, 1) == 0) {
        uint8_t *copy = module_stack_top - MODULE_ARG_AREA;
        memcpy(copy, mctx, sizeof *mctx);
        arm_timer(budget_ms);
        *result = call_on_stack(fn, copy, copy - MODULE_STACK_ALIGN);
        arm_timer(0);
        fpu_reset();
        return SUITE_CALL_OK;
    }
    arm_timer(0);
    fpu_reset();
    if (caught_signal == SIGALRM)
        return SUITE_CALL_TIMEOUT;
    bool has_addr = signal_has_address(caught_signal, caught_code);
    *fault = (struct suite_fault){vector_of(caught_signal, caught_code), caught_eip,
                                  has_addr ? caught_addr : 0, has_addr};
    return SUITE_CALL_FAULT;
}

static void *host_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx;
    (void)align;    /* mmap returns page-aligned memory; FLUID_MOD_ALIGN_MAX is a page */
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    *run_addr = (uint32_t)(uintptr_t)p;
    return p;
}

/* The kernel's page rules (kernel/bench/usermode.h) with mprotect: pages holding code are
 * read-only and executable, the others read/write and not executable. */
static bool host_protect(void *ctx, void *mem, const struct mod_info *info)
{
    (void)ctx;
    long page = sysconf(_SC_PAGESIZE);
    uint64_t code_end = ((uint64_t)info->hdr.code_size + page - 1) / page * page;
    uint64_t end = ((uint64_t)info->image_size + page - 1) / page * page;
    if (mprotect(mem, code_end, PROT_READ | PROT_EXEC) != 0)
        return false;
    return end <= code_end ||
           mprotect((uint8_t *)mem + code_end, end - code_end, PROT_READ | PROT_WRITE) == 0;
}

/* A module entry that returns at once: its calls measure host_call's own cost. */
static uint32_t host_null_entry(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    return 0;
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
    fprintf(stderr, "usage: hostrun [--calls N] [--budget-ms N] [--bad-modules]\n"
                    "       hostrun --adaptive N [--variant FILE.mod]... [--thresholds A,B,...]"
                    " [--planner-off] [--only NAME,...] [--budget-ms N] [--bad-modules]\n");
    return 2;
}

/* A --variant file: its bytes and the module its header names. */
struct host_variant {
    const char *path;
    uint8_t *bytes;
    uint32_t size;
    struct mod_info info;
};

/* Reads and checks a --variant file (the loader's rules, any CPU feature); false, said why. */
static bool load_variant(const char *path, struct host_variant *v)
{
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (!f || size <= 0 || (uint64_t)size > FLUID_MOD_MAX_IMAGE * 2ull ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "hostrun: %s: cannot read it (size %ld)\n", path, size);
        if (f)
            fclose(f);
        return false;
    }
    uint32_t round = (uint32_t)((size + HOSTRUN_MOD_ALIGN - 1) / HOSTRUN_MOD_ALIGN) *
                     HOSTRUN_MOD_ALIGN;
    v->bytes = aligned_alloc(HOSTRUN_MOD_ALIGN, round);
    v->size = (uint32_t)size;
    v->path = path;
    bool ok = v->bytes && fread(v->bytes, 1, v->size, f) == v->size;
    fclose(f);
    struct mod_diag d = {MOD_OK, 0, 0};
    char msg[SUITE_ERROR_LEN];
    if (ok && mod_check(v->bytes, v->size, FLUID_FEAT_KNOWN, &v->info, &d) != MOD_OK) {
        mod_format_error(path, &d, msg, sizeof msg);
        fprintf(stderr, "hostrun: %s\n", msg);
        return false;
    }
    if (!ok)
        fprintf(stderr, "hostrun: %s: read failed\n", path);
    return ok;
}

static bool listed(const char *only, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = only; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return !only;
}

/* The module's summary line for make bench-adaptive: the final choice, the calls from the
 * first threshold (the module became hot) to the last promotion, and the planner's share of
 * the run: its cycles over the run's clock from the first timed call to the last, which holds
 * the planner and every call with the runner's own cost of making it. */
static void print_adaptive(const char *name, const struct suite_adaptive *ad,
                           const struct planner_config *cfg)
{
    const struct planner_module *pm = &ad->pm;
    uint32_t hot = cfg->threshold_count ? cfg->thresholds[0] : 0, final_call = hot;
    for (uint32_t i = 0; i < pm->history_count; i++)
        if (pm->history[i].reason == PLANNER_REASON_FASTER)
            final_call = pm->history[i].call;
    const struct suite_variant *v = &ad->v[pm->current];
    uint64_t run = ad->run_cycles;
    uint32_t demoted = 0;
    for (uint32_t i = 0; i < ad->count; i++)
        demoted += ad->v[i].mem != NULL && pm->c[i].demoted;
    printf("adaptive: %s final=%u label=\"%s\" hot_call=%u final_call=%u hot_to_final=%u "
           "candidates=%u demoted=%u planner_calls=%u planner_cycles=%llu call_cycles=%llu "
           "run_cycles=%llu overhead=%.2f%%\n", name, (unsigned)pm->current,
           v->label[0] ? v->label : v->info.cflags, (unsigned)hot, (unsigned)final_call,
           (unsigned)(final_call - hot), (unsigned)ad->count,
           (unsigned)demoted, (unsigned)pm->planner_calls,
           (unsigned long long)pm->planner_cycles, (unsigned long long)ad->cycles,
           (unsigned long long)run, run ? PERCENT * (double)pm->planner_cycles / (double)run : 0.0);
}

int main(int argc, char **argv)
{
    uint32_t calls = HOSTRUN_DEFAULT_CALLS, adaptive_calls = 0, nvar = 0;
    bool bad = false;
    const char *only = NULL;
    static struct host_variant variants[HOSTRUN_MAX_VARIANTS];
    static struct suite_adaptive adaptive[HOSTRUN_MAX_MODULES];
    struct planner_config cfg;
    planner_config_default(&cfg);
    cfg.clock = rdtsc_serialized;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--calls") && i + 1 < argc)
            calls = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--adaptive") && i + 1 < argc)
            adaptive_calls = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--variant") && i + 1 < argc) {
            if (nvar == HOSTRUN_MAX_VARIANTS || !load_variant(argv[++i], &variants[nvar]))
                return usage();
            nvar++;
        } else if (!strcmp(argv[i], "--thresholds") && i + 1 < argc) {
            enum planner_err err = planner_parse_thresholds(argv[++i], &cfg);
            if (err != PLANNER_OK) {
                fprintf(stderr, "hostrun: --thresholds %s: %s\n", argv[i], planner_strerror(err));
                return 2;
            }
        } else if (!strcmp(argv[i], "--planner-off"))
            cfg.enabled = false;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--budget-ms") && i + 1 < argc)
            budget_ms = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bad-modules"))
            bad = true;
        else
            return usage();
    }
    if (adaptive_calls > HOSTRUN_MAX_ADAPTIVE || (nvar && !adaptive_calls)) {
        fprintf(stderr, "hostrun: --adaptive N (1..%u) is needed with --variant\n",
                HOSTRUN_MAX_ADAPTIVE);
        return 2;
    }
    if (calls == 0 || calls > SUITE_MAX_CALLS) {
        fprintf(stderr, "hostrun: --calls %u is outside 1..%d\n", calls, SUITE_MAX_CALLS);
        return 2;
    }
    static const char *names[32];
    static char vendor[13], brand[49];
    static struct suite_result results[HOSTRUN_MAX_MODULES];
    uint32_t nfeat;
    install_handlers();
    if (!make_module_stack()) {
        perror("hostrun: module stack");
        return 2;
    }
    fprof_clock = rdtsc_serialized;
    struct suite_runner rn = {
        .cpu_features = host_features(names, &nfeat), .calls = calls,
        .timer_overhead = suite_timer_overhead(rdtsc_serialized, HOSTRUN_OVERHEAD_ROUNDS),
        .clock = rdtsc_serialized, .acquire = host_acquire, .release = host_release,
        .protect = host_protect, .call = host_call,
    };
    rn.call_overhead = suite_call_overhead(&rn, (uint32_t)(uintptr_t)host_null_entry,
                                           HOSTRUN_OVERHEAD_ROUNDS);
    cpu_strings(vendor, brand);
    uint32_t n = 0;
    bool all_passed = true;
    for (uint32_t i = 0; i < suite_registry_count; i++) {
        const struct suite_entry *e = &suite_registry[i];
        if ((e->expect != SUITE_EXPECT_VALUE && !bad) || !listed(only, e->name))
            continue;
        if (n == HOSTRUN_MAX_MODULES) {
            fprintf(stderr, "hostrun: %s and later modules not run: at most %d a run\n",
                    e->name, HOSTRUN_MAX_MODULES);
            all_passed = false;
            break;
        }
        if (adaptive_calls) {
            struct suite_adaptive *ad = &adaptive[n];
            suite_adapt_init(ad, e->mod, e->mod_size, "embedded");
            for (uint32_t v = 0; v < nvar; v++)
                if (!strcmp(variants[v].info.name, e->name) &&
                    !suite_adapt_offer(ad, variants[v].bytes, variants[v].size,
                                       variants[v].info.cflags, variants[v].path, 0))
                    fprintf(stderr, "hostrun: %s: not a candidate: at most %d\n",
                            variants[v].path, PLANNER_MAX_CANDIDATES);
            all_passed &= suite_run_adaptive(&rn, &cfg, e, adaptive_calls, ad, &results[n]);
            print_adaptive(e->name, ad, &cfg);
            for (uint32_t v = 1; v < ad->count; v++)
                if (ad->v[v].error[0])
                    fprintf(stderr, "hostrun: %s: %s\n", ad->v[v].path, ad->v[v].error);
        } else
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
        .call_overhead = rn.call_overhead, .isolation = "process", .isolation_paged = true,
        .memory_bytes = (uint64_t)si.totalram * si.mem_unit,
        .calls_per_module = adaptive_calls ? adaptive_calls : calls,
        .runner = "hostrun",
    };
    if (!profile_write(stdout_sink, NULL, &env, results, n))
        fprintf(stderr, "hostrun: JSON writer misuse (a bug in kernel/bench/profile.c)\n");
    return all_passed ? 0 : 1;
}
