/* The live line in the kernel (contract in live.h): COM2 polling bounded by the TSC, the
 * frames the kernel sends (HELLO, PROFILE, ACK, NAK), what it does with the host's (VARIANT,
 * BYE), and the counters the {"live": ...} line reports. The framing and every check of
 * received bytes are in live_frame.c (pure, host-tested, fuzzed); this file is the glue. */
#include "kernel/bench/live.h"

#include <string.h>

#include <fluid/kernel_header.h>
#include "kernel/bench/json.h"
#include "kernel/bench/live_frame.h"
#include "kernel/bench/live_progress.h"
#include "kernel/bench/suite_adapt.h"
#include "kernel/bench/suite.h"
#include "kernel/bench/suite_registry.h"
#include "kernel/core/cmdline.h"
#include "kernel/core/console.h"
#include "kernel/core/cpu.h"
#include "kernel/core/format.h"
#include "kernel/core/log.h"
#include "kernel/core/tsc.h"

#define LIVE_TX_JSON_MAX    8192    /* HELLO / PROFILE / ACK / NAK JSON text, bytes: a
                                     * PROFILE of SUITE_MAX_MODULES runs fits */
#define LIVE_DETAIL_LEN     160
#define LIVE_ORIGIN         "live"
#define MS_PER_S            1000u
/* After an empty read of the line, the receiver waits this long before reading the UART
 * again. A byte takes 87 us at 115200 baud and the FIFO holds 16, so nothing is lost; under
 * QEMU it leaves the emulator's I/O thread room to move the host's bytes into the FIFO. */
#define LIVE_IDLE_US        20
/* A poll ends once the line has been quiet this long between frames: the host's bytes come
 * in bursts (a FIFO's worth under QEMU), and the gaps between them are not the end. */
#define LIVE_QUIET_MS       10
/* live_poll_between_calls looks at COM2 at most this often: one status read per look. */
#define LIVE_CALL_POLL_MS   50
#define US_PER_S            1000000u
/* The TSC rate assumed when calibration failed: bounds stay finite, if not exact. */
#define LIVE_TSC_HZ_FALLBACK 1000000000ull

extern const struct kernel_header kernel_image_header;

enum live_mode { LIVE_OFF_OPTION, LIVE_OFF_NO_PORT, LIVE_ON, LIVE_DONE, LIVE_LOST };
static const char *const mode_names[] = {
    [LIVE_OFF_OPTION] = "off", [LIVE_OFF_NO_PORT] = "no_port", [LIVE_ON] = "on",
    [LIVE_DONE] = "bye", [LIVE_LOST] = "line_lost",
};

static struct {
    enum live_mode mode;
    uint32_t tx_seq;
    uint32_t cpu_features;          /* the suite's, for VARIANT checks after it */
    uint32_t frames, variants, accepted, rejected, garbage_bytes;
    uint32_t reasons[LIVE_E_COUNT];
    const struct live_offer_handler *handler;
    const struct suite_result *results;     /* the suite's results at its last poll */
    uint32_t result_count;
    uint64_t last_call_poll;        /* TSC of the last live_poll_between_calls that looked */
    /* The module running through its slot (live_run_begin), for mid-run PROFILE frames. */
    const char *run_name;
    uint32_t run_planned, run_seconds, run_frames_before;
    uint64_t run_start, last_progress;      /* TSC */
    /* VARIANT frames per module (index in the registry) received, accepted, rejected */
    uint32_t mod_received[SUITE_MAX_MODULES], mod_accepted[SUITE_MAX_MODULES];
    uint32_t mod_rejected[SUITE_MAX_MODULES];
} live;
static struct live_rx rx;
static uint8_t tx_frame[LIVE_HEADER_SIZE + LIVE_TX_JSON_MAX + LIVE_CRC_SIZE];
static char progress_json[LIVE_PROGRESS_JSON_MAX];
static char tx_json[LIVE_TX_JSON_MAX];

