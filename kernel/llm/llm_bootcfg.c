/* The boot configuration file (llm.h: llm_bootcfg_defaults, llm_bootcfg_parse): which model,
 * tokenizer and prompt to run, and the sampling settings. Text, one `key = value` per line;
 * blank lines and lines starting with '#' are ignored; CR before LF is accepted. Keys and
 * defaults are listed in docs/llm.md. The kernel reads the file from the FAT16 partition
 * and hands the bytes here; nothing in this file does I/O, so it is host-tested. */
#include "kernel/core/format.h"
#include "kernel/lib/ascii.h"
#include "kernel/llm/llm_impl.h"

#define CFG_LINE_MAX        (LLM_CFG_PROMPT_MAX + 64)
#define CFG_STEPS_MAX       (1 << 20)
#define CFG_TEMPERATURE_MAX 100.0f
#define CFG_DIGITS_MAX      18      /* decimal digits that fit a uint64 mantissa exactly */

void llm_bootcfg_defaults(struct llm_bootcfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    fmt_snprintf(cfg->model, sizeof cfg->model, "%s", "MODEL.BIN");
    fmt_snprintf(cfg->tokenizer, sizeof cfg->tokenizer, "%s", "TOKENIZ.BIN");
    cfg->steps = 256;         /* run.c's default */
    cfg->temperature = 1.0f;  /* run.c's default */
    cfg->topp = 0.9f;         /* run.c's default */
    cfg->seed = 0;            /* run.c: 0 means "seed from the clock" */
}

/* Unsigned decimal integer, the whole string, no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Non-negative decimal: digits, optionally '.' and digits ("0.9", "1", ".5", "2."). */
static bool parse_float(const char *s, float *out)
{
    uint64_t mant = 0;
    int digits = 0, decimals = 0;
    bool dot = false;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*s < '0' || *s > '9' || ++digits > CFG_DIGITS_MAX)
            return false;
        mant = mant * 10 + (uint64_t)(*s - '0');
        decimals += dot;
    }
    if (!digits)
        return false;
    double v = (double)mant;
    for (int i = 0; i < decimals; i++)
        v /= 10.0;
    *out = (float)v;
    return true;
}

/* Prompt escapes: \n newline, \t tab, \\ backslash; anything else after '\' is an error. */
static bool unescape(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; *src; src++) {
        char c = *src;
        if (c == '\\') {
            src++;
            c = *src == 'n' ? '\n' : *src == 't' ? '\t' : *src == '\\' ? '\\' : '\0';
            if (!c)
                return false;
        }
        if (n + 1 >= cap)
            return false;
        dst[n++] = c;
    }
    dst[n] = '\0';
    return true;
}

enum cfg_key { KEY_MODEL, KEY_TOKENIZER, KEY_PROMPT, KEY_STEPS, KEY_TEMPERATURE, KEY_TOPP,
               KEY_SEED, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {
    "model", "tokenizer", "prompt", "steps", "temperature", "topp", "seed",
};

/* False for an empty name or one that does not fit (dst then holds it cut short). */
static bool set_name(char *dst, const char *v)
{
    return *v && fmt_snprintf(dst, LLM_CFG_NAME_MAX, "%s", v) < LLM_CFG_NAME_MAX;
}

/* Stores one value; false if it is malformed or out of range. */
static bool set_value(struct llm_bootcfg *cfg, enum cfg_key key, const char *v)
{
    uint64_t u;
    float f;
    switch (key) {
    case KEY_MODEL:     return set_name(cfg->model, v);
    case KEY_TOKENIZER: return set_name(cfg->tokenizer, v);
    case KEY_PROMPT:    return unescape(cfg->prompt, sizeof cfg->prompt, v);
    case KEY_STEPS:
        if (!parse_u64(v, &u) || u > CFG_STEPS_MAX)
            return false;
        cfg->steps = (int32_t)u;
        return true;
    case KEY_TEMPERATURE:
        if (!parse_float(v, &f) || f > CFG_TEMPERATURE_MAX)
            return false;
        cfg->temperature = f;
        return true;
    case KEY_TOPP:
        if (!parse_float(v, &f) || f > 1.0f)
            return false;
        cfg->topp = f;
        return true;
    case KEY_SEED:
        if (!parse_u64(v, &u))
            return false;
        cfg->seed = u;
        return true;
    case KEY_COUNT:
        break;
    }
    return false;
}

/* Trims blanks (ascii_is_space) at both ends in place; returns the new start. */
static char *trim(char *s)
{
    while (ascii_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && ascii_is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static enum llm_err parse_line(struct llm_bootcfg *cfg, char *line, size_t lineno,
                               unsigned *seen, const struct llm_io *io)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return LLM_OK;
    char *eq = strchr(s, '=');
    if (!eq) {
        llm_diag(io, "config: line %zu: no '=' in \"%s\"", lineno, s);
        return LLM_E_CONFIG;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    int k = 0;
    while (k < KEY_COUNT && strcmp(key, key_names[k]) != 0)
        k++;
    if (k == KEY_COUNT) {
        llm_diag(io, "config: line %zu: unknown key \"%s\"", lineno, key);
        return LLM_E_CONFIG;
    }
    if (*seen & (1u << k)) {
        llm_diag(io, "config: line %zu: key \"%s\" given twice", lineno, key);
        return LLM_E_CONFIG;
    }
    *seen |= 1u << k;
    if (!set_value(cfg, (enum cfg_key)k, value)) {
        llm_diag(io, "config: line %zu: bad value \"%s\" for %s", lineno, value, key);
        return LLM_E_CONFIG;
    }
    return LLM_OK;
}

enum llm_err llm_bootcfg_parse(struct llm_bootcfg *cfg, const char *text, size_t len,
                               const struct llm_io *io)
{
    char line[CFG_LINE_MAX];
    unsigned seen = 0;
    size_t lineno = 1;  /* as wide as len: an int would overflow past 2^31 blank lines */
    size_t n = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? text[i] : '\n'; /* a last line without LF still counts */
        if (c == '\0') {
            llm_diag(io, "config: line %zu: NUL byte", lineno);
            return LLM_E_CONFIG;
        }
        if (c != '\n') {
            if (n + 1 >= sizeof line) {
                llm_diag(io, "config: line %zu longer than %d bytes", lineno, CFG_LINE_MAX - 1);
                return LLM_E_CONFIG;
            }
            line[n++] = c;
            continue;
        }
        if (n && line[n - 1] == '\r')
            n--;
        line[n] = '\0';
        enum llm_err err = parse_line(cfg, line, lineno, &seen, io);
        if (err != LLM_OK)
            return err;
        n = 0;
        lineno++;
    }
    return LLM_OK;
}
