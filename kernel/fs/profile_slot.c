/* The profile slot format (kernel/fs/profile_store.h): pure, for the kernel and the host
 * tests. Header fields sit at fixed columns so tools/fluid/profiles.py parses them as easily. */
#include "kernel/fs/profile_store.h"

#include <string.h>

#include "kernel/core/format.h"
#include "kernel/lib/crc32.h"

#define PAD_BYTE    '\n'
#define SEQ_DIGITS  10
#define LEN_DIGITS  10
#define CRC_DIGITS  8

bool profile_slot_format(uint8_t *slot, uint32_t seq, const char *json, uint32_t len)
{
    if (len > PROFILE_STORE_MAX_JSON)
        return false;
    char header[PROFILE_STORE_HEADER_BYTES + 1];
    size_t n = fmt_snprintf(header, sizeof header, "%s %u seq=%010u bytes=%010u crc32=%08x",
                            PROFILE_STORE_MAGIC, PROFILE_STORE_VERSION, (unsigned)seq,
                            (unsigned)len, (unsigned)crc32_iso_hdlc(json, len));
    memset(slot, ' ', PROFILE_STORE_HEADER_BYTES);
    memcpy(slot, header, n < PROFILE_STORE_HEADER_BYTES - 1 ? n : PROFILE_STORE_HEADER_BYTES - 1);
    slot[PROFILE_STORE_HEADER_BYTES - 1] = '\n';
    memcpy(slot + PROFILE_STORE_HEADER_BYTES, json, len);
    memset(slot + PROFILE_STORE_HEADER_BYTES + len, PAD_BYTE, PROFILE_STORE_MAX_JSON - len);
    return true;
}

/* The unsigned decimal or hex number of exactly `digits` characters at p; false otherwise. */
static bool field(const uint8_t *p, unsigned digits, unsigned base, uint32_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < digits; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return false;
        v = v * base + d;
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

struct profile_slot profile_slot_parse(const uint8_t *slot)
{
    static const char lead[] = PROFILE_STORE_MAGIC " 1 seq=";
    struct profile_slot s = {false, 0, 0};
    const uint8_t *p = slot + sizeof lead - 1;
    uint32_t crc;
    _Static_assert(PROFILE_STORE_VERSION == 1, "the header's lead spells the version");
    if (memcmp(slot, lead, sizeof lead - 1) != 0 || !field(p, SEQ_DIGITS, 10, &s.seq) ||
        memcmp(p + SEQ_DIGITS, " bytes=", 7) != 0 ||
        !field(p + SEQ_DIGITS + 7, LEN_DIGITS, 10, &s.bytes) ||
        memcmp(p + SEQ_DIGITS + 7 + LEN_DIGITS, " crc32=", 7) != 0 ||
        !field(p + SEQ_DIGITS + 7 + LEN_DIGITS + 7, CRC_DIGITS, 16, &crc) ||
        s.bytes > PROFILE_STORE_MAX_JSON)
        return (struct profile_slot){false, 0, 0};
    s.valid = crc32_iso_hdlc(slot + PROFILE_STORE_HEADER_BYTES, s.bytes) == crc;
    return s;
}

unsigned profile_slot_pick(const struct profile_slot slots[PROFILE_STORE_SLOTS],
                           uint32_t *next_seq)
{
    unsigned pick = 0;
    uint32_t newest = 0;
    bool have_invalid = false;
    for (unsigned i = 0; i < PROFILE_STORE_SLOTS; i++) {
        if (slots[i].valid && slots[i].seq > newest)
            newest = slots[i].seq;
        if (!slots[i].valid && !have_invalid) {
            have_invalid = true;
            pick = i;
        }
    }
    if (!have_invalid)
        for (unsigned i = 1; i < PROFILE_STORE_SLOTS; i++)
            if (slots[i].seq < slots[pick].seq)
                pick = i;
    *next_seq = newest + 1;
    return pick;
}
