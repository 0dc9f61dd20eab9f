/* Command-line storage and lookup (contract in cmdline.h). The text is copied into a fixed
 * buffer with every separator replaced by NUL, and the word starts are recorded. */
#include "kernel/core/cmdline.h"

#include <string.h>

#include "kernel/lib/ascii.h"

static char cmd_text[CMDLINE_MAX_BYTES];
static const char *cmd_words[CMDLINE_MAX_WORDS];
static size_t cmd_nwords;

/* Splits cmd_text in place; cmd_text is NUL-terminated. */
static enum cmdline_err split_words(void)
{
    for (char *p = cmd_text; *p;) {
        if (ascii_is_space(*p)) {
            *p++ = '\0';
            continue;
        }
        if (cmd_nwords == CMDLINE_MAX_WORDS)
            return CMDLINE_E_TOO_MANY_WORDS;
        cmd_words[cmd_nwords++] = p;
        while (*p && !ascii_is_space(*p))
            p++;
    }
    return CMDLINE_OK;
}

static void cmdline_clear(void)
{
    cmd_text[0] = '\0';
    cmd_nwords = 0;
}

enum cmdline_err cmdline_set(const char *text)
{
    cmdline_clear();
    if (!text)
        return CMDLINE_OK;
    size_t len = 0;
    for (; text[len]; len++) {
        if (len == CMDLINE_MAX_BYTES - 1)
            return CMDLINE_E_TOO_LONG;
        if ((unsigned char)text[len] < ' ' && !ascii_is_space(text[len]))
            return CMDLINE_E_BAD_CHAR;
        cmd_text[len] = text[len];
    }
    cmd_text[len] = '\0';
    enum cmdline_err err = split_words();
    if (err != CMDLINE_OK)
        cmdline_clear();
    return err;
}

const char *cmdline_strerror(enum cmdline_err err)
{
    switch (err) {
    case CMDLINE_OK:               return "ok";
    case CMDLINE_E_TOO_LONG:       return "longer than 255 characters";
    case CMDLINE_E_TOO_MANY_WORDS: return "more than 32 words";
    case CMDLINE_E_BAD_CHAR:       return "contains a control character";
    }
    return "unknown cmdline error";
}

bool cmdline_has(const char *word)
{
    for (size_t i = 0; i < cmd_nwords; i++)
        if (strcmp(cmd_words[i], word) == 0)
            return true;
    return false;
}

const char *cmdline_value(const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < cmd_nwords; i++) {
        const char *w = cmd_words[i];
        if (strncmp(w, key, n) == 0 && w[n] == '=')
            return w + n + 1;
    }
    return NULL;
}

size_t cmdline_word_count(void)
{
    return cmd_nwords;
}

const char *cmdline_word(size_t i)
{
    return i < cmd_nwords ? cmd_words[i] : NULL;
}
