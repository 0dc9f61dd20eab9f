/* The live line's frames (contract in live_frame.h): encoding, the byte-at-a-time receiver and
 * the check of a VARIANT payload. Every length comes off the wire, so the header is checked
 * field by field before a single payload byte is stored, and sizes are compared in 64-bit
 * arithmetic. Portable: no I/O besides what the caller feeds in. */
#include "kernel/bench/live_frame.h"

#include <string.h>

#include "kernel/bench/module_loader.h"
#include "kernel/core/format.h"
#include "kernel/lib/bytes.h"
#include "kernel/lib/crc32.h"

static const char *const live_err_names[LIVE_E_COUNT] = {
    [LIVE_OK] = "ok",
    [LIVE_E_VERSION] = "bad_version",
    [LIVE_E_TYPE] = "bad_type",
    [LIVE_E_RESERVED] = "bad_reserved",
    [LIVE_E_LENGTH] = "too_long",
    [LIVE_E_CRC] = "bad_crc",
    [LIVE_E_TRUNCATED] = "truncated",
    [LIVE_E_PAYLOAD] = "short_payload",
    [LIVE_E_NAME] = "bad_module_name",
    [LIVE_E_MODULE] = "bad_module",
    [LIVE_E_OTHER_MODULE] = "other_module",
    [LIVE_E_REFUSED] = "refused",
};

const char *live_strerror(enum live_err err)
{
    return (unsigned)err < LIVE_E_COUNT ? live_err_names[err] : "unknown live error";
}

uint32_t live_frame_encode(enum live_type type, uint32_t seq, const void *payload, uint32_t len,
                           uint8_t *out, uint32_t cap)
{
    uint64_t total = (uint64_t)LIVE_HEADER_SIZE + len + LIVE_CRC_SIZE;
    if (len > LIVE_MAX_PAYLOAD || total > cap)
        return 0;
    st32(out + LIVE_OFF_MAGIC, LIVE_MAGIC);
    out[LIVE_OFF_VERSION] = LIVE_VERSION;
    out[LIVE_OFF_TYPE] = (uint8_t)type;
    st16(out + LIVE_OFF_RESERVED, 0);
    st32(out + LIVE_OFF_SEQ, seq);
    st32(out + LIVE_OFF_LENGTH, len);
    if (len)
        memcpy(out + LIVE_HEADER_SIZE, payload, len);
    st32(out + LIVE_HEADER_SIZE + len, crc32_iso_hdlc(out, LIVE_HEADER_SIZE + len));
    return (uint32_t)total;
}

void live_rx_init(struct live_rx *rx)
{
    rx->state = LIVE_RX_HUNT;
    rx->have = rx->need = rx->skipped = 0;
}

bool live_rx_busy(const struct live_rx *rx)
{
    return rx->state != LIVE_RX_HUNT || rx->have > 0;
}

static uint8_t magic_byte(uint32_t i)
{
    return (uint8_t)(LIVE_MAGIC >> (8 * i));
}

/* Ends the current frame with an event; the receiver hunts for the next magic. */
static enum live_rx_event finish(struct live_rx *rx, struct live_rx_out *out,
                                 enum live_err err, uint64_t got, uint64_t expected)
{
    bool seq_read = rx->have >= LIVE_OFF_SEQ + 4;
    *out = (struct live_rx_out){
        .err = err, .type = rx->have > LIVE_OFF_TYPE ? rx->buf[LIVE_OFF_TYPE] : 0,
        .seq = seq_read ? ld32(rx->buf + LIVE_OFF_SEQ) : 0, .has_seq = seq_read,
        .got = got, .expected = expected, .skipped = rx->skipped,
    };
    if (err == LIVE_OK) {
        out->payload = rx->buf + LIVE_HEADER_SIZE;
        out->length = rx->need - LIVE_HEADER_SIZE - LIVE_CRC_SIZE;
    }
    rx->state = LIVE_RX_HUNT;
    rx->have = rx->need = rx->skipped = 0;
    return err == LIVE_OK ? LIVE_RX_FRAME : LIVE_RX_REJECT;
}

/* The header is complete: one rule per field, in the order of the layout. */
static enum live_rx_event check_header(struct live_rx *rx, struct live_rx_out *out)
{
    const uint8_t *h = rx->buf;
    uint8_t type = h[LIVE_OFF_TYPE];
    uint32_t len = ld32(h + LIVE_OFF_LENGTH);
    if (h[LIVE_OFF_VERSION] != LIVE_VERSION)
        return finish(rx, out, LIVE_E_VERSION, h[LIVE_OFF_VERSION], LIVE_VERSION);
    if (type != LIVE_T_VARIANT && type != LIVE_T_BYE)       /* the host's types only */
        return finish(rx, out, LIVE_E_TYPE, type, LIVE_T_VARIANT);
    if (ld16(h + LIVE_OFF_RESERVED) != 0)
        return finish(rx, out, LIVE_E_RESERVED, ld16(h + LIVE_OFF_RESERVED), 0);
    if (len > LIVE_MAX_PAYLOAD)
        return finish(rx, out, LIVE_E_LENGTH, len, LIVE_MAX_PAYLOAD);
    rx->need = LIVE_HEADER_SIZE + len + LIVE_CRC_SIZE;   /* <= LIVE_MAX_FRAME */
    rx->state = LIVE_RX_BODY;
    return LIVE_RX_NONE;
}

/* Matches the magic one byte at a time. A mismatch drops the bytes matched so far as
 * garbage, except that the byte itself may start a new magic. */