static uint64_t ms_to_ticks(uint32_t ms)
{
    uint64_t hz = tsc_hz() ? tsc_hz() : LIVE_TSC_HZ_FALLBACK;
    return hz / MS_PER_S * ms;
}

static void idle_wait(void)
{
    uint64_t hz = tsc_hz() ? tsc_hz() : LIVE_TSC_HZ_FALLBACK;
    uint64_t start = tsc_read(), ticks = hz / US_PER_S * LIVE_IDLE_US;
    while (tsc_read() - start < ticks)
        __asm__ volatile("pause");
}

/* ---- sending ---------------------------------------------------------------------- */

static void send(enum live_type type, const char *json, size_t len)
{
    uint32_t n = live_frame_encode(type, live.tx_seq++, json, (uint32_t)len, tx_frame,
                                   sizeof tx_frame);
    if (live.mode == LIVE_ON && n && !com2_write(tx_frame, n)) {
        kprintf("live: COM2 stopped draining while sending; live mode off\n");
        live.mode = LIVE_LOST;
    }
}

/* Starts a JSON document in tx_json; send_json ends and sends it. */
static void json_start(struct json_out *j, struct text_buf *t)
{
    text_init(t, tx_json, sizeof tx_json);
    json_init(j, text_sink, t);
    json_begin_object(j);
}

static void send_json(enum live_type type, struct json_out *j, struct text_buf *t)
{
    json_end_object(j);
    if (!json_finish(j) || t->overflow) {
        kprintf("live: frame type 0x%02x: JSON over %u bytes or misused; not sent\n",
                (unsigned)type, (unsigned)sizeof tx_json);
        return;
    }
    send(type, t->buf, t->len);
}

static void send_hello(void)
{
    const struct cpu_info *c = cpu_info();
    char build_id[sizeof kernel_image_header.build_id + 1];
    memcpy(build_id, kernel_image_header.build_id, sizeof kernel_image_header.build_id);
    build_id[sizeof kernel_image_header.build_id] = 0;
    struct json_out j;
    struct text_buf t;
    json_start(&j, &t);
    json_key_str(&j, "vendor", c->vendor);
    json_key_u64(&j, "family", c->family);
    json_key_u64(&j, "model", c->model);
    json_key_u64(&j, "stepping", c->stepping);
    json_key_hex32(&j, "signature", c->signature);
    json_key(&j, "features");
    json_begin_array(&j);
    for (int f = 0; f < CPU_FEAT_COUNT; f++)
        if (cpu_has((enum cpu_feature)f))
            json_str(&j, cpu_feature_name((enum cpu_feature)f));
    json_end_array(&j);
    json_key_bool(&j, "sse_enabled", c->sse_enabled);
    json_key_str(&j, "build_id", build_id);
    json_key_u64(&j, "max_payload", LIVE_MAX_PAYLOAD);
    json_key_u64(&j, "max_candidates", PLANNER_MAX_CANDIDATES);    /* a module's slot */
    json_key(&j, "modules");
    json_begin_array(&j);
    for (uint32_t i = 0; i < suite_registry_count; i++)
        if (suite_runs_module(suite_registry[i].name))
            json_str(&j, suite_registry[i].name);
    json_end_array(&j);
    send_json(LIVE_T_HELLO, &j, &t);
}

static void send_profile(const struct suite_result *results, uint32_t n, bool done)
{
    struct json_out j;
    struct text_buf t;
    json_start(&j, &t);
    json_key_bool(&j, "done", done);
    json_key_str(&j, "clock", tsc_clock_name(tsc_clock_mode()));
    json_key(&j, "modules");
    json_begin_array(&j);
    for (uint32_t i = 0; i < n; i++) {
        const struct suite_result *r = &results[i];
        json_begin_object(&j);
        json_key_str(&j, "name", r->entry->name);
        json_key_u64(&j, "calls", r->adaptive ? r->adaptive->calls : r->calls);
        json_key_u64(&j, "median", r->median);
        json_key_str(&j, "status", suite_status_name(r->status));
        json_key_str(&j, "source", r->source);
        json_end_object(&j);
    }
    json_end_array(&j);
    send_json(LIVE_T_PROFILE, &j, &t);
}

