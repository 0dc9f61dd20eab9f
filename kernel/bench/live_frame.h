/* The live line's frame protocol (docs/live.md): the framing shared by the kernel and the host
 * loop (tools/fluid/pgo/live.py reads these constants through boot/asm-offsets.c), a
 * byte-at-a-time receiver that resynchronises on the magic after garbage and rejects each bad
 * frame with its value, and the check of a VARIANT payload. Pure C with no I/O and no
 * allocation: the kernel (kernel/bench/live.c), the host tests and the fuzz target use it.
 *
 * A frame, every integer little-endian:
 *   0  u32 magic      LIVE_MAGIC ("FLIV")
 *   4  u8  version    LIVE_VERSION
 *   5  u8  type       enum live_type
 *   6  u16 reserved   0
 *   8  u32 seq        the sender's frame counter (echoed in ACK/NAK)
 *  12  u32 length     payload bytes, at most LIVE_MAX_PAYLOAD
 *  16  payload
 *  16+length u32 crc  CRC-32/ISO-HDLC over the header and the payload */
#ifndef FLUID_KERNEL_LIVE_FRAME_H
#define FLUID_KERNEL_LIVE_FRAME_H

#include <fluid/module.h>
#include <fluid/types.h>

#define LIVE_MAGIC          0x56494C46u     /* the bytes "FLIV" read as a little-endian u32 */
#define LIVE_MAGIC_SIZE     4
#define LIVE_VERSION        1
#define LIVE_HEADER_SIZE    16
#define LIVE_CRC_SIZE       4
#define LIVE_MAX_PAYLOAD    (64u * 1024u)   /* the built modules are a few KiB each */
#define LIVE_MAX_FRAME      (LIVE_HEADER_SIZE + LIVE_MAX_PAYLOAD + LIVE_CRC_SIZE)
/* Header field offsets (bytes from the frame's start). */
#define LIVE_OFF_MAGIC      0
#define LIVE_OFF_VERSION    4
#define LIVE_OFF_TYPE       5
#define LIVE_OFF_RESERVED   6
#define LIVE_OFF_SEQ        8
#define LIVE_OFF_LENGTH     12
/* The kernel's timing (kernel/bench/live.c), which a host must respect: one poll listens at
 * most LIVE_POLL_BUDGET_MS while bytes keep coming, and a frame whose bytes stop for
 * LIVE_GAP_MS while the kernel listens is rejected as truncated. */
#define LIVE_POLL_BUDGET_MS 1000
#define LIVE_GAP_MS         250
/* A VARIANT payload: the module it is for, NUL-padded, then the .mod file. */
#define LIVE_VARIANT_NAME_LEN FLUID_MOD_NAME_LEN

/* Frame types: kernel -> host below 0x80, host -> kernel from 0x80. */
enum live_type {
    LIVE_T_HELLO   = 0x01,  /* JSON: CPU signature and features, build id, modules */
    LIVE_T_PROFILE = 0x02,  /* JSON: per-module calls and median cycles so far */
    LIVE_T_ACK     = 0x03,  /* JSON: a VARIANT accepted {seq, module, ...} */
    LIVE_T_NAK     = 0x04,  /* JSON: a frame refused {seq, reason, detail} */
    LIVE_T_VARIANT = 0x81,  /* module name + .mod file */
    LIVE_T_BYE     = 0x82,  /* the host is done: the kernel stops listening */
};

