/* Host tests of the live line's frames (kernel/bench/live_frame.c): encode and receive round
 * trips at every payload size class, the receiver's resynchronisation after garbage, one test
 * per rejection (bad CRC, over-long length, version, type, reserved, truncation at every
 * byte), that no single-bit flip of a frame is ever taken as a frame, random streams, and the
 * VARIANT check against the modules tools/mkmod.py built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/live_frame.h"
#include "kernel/lib/bytes.h"

#define CHECKF(cond, ...)                                                   \
    do {                                                                    \
        if (!(cond)) CHECK_FAIL_(__VA_ARGS__);                              \
    } while (0)

#define RANDOM_ROUNDS   200
#define RANDOM_BYTES    4096
#define MOD_FILE_MAX    (1u << 20)
#define DETAIL_LEN      160

static struct live_rx rx;
static uint8_t frame[LIVE_MAX_FRAME + 64];
static uint8_t payload[LIVE_MAX_PAYLOAD + 1];

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Feeds bytes; returns the last event that was not NONE (NONE if there was none) and
 * counts the events in *events. */
static enum live_rx_event feed_all(const uint8_t *p, size_t n, struct live_rx_out *out,
                                   int *events)
{
    enum live_rx_event last = LIVE_RX_NONE;
    struct live_rx_out o;
    for (size_t i = 0; i < n; i++) {
        enum live_rx_event ev = live_rx_feed(&rx, p[i], &o);
        if (ev != LIVE_RX_NONE) {
            last = ev;
            *out = o;
            if (events)
                (*events)++;
        }
    }
    return last;
}

TEST(round_trip_every_size_class)
{
    static const uint32_t sizes[] = {0, 1, 3, 16, 1000, LIVE_MAX_PAYLOAD - 1, LIVE_MAX_PAYLOAD};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (uint32_t i = 0; i < sizes[k]; i++)
            payload[i] = (uint8_t)rng();
        uint32_t n = live_frame_encode(LIVE_T_VARIANT, 7 + (uint32_t)k, payload, sizes[k],
                                       frame, sizeof frame);
        REQUIRE(n == LIVE_HEADER_SIZE + sizes[k] + LIVE_CRC_SIZE, "size %u", sizes[k]);
        live_rx_init(&rx);
        struct live_rx_out o;
        int events = 0;
        CHECK(feed_all(frame, n, &o, &events) == LIVE_RX_FRAME);
        CHECK(events == 1);
        CHECK(o.err == LIVE_OK && o.type == LIVE_T_VARIANT && o.seq == 7 + k && o.has_seq);
        CHECK(o.length == sizes[k] && memcmp(o.payload, payload, sizes[k]) == 0);
        CHECK(!live_rx_busy(&rx));
    }
}

TEST(encode_refuses_what_does_not_fit)
{
    CHECK(live_frame_encode(LIVE_T_BYE, 1, payload, LIVE_MAX_PAYLOAD + 1, frame,
                            sizeof frame) == 0);
    CHECK(live_frame_encode(LIVE_T_BYE, 1, payload, 10, frame,
                            LIVE_HEADER_SIZE + 10 + LIVE_CRC_SIZE - 1) == 0);
    CHECK(live_frame_encode(LIVE_T_BYE, 1, NULL, 0, frame, LIVE_HEADER_SIZE + LIVE_CRC_SIZE) ==
          LIVE_HEADER_SIZE + LIVE_CRC_SIZE);
}

/* Garbage, including broken starts of the magic, is skipped and counted; the frame after it
 * is received whole. */
TEST(resynchronises_after_garbage)
{
    static const uint8_t garbage[] = {0x00, 'F', 'L', 'I', 'x', 'F', 'F', 'L', 0xFF, 'I', 'V',
                                      'F', 'L', 'I', 'F', 'F'};
    uint32_t n = live_frame_encode(LIVE_T_BYE, 3, NULL, 0, frame, sizeof frame);
    live_rx_init(&rx);
    struct live_rx_out o;
    int events = 0;
    CHECK(feed_all(garbage, sizeof garbage, &o, &events) == LIVE_RX_NONE);
    CHECK(feed_all(frame, n, &o, &events) == LIVE_RX_FRAME);
    CHECK(events == 1 && o.type == LIVE_T_BYE && o.seq == 3);
    CHECK_EQ_U64(o.skipped, sizeof garbage);
}

