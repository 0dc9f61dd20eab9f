/* CRC-32/ISO-HDLC (contract in crc32.h) with a 16-entry table: two lookups per byte, small
 * enough for the boot-time sizes it sees (module files, profile slots). */
#include "kernel/lib/crc32.h"

#define NIBBLE_BITS 4

/* crc_nibble[i]: the CRC register after shifting nibble i through the reflected polynomial
 * 0xEDB88320 four times. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158,
    0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4,
    0xA00AE278, 0xBDBDF21C,
};

uint32_t crc32_iso_hdlc(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        crc = (crc >> NIBBLE_BITS) ^ crc_nibble[crc & 0xF];
        crc = (crc >> NIBBLE_BITS) ^ crc_nibble[crc & 0xF];
    }
    return ~crc;
}
