/* Host tests of the suite runner (kernel/bench/suite_run.c) and statistics (kernel/bench/suite_stats.c)
 * with a fake environment: no module code runs; the fake `call` returns scripted outcomes.
 * Covers: pass, wrong answer on a later call, fault (with the address of a page fault),
 * timeout, rejection with its reason, no memory, an image that cannot be protected,
 * tolerance, median/mean/min/max, timer and call overhead subtraction and the profile's
 * markers and fields. */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/module_loader.h"
#include "kernel/bench/profile.h"
#include "kernel/bench/suite_run.h"

#define FAKE_CALLS 4

struct fake {
    enum suite_call_outcome outcome_at[FAKE_CALLS + 1];
    uint32_t result_at[FAKE_CALLS + 1];
    uint64_t now;
    bool no_memory;
    bool refuse_protect;
    uint32_t fault_vector;
    bool fault_has_addr;
    uint8_t mem[512] __attribute__((aligned(16)));
};

static struct fake fk;

static uint64_t fake_clock(void) { return fk.now += 1000; }

static void *fake_acquire(void *ctx, uint32_t size, uint32_t align, uint32_t *run_addr)
{
    (void)ctx, (void)align;
    if (fk.no_memory || size > sizeof fk.mem)
        return NULL;
    *run_addr = 0x100000;
    return fk.mem;
}

static void fake_release(void *ctx, void *mem, uint32_t size) { (void)ctx, (void)mem, (void)size; }

static enum suite_call_outcome fake_call(void *ctx, uint32_t entry,
                                         const struct fluid_module_ctx *m, uint32_t *result,
                                         struct suite_fault *fault)
{
    (void)ctx;
    *result = fk.result_at[m->call_index];
    *fault = (struct suite_fault){fk.fault_vector, entry + 2, 0xC0000000u, fk.fault_has_addr};
    return fk.outcome_at[m->call_index];
}

/* A minimal valid module file: 16 bytes of code, no data or relocations. */
static uint8_t file[sizeof(struct fluid_mod_header) + 16];

static void build_file(void)
{
    struct fluid_mod_header *h = (struct fluid_mod_header *)file;
    memset(file, 0, sizeof file);
    h->magic = FLUID_MOD_MAGIC;
    h->format_version = FLUID_MOD_FORMAT_VERSION;
    h->header_size = sizeof *h;
    strcpy(h->name, "fake");
    h->code_size = 16;
    h->align = 16;
    h->tier = FLUID_TIER_O2;
    h->body_crc32 = mod_crc32(file + sizeof *h, 16);
    h->header_crc32 = mod_crc32(file, FLUID_MOD_HEADER_CRC_SPAN);
}

static const struct suite_runner runner = {
    .calls = FAKE_CALLS, .timer_overhead = 100, .clock = fake_clock,
    .acquire = fake_acquire, .release = fake_release, .call = fake_call,
};

static void reset(uint32_t value)
{
    memset(&fk, 0, sizeof fk);
    for (int i = 0; i <= FAKE_CALLS; i++)
        fk.result_at[i] = value;
    build_file();
}

static struct suite_entry entry = {"fake", file, sizeof file, SUITE_EXPECT_VALUE, 42, 0};

TEST(all_calls_correct)
{
    struct suite_result r;
    reset(42);
    CHECK(suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_OK);
    CHECK_EQ_U64(r.calls, FAKE_CALLS);
    CHECK_EQ_U64(r.code_addr, 0x100000);
    /* Each timed call spans two fake clock reads 1000 apart, minus overhead 100. */
    CHECK_EQ_U64(r.min, 900);
    CHECK_EQ_U64(r.median, 900);
    CHECK_EQ_U64(r.total, FAKE_CALLS * 900);
    CHECK(r.error[0] == 0);
}

TEST(wrong_answer_on_a_later_call)
{
    struct suite_result r;
    reset(42);
    fk.result_at[3] = 41;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_WRONG_RESULT);
    CHECK_STREQ(r.error, "module fake: wrong result 0x00000029 on call 3 (expected 0x0000002a +- 0)");
    struct suite_entry tolerant = entry;
    tolerant.tolerance = 1;
    CHECK(suite_run_one(&runner, &tolerant, file, sizeof file, "embedded", &r));
}

TEST(fault_and_timeout)
{
    struct suite_result r;
    reset(42);
    fk.outcome_at[0] = SUITE_CALL_FAULT;
    fk.fault_vector = 6;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_FAULT && r.fault.vector == 6 && r.calls == 0);
    CHECK_STREQ(r.error, "module fake: CPU exception #UD (vector 6) at 0x00100002 (image "
                         "offset 0x2) on call 0");
    struct suite_entry wants_fault = entry;
    wants_fault.expect = SUITE_EXPECT_FAULT;
    CHECK(suite_run_one(&runner, &wants_fault, file, sizeof file, "embedded", &r));
    reset(42);
    fk.outcome_at[2] = SUITE_CALL_TIMEOUT;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_TIMEOUT && r.calls == 1);
}

static char out[16384];
static size_t out_len;
static void sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    if (out_len + n < sizeof out)
        memcpy(out + out_len, s, n), out_len += n;
}