static void hunt(struct live_rx *rx, uint8_t byte)
{
    if (byte == magic_byte(rx->have)) {
        rx->buf[rx->have++] = byte;
        if (rx->have == LIVE_MAGIC_SIZE)
            rx->state = LIVE_RX_HEADER;
        return;
    }
    rx->skipped += rx->have;
    rx->have = 0;
    if (byte == magic_byte(0))
        rx->buf[rx->have++] = byte;
    else
        rx->skipped++;
}

enum live_rx_event live_rx_feed(struct live_rx *rx, uint8_t byte, struct live_rx_out *out)
{
    if (rx->state == LIVE_RX_HUNT) {
        hunt(rx, byte);
        return LIVE_RX_NONE;
    }
    rx->buf[rx->have++] = byte;     /* have < need <= LIVE_MAX_FRAME in HEADER and BODY */
    if (rx->state == LIVE_RX_HEADER)
        return rx->have == LIVE_HEADER_SIZE ? check_header(rx, out) : LIVE_RX_NONE;
    if (rx->have < rx->need)
        return LIVE_RX_NONE;
    uint32_t body = rx->need - LIVE_CRC_SIZE;
    uint32_t want = ld32(rx->buf + body), crc = crc32_iso_hdlc(rx->buf, body);
    return finish(rx, out, want == crc ? LIVE_OK : LIVE_E_CRC, want, crc);
}

enum live_rx_event live_rx_timeout(struct live_rx *rx, struct live_rx_out *out)
{
    if (!live_rx_busy(rx))
        return LIVE_RX_NONE;
    return finish(rx, out, LIVE_E_TRUNCATED, rx->have, rx->need);
}

size_t live_format_reject(const struct live_rx_out *o, char *buf, size_t cap)
{
    unsigned long long got = o->got, exp = o->expected;
    switch (o->err) {
    case LIVE_E_VERSION:
        return fmt_snprintf(buf, cap, "version %llu (supported %llu)", got, exp);
    case LIVE_E_TYPE:
        return fmt_snprintf(buf, cap, "type 0x%02llx is not a host frame type", got);
    case LIVE_E_RESERVED:
        return fmt_snprintf(buf, cap, "reserved field 0x%04llx (must be 0)", got);
    case LIVE_E_LENGTH:
        return fmt_snprintf(buf, cap, "payload length %llu over the maximum %llu", got, exp);
    case LIVE_E_CRC:
        return fmt_snprintf(buf, cap, "bad CRC-32 0x%08llx (computed 0x%08llx)", got, exp);
    case LIVE_E_TRUNCATED:
        if (exp == 0)
            return fmt_snprintf(buf, cap, "line silent after %llu bytes of a frame header",
                                got);
        return fmt_snprintf(buf, cap, "line silent after %llu of %llu bytes", got, exp);
    default:
        return fmt_snprintf(buf, cap, "%s", live_strerror(o->err));
    }
}

/* The name field: terminated within its bytes, [a-z0-9_], not empty. */
static bool name_ok(const uint8_t *p, char name[LIVE_VARIANT_NAME_LEN])
{
    size_t n = 0;
    while (n < LIVE_VARIANT_NAME_LEN && p[n])
        n++;
    if (n == 0 || n == LIVE_VARIANT_NAME_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = (char)p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
        name[i] = c;
    }
    name[n] = 0;
    return true;
}

enum live_err live_check_variant(const uint8_t *payload, uint32_t length, uint32_t cpu_features,
                                 bool (*runs_module)(const char *name),
                                 char name[LIVE_VARIANT_NAME_LEN], const uint8_t **mod,
                                 uint32_t *mod_size, char *detail, size_t detail_cap)
{
    name[0] = 0;
    if (length <= LIVE_VARIANT_NAME_LEN) {
        fmt_snprintf(detail, detail_cap, "VARIANT payload of %u bytes: no room for a module "
                     "name (%u bytes) and a .mod file", (unsigned)length,
                     (unsigned)LIVE_VARIANT_NAME_LEN);
        return LIVE_E_PAYLOAD;
    }
    if (!name_ok(payload, name)) {
        name[0] = 0;
        fmt_snprintf(detail, detail_cap, "module name field is empty, unterminated or "
                     "outside [a-z0-9_]");
        return LIVE_E_NAME;
    }
    if (!runs_module(name)) {
        fmt_snprintf(detail, detail_cap, "module %s is not one this suite runs", name);
        return LIVE_E_NAME;
    }
    struct mod_info info;
    struct mod_diag d = {MOD_OK, 0, 0};
    char label[LIVE_VARIANT_NAME_LEN + sizeof "variant for "];
    const uint8_t *file = payload + LIVE_VARIANT_NAME_LEN;
    uint32_t size = length - LIVE_VARIANT_NAME_LEN;
    fmt_snprintf(label, sizeof label, "variant for %s", name);
    if (mod_check(file, size, cpu_features, &info, &d) != MOD_OK) {
        mod_format_error(label, &d, detail, detail_cap);
        return LIVE_E_MODULE;
    }
    if (strcmp(info.name, name) != 0) {
        fmt_snprintf(detail, detail_cap, "variant for %s holds module %s's code", name,
                     info.name);
        return LIVE_E_OTHER_MODULE;
    }
    *mod = file;
    *mod_size = size;
    fmt_snprintf(detail, detail_cap, "%s, %u bytes, flags \"%s\"", name, (unsigned)size,
                 info.cflags);
    return LIVE_OK;
}
