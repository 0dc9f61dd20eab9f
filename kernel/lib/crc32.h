/* CRC-32/ISO-HDLC (the zlib/PNG CRC: polynomial 0x04C11DB7 reflected, initial and final
 * 0xFFFFFFFF), as Python's zlib.crc32 computes it. Pure, for every build. */
#ifndef FLUID_KERNEL_LIB_CRC32_H
#define FLUID_KERNEL_LIB_CRC32_H

#include <fluid/types.h>

uint32_t crc32_iso_hdlc(const void *data, size_t n);

#endif