/* ACK (err == LIVE_OK) or NAK for the host's frame seq. */
static void answer(enum live_err err, const struct live_rx_out *o, const char *module,
                   const char *detail)
{
    struct json_out j;
    struct text_buf t;
    json_start(&j, &t);
    json_key(&j, "seq");
    if (o->has_seq)
        json_u64(&j, o->seq);
    else
        json_null(&j);
    json_key_str(&j, "module", module && module[0] ? module : NULL);
    json_key_str(&j, "reason", live_strerror(err));
    json_key_str(&j, "detail", detail);
    send_json(err == LIVE_OK ? LIVE_T_ACK : LIVE_T_NAK, &j, &t);
}

/* ---- receiving -------------------------------------------------------------------- */

static void reject(enum live_err err, const struct live_rx_out *o, const char *module,
                   const char *detail)
{
    live.rejected++;
    live.reasons[err]++;
    if (o->has_seq)
        kprintf("live: rejected frame seq %u: %s: %s\n", (unsigned)o->seq, live_strerror(err),
                detail);
    else
        kprintf("live: rejected frame: %s: %s\n", live_strerror(err), detail);
    answer(err, o, module, detail);
}

static int log_only_offer(const char *module, const uint8_t *bytes, uint32_t size,
                          const char *origin)
{
    (void)bytes;
    kprintf("live: offer of %s (%u bytes, from %s) logged; no planner registered\n", module,
            (unsigned)size, origin);
    return 0;
}

static const struct live_offer_handler log_only = {"log-only", log_only_offer, NULL};

void live_register_offer(const struct live_offer_handler *h)
{
    live.handler = h;
}

