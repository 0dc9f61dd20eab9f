/* The profile slot format and ring choice (kernel/fs/profile_slot.c): header round trip,
 * a torn slot (JSON changed after the header) refused by its CRC, foreign and oversized
 * headers refused, and the ring never overwriting its newest valid slot. */
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/fs/profile_store.h"

static uint8_t slot[PROFILE_STORE_SLOT_BYTES];

TEST(format_then_parse)
{
    const char *json = "{\"a\":1}\n";
    REQUIRE(profile_slot_format(slot, 7, json, (uint32_t)strlen(json)));
    CHECK(memcmp(slot, "FLUID-PROFILE 1 seq=0000000007 bytes=0000000008 crc32=", 54) == 0);
    CHECK(slot[PROFILE_STORE_HEADER_BYTES - 1] == '\n');
    CHECK(memcmp(slot + PROFILE_STORE_HEADER_BYTES, json, 8) == 0);
    CHECK(slot[PROFILE_STORE_SLOT_BYTES - 1] == '\n');
    struct profile_slot s = profile_slot_parse(slot);
    CHECK(s.valid && s.seq == 7 && s.bytes == 8);
}

TEST(torn_foreign_and_oversized_slots_are_invalid)
{
    const char *json = "{\"modules\":[]}";
    REQUIRE(profile_slot_format(slot, 3, json, (uint32_t)strlen(json)));
    slot[PROFILE_STORE_HEADER_BYTES + 2] ^= 1;              /* a write cut short */
    CHECK(!profile_slot_parse(slot).valid);
    memset(slot, 0, sizeof slot);                           /* never formatted */
    CHECK(!profile_slot_parse(slot).valid);
    REQUIRE(profile_slot_format(slot, 3, json, (uint32_t)strlen(json)));
    memcpy(slot + 37, "0000200000", 10);                    /* bytes past the slot */
    CHECK(!profile_slot_parse(slot).valid);
    memcpy(slot + 37, "9999999999", 10);                    /* past 32 bits */
    CHECK(!profile_slot_parse(slot).valid);
    REQUIRE(profile_slot_format(slot, 3, json, (uint32_t)strlen(json)));
    slot[25] = 'x';                                         /* not a number */
    CHECK(!profile_slot_parse(slot).valid);
    CHECK(!profile_slot_format(slot, 1, json, PROFILE_STORE_MAX_JSON + 1));
    CHECK(profile_slot_format(slot, 1, json, 0) && profile_slot_parse(slot).valid);
}

TEST(the_ring_keeps_the_newest_valid_slot)
{
    uint32_t seq;
    struct profile_slot fresh[PROFILE_STORE_SLOTS] = {{true, 0, 0}, {true, 0, 0},
                                                     {true, 0, 0}, {true, 0, 0}};
    CHECK(profile_slot_pick(fresh, &seq) == 0 && seq == 1);
    struct profile_slot full[PROFILE_STORE_SLOTS] = {{true, 5, 1}, {true, 6, 1},
                                                    {true, 3, 1}, {true, 4, 1}};
    CHECK(profile_slot_pick(full, &seq) == 2 && seq == 7);
    /* A torn slot is reused first, whatever its seq claimed; the valid ones stay. */
    struct profile_slot torn[PROFILE_STORE_SLOTS] = {{true, 5, 1}, {false, 0, 0},
                                                    {true, 3, 1}, {true, 4, 1}};
    CHECK(profile_slot_pick(torn, &seq) == 1 && seq == 6);
}

int main(void)
{
    check_suite = "test_profile_slot";
    RUN(format_then_parse);
    RUN(torn_foreign_and_oversized_slots_are_invalid);
    RUN(the_ring_keeps_the_newest_valid_slot);
    return check_summary();
}
