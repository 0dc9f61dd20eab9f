/* ASCII character tests for the kernel's text parsers (command line, FAT 8.3 names, module
 * cache names, the LLM boot config): no locale, bytes >= 0x80 are never letters or blanks.
 * Header-only, pure, for every build. */
#ifndef FLUID_KERNEL_LIB_ASCII_H
#define FLUID_KERNEL_LIB_ASCII_H

#include <fluid/types.h>

/* Space, tab, line feed or carriage return (not VT or FF, unlike C's isspace). */
static inline bool ascii_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* c in upper case if it is 'a'..'z', else c unchanged. */
static inline char ascii_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

#endif
