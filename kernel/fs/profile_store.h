/* Profiles written back to the boot stick: for each kind, a ring of PROFILE_STORE_SLOTS files
 * that the image tools preallocate at PROFILE_STORE_SLOT_BYTES each: /PROFILE/RUN0.JSN ..
 * for the benchmark suite's profile (i686 kernel), /PROFILE/GEN0.JSN .. for the LLM
 * generation summary (x86-64 kernel). A slot holds a PROFILE_STORE_HEADER_BYTES text line,
 * then the JSON document, then newlines up to the slot's end:
 *     FLUID-PROFILE 1 seq=0000000007 bytes=0000012345 crc32=1a2b3c4d
 * (seq counts saves, bytes is the JSON's length, crc32 is CRC-32/ISO-HDLC of the JSON). The
 * kernel rewrites one whole slot in place (fat16_write: data sectors only, never the FAT, a
 * directory or a size) and never the newest valid one, so a power cut at any point leaves
 * the previous one readable: a torn slot fails its CRC and readers skip it.
 * tools/fluid/profiles.py reads the same format. The format functions are pure (host tests);
 * profile_store_save is the kernel's. */
#ifndef FLUID_KERNEL_FS_PROFILE_STORE_H
#define FLUID_KERNEL_FS_PROFILE_STORE_H

#include <fluid/bootinfo.h>
#include <fluid/types.h>

#define PROFILE_STORE_DIR           "/PROFILE"
#define PROFILE_STORE_SLOTS         4
#define PROFILE_STORE_SLOT_BYTES    (128u * 1024u)
#define PROFILE_STORE_HEADER_BYTES  64
#define PROFILE_STORE_MAGIC         "FLUID-PROFILE"
#define PROFILE_STORE_VERSION       1
#define PROFILE_STORE_MAX_JSON      (PROFILE_STORE_SLOT_BYTES - PROFILE_STORE_HEADER_BYTES)
#define PROFILE_STORE_OPTION_OFF    "profile.write=0"
#define PROFILE_STORE_SUITE         "RUN"   /* slot file prefix: the suite's profile */
#define PROFILE_STORE_LLM           "GEN"   /* slot file prefix: the generation summary */

/* What a slot's header says, and whether its JSON matches it. */
struct profile_slot {
    bool valid;                 /* header well-formed and the JSON's CRC matches */
    uint32_t seq;               /* 0 for a slot never written */
    uint32_t bytes;             /* length of the JSON after the header */
};

/* Fills slot (PROFILE_STORE_SLOT_BYTES) with the header for seq, json[0..len) and newline
 * padding. False if len > PROFILE_STORE_MAX_JSON (nothing is written then). */
bool profile_slot_format(uint8_t *slot, uint32_t seq, const char *json, uint32_t len);

/* Reads a slot's header and checks its JSON against the CRC. */
struct profile_slot profile_slot_parse(const uint8_t *slot);

/* The slot to write next: one that is not valid, else the valid one with the lowest seq;
 * *next_seq is one more than the highest valid seq. Never the newest valid slot. */
unsigned profile_slot_pick(const struct profile_slot slots[PROFILE_STORE_SLOTS],
                           uint32_t *next_seq);

/* Kernel: writes json[0..len) to the next slot of ring `kind` (PROFILE_STORE_SUITE or
 * PROFILE_STORE_LLM) on the volume holding /PROFILE (found as kernel/fs/volume.h finds it),
 * unless the boot option PROFILE_STORE_OPTION_OFF is given. Logs what it did or why not
 * ("profile: saved to bios80p1:/PROFILE/RUN2.JSN, seq 7, N bytes"); returns true only when
 * the slot was written. */
bool profile_store_save(const char *kind, const char *json, uint32_t len,
                        const struct boot_info *bi);

#endif