/* One valid frame with a header field replaced; the CRC is recomputed so only the field
 * rule can refuse it. */
static uint32_t forged(uint32_t off, uint32_t value, int width)
{
    uint32_t n = live_frame_encode(LIVE_T_VARIANT, 9, payload, 8, frame, sizeof frame);
    if (width == 1)
        frame[off] = (uint8_t)value;
    else if (width == 2)
        st16(frame + off, (uint16_t)value);
    else
        st32(frame + off, value);
    return n;
}

static void expect_reject(uint32_t n, enum live_err err, uint64_t got, const char *text)
{
    live_rx_init(&rx);
    struct live_rx_out o;
    int events = 0;
    CHECK(feed_all(frame, n, &o, &events) == LIVE_RX_REJECT, "%s", live_strerror(err));
    CHECKF(o.err == err, "err %s, expected %s", live_strerror(o.err), live_strerror(err));
    CHECK_EQ_U64(o.got, got);
    CHECK(o.has_seq && o.seq == 9);
    char msg[DETAIL_LEN];
    live_format_reject(&o, msg, sizeof msg);
    CHECKF(strstr(msg, text) != NULL, "\"%s\" lacks \"%s\"", msg, text);
    /* the receiver goes on: a valid frame right after is taken */
    uint32_t m = live_frame_encode(LIVE_T_BYE, 10, NULL, 0, frame, sizeof frame);
    live_rx_timeout(&rx, &o);
    CHECK(feed_all(frame, m, &o, &events) == LIVE_RX_FRAME && o.seq == 10);
}

TEST(each_header_rule)
{
    expect_reject(forged(LIVE_OFF_VERSION, 2, 1), LIVE_E_VERSION, 2, "version 2");
    expect_reject(forged(LIVE_OFF_TYPE, LIVE_T_HELLO, 1), LIVE_E_TYPE, LIVE_T_HELLO, "0x01");
    expect_reject(forged(LIVE_OFF_TYPE, 0x7F, 1), LIVE_E_TYPE, 0x7F, "0x7f");
    expect_reject(forged(LIVE_OFF_RESERVED, 0xBEEF, 2), LIVE_E_RESERVED, 0xBEEF, "0xbeef");
    expect_reject(forged(LIVE_OFF_LENGTH, LIVE_MAX_PAYLOAD + 1, 4), LIVE_E_LENGTH,
                  LIVE_MAX_PAYLOAD + 1, "65537");
    expect_reject(forged(LIVE_OFF_LENGTH, 0xFFFFFFFFu, 4), LIVE_E_LENGTH, 0xFFFFFFFFu,
                  "4294967295");
}

/* An over-long length is refused as soon as the header is in: no payload is waited for. */
TEST(over_long_length_refused_at_the_header)
{
    forged(LIVE_OFF_LENGTH, LIVE_MAX_PAYLOAD + 1, 4);
    live_rx_init(&rx);
    struct live_rx_out o;
    int events = 0;
    CHECK(feed_all(frame, LIVE_HEADER_SIZE, &o, &events) == LIVE_RX_REJECT);
    CHECK(events == 1 && o.err == LIVE_E_LENGTH && !live_rx_busy(&rx));
}

TEST(bad_crc)
{
    uint32_t n = live_frame_encode(LIVE_T_VARIANT, 9, payload, 8, frame, sizeof frame);
    uint32_t good = ld32(frame + n - LIVE_CRC_SIZE);
    st32(frame + n - LIVE_CRC_SIZE, good ^ 0x10);
    live_rx_init(&rx);
    struct live_rx_out o;
    CHECK(feed_all(frame, n, &o, NULL) == LIVE_RX_REJECT);
    CHECK(o.err == LIVE_E_CRC && o.got == (good ^ 0x10) && o.expected == good);
    expect_reject(n, LIVE_E_CRC, good ^ 0x10, "bad CRC-32");
}