/* A page fault names the address the module touched (CR2, or si_addr on the host). */
TEST(page_fault_names_the_address)
{
    struct suite_result r;
    reset(42);
    fk.outcome_at[1] = SUITE_CALL_FAULT;
    fk.fault_vector = 14;
    fk.fault_has_addr = true;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_FAULT && r.fault.has_addr && r.fault.addr == 0xC0000000u);
    CHECK_STREQ(r.error, "module fake: CPU exception #PF (vector 14) at 0x00100002 (image "
                         "offset 0x2), address 0xc0000000 on call 1");
    struct profile_env env = {.build_id = "", .cpu_vendor = "", .cpu_brand = "",
                              .hypervisor = "", .clock = "icount", .runner = "test"};
    out_len = 0;
    CHECK(profile_write(sink, NULL, &env, &r, 1));
    out[out_len] = 0;
    CHECK(strstr(out, "\"fault\":{\"vector\":14,\"mnemonic\":\"#PF\",\"eip\":\"0x00100002\","
                      "\"address\":\"0xc0000000\"}") != NULL);
}

static bool fake_protect(void *ctx, void *mem, const struct mod_info *info)
{
    (void)ctx, (void)mem, (void)info;
    return !fk.refuse_protect;
}

/* Where the image cannot get its page rights, it does not run. */
TEST(protect_refused_means_no_run)
{
    struct suite_result r;
    struct suite_runner rn = runner;
    rn.protect = fake_protect;
    reset(42);
    CHECK(suite_run_one(&rn, &entry, file, sizeof file, "embedded", &r));
    fk.refuse_protect = true;
    CHECK(!suite_run_one(&rn, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_NO_MEMORY && r.calls == 0);
    CHECK_STREQ(r.error, "module fake: cannot map its 16 bytes at 0x00100000 for it to run");
}

/* The cost of an empty call is measured like the timer's and taken off every sample. */
TEST(call_overhead_is_subtracted)
{
    struct suite_result r;
    struct suite_runner rn = runner;
    reset(42);
    /* Each fake call spans two clock reads 1000 apart; timer overhead 100. */
    CHECK_EQ_U64(suite_call_overhead(&rn, 0x1234, 4), 900);
    rn.call_overhead = 300;
    CHECK(suite_run_one(&rn, &entry, file, sizeof file, "embedded", &r));
    CHECK_EQ_U64(r.median, 600);
    rn.call_overhead = 5000;            /* never below 0 */
    CHECK(suite_run_one(&rn, &entry, file, sizeof file, "embedded", &r));
    CHECK_EQ_U64(r.max, 0);
    fk.outcome_at[0] = SUITE_CALL_FAULT;   /* a null entry that faults measures nothing */
    CHECK_EQ_U64(suite_call_overhead(&rn, 0x1234, 4), 0);
}

TEST(rejected_and_no_memory)
{
    struct suite_result r;
    reset(42);
    file[sizeof(struct fluid_mod_header)] ^= 1;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_REJECTED);
    CHECK(strncmp(r.error, "module fake: bad CRC (expected 0x", 33) == 0);
    reset(42);
    fk.no_memory = true;
    CHECK(!suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r));
    CHECK(r.status == SUITE_NO_MEMORY);
}

TEST(statistics)
{
    struct suite_result r = {0};
    uint64_t v[] = {50, 10, 40, 20, 30, 60};
    memcpy(r.cycles, v, sizeof v);
    r.calls = 6;
    suite_stats_finish(&r);
    CHECK_EQ_U64(r.min, 10);
    CHECK_EQ_U64(r.max, 60);
    CHECK_EQ_U64(r.median, 30);
    CHECK_EQ_U64(r.mean, 35);
    CHECK_EQ_U64(r.total, 210);
}

TEST(profile_has_markers_and_fields)
{
    struct suite_result r;
    reset(42);
    suite_run_one(&runner, &entry, file, sizeof file, "embedded", &r);
    struct profile_env env = {.build_id = "abc\"1", .cpu_vendor = "V", .cpu_brand = "",
                              .hypervisor = "", .clock = "icount", .runner = "test",
                              .call_overhead = 77, .isolation = "ring3",
                              .isolation_paged = true};
    out_len = 0;
    CHECK(profile_write(sink, NULL, &env, &r, 1));
    out[out_len] = 0;
    CHECK(strncmp(out, PROFILE_BEGIN "\n{", sizeof PROFILE_BEGIN + 1) == 0);
    CHECK(strstr(out, "}\n" PROFILE_END "\n") != NULL);
    CHECK(strstr(out, "\"build_id\":\"abc\\\"1\"") != NULL);
    CHECK(strstr(out, "\"median_cycles\":900") != NULL);
    CHECK(strstr(out, "\"status\":\"ok\"") != NULL);
    CHECK(strstr(out, "\"call_overhead_cycles\":77") != NULL);
    CHECK(strstr(out, "\"isolation\":{\"mode\":\"ring3\",\"paged\":true}") != NULL);
}

int main(void)
{
    check_suite = "test_module_suite";
    RUN(all_calls_correct);
    RUN(wrong_answer_on_a_later_call);
    RUN(fault_and_timeout);
    RUN(page_fault_names_the_address);
    RUN(protect_refused_means_no_run);
    RUN(call_overhead_is_subtracted);
    RUN(rejected_and_no_memory);
    RUN(statistics);
    RUN(profile_has_markers_and_fields);
    return check_summary();
}