/* Every result of the live subsystem; live_strerror names each one (the NAK's reason). */
enum live_err {
    LIVE_OK = 0,
    LIVE_E_VERSION,         /* version is not LIVE_VERSION */
    LIVE_E_TYPE,            /* not a host -> kernel type */
    LIVE_E_RESERVED,        /* reserved header field not 0 */
    LIVE_E_LENGTH,          /* length over LIVE_MAX_PAYLOAD */
    LIVE_E_CRC,             /* CRC-32 does not match header and payload */
    LIVE_E_TRUNCATED,       /* the line went silent inside a frame */
    LIVE_E_PAYLOAD,         /* a payload too short for its type */
    LIVE_E_NAME,            /* VARIANT: the module name is empty, unterminated or not run */
    LIVE_E_MODULE,          /* VARIANT: the module loader refused the .mod file */
    LIVE_E_OTHER_MODULE,    /* VARIANT: the .mod file is another module's code */
    LIVE_E_REFUSED,         /* VARIANT: the registered handler refused it */
    LIVE_E_COUNT            /* number of values above; not a result */
};

/* A short stable name ("bad_crc", ...); "unknown live error" outside the enum. */
const char *live_strerror(enum live_err err);

/* Writes one frame into out[0..cap): header, payload, CRC. Returns its size, or 0 if
 * len > LIVE_MAX_PAYLOAD or cap is too small. */
uint32_t live_frame_encode(enum live_type type, uint32_t seq, const void *payload, uint32_t len,
                           uint8_t *out, uint32_t cap);

/* The receiver. Feed it every byte read from the line, and live_rx_timeout when the line
 * has been silent for the caller's inter-byte limit. */
enum live_rx_state { LIVE_RX_HUNT, LIVE_RX_HEADER, LIVE_RX_BODY };

struct live_rx {
    enum live_rx_state state;
    uint32_t have;                  /* bytes of the current frame in buf (magic included) */
    uint32_t need;                  /* frame size once the header is read */
    uint32_t skipped;               /* garbage bytes dropped since the last event */
    uint8_t buf[LIVE_MAX_FRAME];    /* the current frame */
};

enum live_rx_event {
    LIVE_RX_NONE,           /* nothing complete yet */
    LIVE_RX_FRAME,          /* a valid frame: see struct live_rx_out */
    LIVE_RX_REJECT,         /* a bad frame: err and its values */
};

/* What an event carries. For LIVE_RX_REJECT, got/expected are the bad value and the rule's
 * value (version, type, reserved, length, CRC, bytes received of a truncated frame);
 * has_seq tells whether seq was read before the rejection. payload points into the receiver
 * and is valid until the next feed. skipped: garbage bytes before this frame. */
struct live_rx_out {
    enum live_err err;
    uint8_t type;
    uint32_t seq;
    bool has_seq;
    const uint8_t *payload;
    uint32_t length;
    uint64_t got, expected;
    uint32_t skipped;
};

void live_rx_init(struct live_rx *rx);
enum live_rx_event live_rx_feed(struct live_rx *rx, uint8_t byte, struct live_rx_out *out);
/* The line went silent: a frame in progress is rejected as LIVE_E_TRUNCATED (got = bytes
 * received, expected = the frame's size, 0 if its header was incomplete). */
enum live_rx_event live_rx_timeout(struct live_rx *rx, struct live_rx_out *out);
/* True while a frame has started and is not complete. */
bool live_rx_busy(const struct live_rx *rx);

/* Checks a VARIANT payload: a terminated [a-z0-9_] name that runs_module(name) accepts, then
 * the .mod file by every rule of the module loader with the CPU's features, and its header's
 * name equal to that name. On LIVE_OK, *mod points at the .mod bytes (*mod_size of them) and
 * name[] holds the module. On failure, detail gets a one-line reason with the bad value. */
enum live_err live_check_variant(const uint8_t *payload, uint32_t length, uint32_t cpu_features,
                                 bool (*runs_module)(const char *name),
                                 char name[LIVE_VARIANT_NAME_LEN], const uint8_t **mod,
                                 uint32_t *mod_size, char *detail, size_t detail_cap);

/* Words a receiver rejection: "bad CRC-32 0x1234abcd (computed 0x0badf00d)". */
size_t live_format_reject(const struct live_rx_out *o, char *buf, size_t cap);

#endif
