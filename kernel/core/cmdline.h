/* The kernel command line: space-separated words, either flags (`interactive`) or key=value
 * pairs (`test=divide-error`, `clock=icount`). Set once at boot from fw_cfg file
 * opt/fluid/cmdline (kernel/main_i686.c); no fw_cfg means an empty command line. Pure (host-tested):
 * the text is copied and split in a fixed buffer, nothing is allocated. */
#ifndef FLUID_KERNEL_CMDLINE_H
#define FLUID_KERNEL_CMDLINE_H

#include <fluid/types.h>

#define CMDLINE_MAX_BYTES   256     /* text longer than this is rejected, not cut */
#define CMDLINE_MAX_WORDS   32

/* Every result of this subsystem. */
enum cmdline_err {
    CMDLINE_OK = 0,
    CMDLINE_E_TOO_LONG,         /* more than CMDLINE_MAX_BYTES - 1 characters */
    CMDLINE_E_TOO_MANY_WORDS,   /* more than CMDLINE_MAX_WORDS words */
    CMDLINE_E_BAD_CHAR,         /* a control character other than space, tab, newline */
};

/* Replaces the command line with `text` (NULL = empty). On error the command line is left
 * empty and the error returned; the caller logs it with cmdline_strerror(). */
enum cmdline_err cmdline_set(const char *text);

/* A short description of an enum cmdline_err value; "unknown cmdline error" outside the
 * enum. */
const char *cmdline_strerror(enum cmdline_err err);

/* True if `word` appears as a whole word (a key=value word matches only in full). */
bool cmdline_has(const char *word);

/* Value of the first `key=value` word, or NULL if there is none. */
const char *cmdline_value(const char *key);

/* Number of words, and word i (0-based; NULL past the end), for logging. */
size_t cmdline_word_count(void);
const char *cmdline_word(size_t i);

#endif