/* A frame cut at every byte and followed by silence is refused as truncated with the count
 * of bytes received; silence between frames is no event. */
TEST(truncated_at_every_byte)
{
    struct live_rx_out o;
    uint32_t n = live_frame_encode(LIVE_T_VARIANT, 5, payload, 40, frame, sizeof frame);
    live_rx_init(&rx);
    CHECK(live_rx_timeout(&rx, &o) == LIVE_RX_NONE);
    for (uint32_t cut = 1; cut < n; cut++) {
        live_rx_init(&rx);
        CHECK(feed_all(frame, cut, &o, NULL) == LIVE_RX_NONE);
        CHECK(live_rx_busy(&rx));
        CHECKF(live_rx_timeout(&rx, &o) == LIVE_RX_REJECT, "cut %u", cut);
        CHECK(o.err == LIVE_E_TRUNCATED && o.got == cut);
        CHECK_EQ_U64(o.expected, cut < LIVE_HEADER_SIZE ? 0 : n);
        CHECK(!live_rx_busy(&rx));
    }
}

/* No single-bit flip of a valid frame is ever taken as a frame; after silence, the next
 * valid frame is. */
TEST(no_bit_flip_accepted)
{
    struct live_rx_out o;
    for (uint32_t i = 0; i < 24; i++)
        payload[i] = (uint8_t)rng();
    uint32_t n = live_frame_encode(LIVE_T_VARIANT, 77, payload, 24, frame, sizeof frame);
    static uint8_t copy[LIVE_HEADER_SIZE + 24 + LIVE_CRC_SIZE];
    for (uint32_t bit = 0; bit < n * 8; bit++) {
        memcpy(copy, frame, n);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        live_rx_init(&rx);
        enum live_rx_event ev = feed_all(copy, n, &o, NULL);
        CHECKF(ev != LIVE_RX_FRAME, "bit %u accepted", bit);
        live_rx_timeout(&rx, &o);
        CHECKF(feed_all(frame, n, &o, NULL) == LIVE_RX_FRAME && o.seq == 77, "bit %u", bit);
    }
}

/* Random streams: events are well formed and the receiver never reads or writes out of
 * bounds (ASan). */
TEST(random_streams)
{
    static uint8_t stream[RANDOM_BYTES];
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        for (size_t i = 0; i < sizeof stream; i++)
            stream[i] = (uint8_t)rng();
        if (round % 2) {    /* plant a magic and a small header now and then */
            st32(stream + 100, LIVE_MAGIC);
            stream[100 + LIVE_OFF_VERSION] = LIVE_VERSION;
            stream[100 + LIVE_OFF_TYPE] = LIVE_T_VARIANT;
            st16(stream + 100 + LIVE_OFF_RESERVED, 0);
            st32(stream + 100 + LIVE_OFF_LENGTH, rng() % 64);
        }
        live_rx_init(&rx);
        for (size_t i = 0; i < sizeof stream; i++) {
            struct live_rx_out o;
            enum live_rx_event ev = live_rx_feed(&rx, stream[i], &o);
            CHECK(ev == LIVE_RX_NONE || (o.err < LIVE_E_COUNT &&
                                          (ev == LIVE_RX_FRAME) == (o.err == LIVE_OK)));
        }
    }
}

TEST(strerror_names)
{
    for (int e = 0; e < LIVE_E_COUNT; e++) {
        CHECK(strcmp(live_strerror((enum live_err)e), "unknown live error") != 0);
        for (int f = 0; f < e; f++)
            CHECK(strcmp(live_strerror((enum live_err)e), live_strerror((enum live_err)f)));
    }
    CHECK_STREQ(live_strerror(LIVE_E_COUNT), "unknown live error");
}

/* ---- VARIANT payloads --------------------------------------------------------------- */

static bool runs_sum_and_fft(const char *name)
{
    return strcmp(name, "sum") == 0 || strcmp(name, "fft_1d") == 0;
}