/* The registry index of module name, or -1 (no per-module count kept past SUITE_MAX_MODULES). */
static int module_slot(const char *name)
{
    for (uint32_t i = 0; i < suite_registry_count && i < SUITE_MAX_MODULES; i++)
        if (strcmp(suite_registry[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void on_variant(const struct live_rx_out *o)
{
    char name[LIVE_VARIANT_NAME_LEN], detail[LIVE_DETAIL_LEN];
    const uint8_t *mod = NULL;
    uint32_t size = 0;
    live.variants++;
    enum live_err err = live_check_variant(o->payload, o->length, live.cpu_features,
                                           suite_runs_module, name, &mod, &size, detail,
                                           sizeof detail);
    int slot = module_slot(name);
    if (slot >= 0)
        live.mod_received[slot]++;
    if (err != LIVE_OK) {
        if (slot >= 0)
            live.mod_rejected[slot]++;
        reject(err, o, name, detail);
        return;
    }
    const struct live_offer_handler *h = live.handler ? live.handler : &log_only;
    int code = h->offer(name, mod, size, LIVE_ORIGIN);
    if (code != 0) {
        char why[LIVE_DETAIL_LEN];
        fmt_snprintf(why, sizeof why, "%s refused it: %s", h->name,
                     h->reason ? h->reason(code) : "no reason given");
        if (slot >= 0)
            live.mod_rejected[slot]++;
        reject(LIVE_E_REFUSED, o, name, why);
        return;
    }
    if (slot >= 0)
        live.mod_accepted[slot]++;
    live.accepted++;
    kprintf("live: accepted frame seq %u: %s\n", (unsigned)o->seq, detail);
    answer(LIVE_OK, o, name, detail);
}

static void on_event(enum live_rx_event ev, const struct live_rx_out *o)
{
    if (ev == LIVE_RX_NONE)
        return;
    live.frames++;
    if (o->skipped) {
        live.garbage_bytes += o->skipped;
        kprintf("live: skipped %u bytes of garbage before a frame\n", (unsigned)o->skipped);
    }
    if (ev == LIVE_RX_REJECT) {
        char detail[LIVE_DETAIL_LEN];
        live_format_reject(o, detail, sizeof detail);
        reject(o->err, o, NULL, detail);
    } else if (o->type == LIVE_T_VARIANT) {
        on_variant(o);
    } else {
        kprintf("live: host said BYE (seq %u); not listening any more\n", (unsigned)o->seq);
        live.mode = LIVE_DONE;
    }
}

/* Takes bytes for at most budget ticks; returns early when the line has been quiet for
 * LIVE_QUIET_MS between frames (unless wait_idle: then it listens the whole budget).
 * The silence inside a frame is measured only while listening here, never across a
 * module's run. */
static void listen(uint64_t budget, bool wait_idle)
{
    struct live_rx_out o;
    uint64_t start = tsc_read(), last = start, gap = ms_to_ticks(LIVE_GAP_MS);
    uint64_t quiet = ms_to_ticks(LIVE_QUIET_MS);
    com2_listen(true);
    while (live.mode == LIVE_ON) {
        uint64_t now = tsc_read();
        int b = com2_poll_rx();
        if (b >= 0) {
            on_event(live_rx_feed(&rx, (uint8_t)b, &o), &o);
            last = now;
        } else if (live_rx_busy(&rx) && now - last > gap) {
            on_event(live_rx_timeout(&rx, &o), &o);
        } else if (!live_rx_busy(&rx) && !wait_idle && now - last > quiet) {
            break;
        } else {
            idle_wait();
        }
        if (now - start > budget)
            break;      /* a frame still arriving goes on at the next poll */
    }
    com2_listen(false);
}

void live_poll(uint32_t cpu_features, const struct suite_result *results, uint32_t n)
{
    if (live.mode != LIVE_ON)
        return;
    live.cpu_features = cpu_features;
    send_profile(results, n, false);
    listen(ms_to_ticks(LIVE_POLL_BUDGET_MS), false);
    live.results = results;
    live.result_count = n;
}

void live_run_begin(const char *name, uint32_t planned_calls, uint32_t seconds)
{
    live.run_name = name;
    live.run_planned = planned_calls;
    live.run_seconds = seconds;
    live.run_frames_before = live.frames;
    live.run_start = live.last_progress = tsc_read();
}

void live_run_end(struct live_module_counts *out)
{
    int slot = live.run_name ? module_slot(live.run_name) : -1;
    *out = (struct live_module_counts){live.frames - live.run_frames_before, 0, 0, 0};
    if (slot >= 0) {
        out->received = live.mod_received[slot];
        out->accepted = live.mod_accepted[slot];
        out->rejected = live.mod_rejected[slot];
    }
    live.run_name = NULL;
}

/* The mid-run PROFILE: {"done": false, "clock": ..., "running": {...}}, in a buffer of its
 * own so its size bound (LIVE_PROGRESS_JSON_MAX) holds whatever the suite's other frames
 * need. */
static void send_progress(const struct suite_result *r, uint32_t calls, uint64_t now)
{
    struct live_progress p;
    struct json_out j;
    struct text_buf t;
    uint64_t per_ms = ms_to_ticks(1);
    live_progress_fill(&p, r, calls);
    p.planned_calls = live.run_planned;
    p.seconds = live.run_seconds;
    p.elapsed_ms = per_ms ? (now - live.run_start) / per_ms : 0;
    text_init(&t, progress_json, sizeof progress_json);
    json_init(&j, text_sink, &t);
    json_begin_object(&j);
    json_key_bool(&j, "done", false);
    json_key_str(&j, "clock", tsc_clock_name(tsc_clock_mode()));
    live_progress_write(&j, &p);
    json_end_object(&j);
    if (!json_finish(&j) || t.overflow) {
        kprintf("live: mid-run PROFILE of %s: JSON over %u bytes; not sent\n", p.name,
                (unsigned)sizeof progress_json);
        return;
    }
    send(LIVE_T_PROFILE, t.buf, t.len);
}

void live_poll_between_calls(uint32_t cpu_features, const struct suite_result *r,
                             uint32_t calls)
{
    if (live.mode != LIVE_ON)
        return;
    uint64_t now = tsc_read();
    if (r && r->adaptive && live.run_name &&
        live_progress_due(now, live.last_progress, ms_to_ticks(LIVE_PROGRESS_MS))) {
        live.last_progress = now;
        send_progress(r, calls, now);
    }
    if (now - live.last_call_poll < ms_to_ticks(LIVE_CALL_POLL_MS))
        return;
    live.last_call_poll = now;
    if (!com2_rx_ready())
        return;
    live.cpu_features = cpu_features;
    listen(ms_to_ticks(LIVE_POLL_BUDGET_MS), false);
}

/* ---- the stages ------------------------------------------------------------------- */

bool live_stage(void)
{
    const char *opt = cmdline_value("live");
    live_rx_init(&rx);
    if (opt && strcmp(opt, "0") == 0) {
        live.mode = LIVE_OFF_OPTION;
        kprintf("live: off (live=0)\n");
        return true;
    }
    if (!com2_init()) {
        live.mode = LIVE_OFF_NO_PORT;
        kprintf("live: no UART answers at COM2; live mode off\n");
        return true;
    }
    live.mode = LIVE_ON;
    kprintf("live: COM2 up, 115200 8N1; frames of at most %u payload bytes\n",
            (unsigned)LIVE_MAX_PAYLOAD);
    send_hello();
    return true;
}

/* live.linger=MS: decimal, at most LIVE_LINGER_MAX_MS; anything else is said and ignored. */
static uint32_t linger_ms(void)
{
    const char *v = cmdline_value("live.linger");
    uint64_t ms = 0;
    if (!v)
        return 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || (ms = ms * 10 + (uint64_t)(*p - '0')) > LIVE_LINGER_MAX_MS) {
            kprintf("live: live.linger=%s is not a number of ms in 0..%u; ignored\n", v,
                    (unsigned)LIVE_LINGER_MAX_MS);
            return 0;
        }
    }
    return (uint32_t)ms;
}

static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
}

/* The one-line summary on COM1: {"live": {...}}. */
static void print_summary(void)
{
    struct json_out j;
    json_init(&j, console_sink, NULL);
    json_begin_object(&j);
    json_key(&j, "live");
    json_begin_object(&j);
    json_key_str(&j, "state", mode_names[live.mode]);
    json_key_str(&j, "handler", live.handler ? live.handler->name : log_only.name);
    json_key_u64(&j, "frames", live.frames);
    json_key_u64(&j, "received", live.variants);
    json_key_u64(&j, "accepted", live.accepted);
    json_key_u64(&j, "rejected", live.rejected);
    json_key_u64(&j, "garbage_bytes", live.garbage_bytes);
    json_key(&j, "reasons");
    json_begin_object(&j);
    for (int e = LIVE_OK + 1; e < LIVE_E_COUNT; e++)
        if (live.reasons[e])
            json_key_u64(&j, live_strerror((enum live_err)e), live.reasons[e]);
    json_end_object(&j);
    json_end_object(&j);
    json_end_object(&j);
    if (!json_finish(&j))
        kprintf("live: summary JSON writer misuse (bug in kernel/bench/live.c)\n");
}

bool live_end_stage(void)
{
    if (live.mode == LIVE_ON) {
        uint32_t ms = linger_ms();
        send_profile(live.results, live.result_count, true);
        if (ms)
            kprintf("live: listening %u ms more for the host (live.linger)\n", (unsigned)ms);
        listen(ms_to_ticks(ms ? ms : LIVE_POLL_BUDGET_MS), ms != 0);
    }
    if (live.mode != LIVE_OFF_OPTION && live.mode != LIVE_OFF_NO_PORT)
        kprintf("live: %u frames, %u variants received, %u accepted, %u rejected, "
                "%u garbage bytes\n", (unsigned)live.frames, (unsigned)live.variants,
                (unsigned)live.accepted, (unsigned)live.rejected, (unsigned)live.garbage_bytes);
    print_summary();
    return true;
}