static uint32_t load_module(const char *name, uint8_t *out)
{
    char path[128];
    snprintf(path, sizeof path, "build/modules/O2/%s.mod", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = fread(out, 1, MOD_FILE_MAX - LIVE_VARIANT_NAME_LEN, fp);
    fclose(fp);
    return (uint32_t)n;
}

/* payload = name field + the module file of `file`. */
static uint32_t variant(const char *name, const char *file, uint8_t *out)
{
    memset(out, 0, LIVE_VARIANT_NAME_LEN);
    memcpy(out, name, strlen(name) < LIVE_VARIANT_NAME_LEN ? strlen(name)
                                                           : LIVE_VARIANT_NAME_LEN);
    uint32_t n = load_module(file, out + LIVE_VARIANT_NAME_LEN);
    return n ? n + LIVE_VARIANT_NAME_LEN : 0;
}

static enum live_err check_variant(const uint8_t *p, uint32_t n, uint32_t feats, char *detail)
{
    char name[LIVE_VARIANT_NAME_LEN];
    const uint8_t *mod = NULL;
    uint32_t size = 0;
    enum live_err e = live_check_variant(p, n, feats, runs_sum_and_fft, name, &mod, &size,
                                         detail, DETAIL_LEN);
    if (e == LIVE_OK && (mod != p + LIVE_VARIANT_NAME_LEN || size != n - LIVE_VARIANT_NAME_LEN))
        return LIVE_E_COUNT;    /* a wrong pointer: the test fails on the value */
    return e;
}

TEST(variant_checks)
{
    static uint8_t buf[MOD_FILE_MAX];
    char detail[DETAIL_LEN];
    uint32_t n = variant("sum", "sum", buf);
    REQUIRE(n > 0, "build/modules/O2/sum.mod is missing (make builds it)");
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_OK, "%s", detail);
    CHECK(strstr(detail, "sum") != NULL);
    /* another module's code under this module's name */
    n = variant("fft_1d", "sum", buf);
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_OTHER_MODULE);
    CHECKF(strstr(detail, "holds module sum") != NULL, "%s", detail);
    /* a module the suite does not run */
    n = variant("primes", "primes", buf);
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_NAME);
    CHECKF(strstr(detail, "primes") != NULL, "%s", detail);
    /* name field unterminated, empty, or with a character outside [a-z0-9_] */
    n = variant("sum", "sum", buf);
    memset(buf, 'a', LIVE_VARIANT_NAME_LEN);
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_NAME);
    memset(buf, 0, LIVE_VARIANT_NAME_LEN);
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_NAME);
    memcpy(buf, "Sum", 3);
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_NAME);
    /* too short for a name and a file */
    CHECK(check_variant(buf, LIVE_VARIANT_NAME_LEN, FLUID_FEAT_KNOWN, detail) ==
          LIVE_E_PAYLOAD);
    /* the loader's rules: a body byte changed, a CPU without the module's features */
    n = variant("sum", "sum", buf);
    buf[LIVE_VARIANT_NAME_LEN + sizeof(struct fluid_mod_header)] ^= 0x40;  /* first code byte */
    CHECK(check_variant(buf, n, FLUID_FEAT_KNOWN, detail) == LIVE_E_MODULE);
    CHECKF(strstr(detail, "variant for sum") != NULL, "%s", detail);
    n = variant("sum", "sum", buf);
    CHECK(check_variant(buf, n, 0, detail) == LIVE_E_MODULE);
    /* a file cut short */
    CHECK(check_variant(buf, n - 1, FLUID_FEAT_KNOWN, detail) == LIVE_E_MODULE);
}

int main(void)
{
    check_suite = "test_live_frame";
    RUN(round_trip_every_size_class);
    RUN(encode_refuses_what_does_not_fit);
    RUN(resynchronises_after_garbage);
    RUN(each_header_rule);
    RUN(over_long_length_refused_at_the_header);
    RUN(bad_crc);
    RUN(truncated_at_every_byte);
    RUN(no_bit_flip_accepted);
    RUN(random_streams);
    RUN(strerror_names);
    RUN(variant_checks);
    return check_summary();
}
