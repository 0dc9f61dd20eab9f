/* The variant manifest parser (contract in manifest.h). Every field is checked against one
 * rule before it is stored; the text is never trusted to be NUL-terminated. */
#include "kernel/bench/manifest.h"

#include <string.h>

#include "kernel/core/format.h"
#include "kernel/lib/ascii.h"

#define PRINTABLE_FIRST  0x20
#define PRINTABLE_LAST   0x7E
#define CRC_BITS_PER_DIGIT 4
#define DIR_LEN_MAX      8
#define BASE_LEN_MAX     8
#define EXT_LEN_MAX      3

struct span {
    const char *p;
    size_t n;
};

static void quote(char bad[MANIFEST_VALUE_LEN], struct span s)
{
    size_t n = s.n < MANIFEST_VALUE_LEN - 1 ? s.n : MANIFEST_VALUE_LEN - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        bad[i] = c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST ? (char)c : '?';
    }
    bad[n] = 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next blank-separated field of *rest, which moves past it; n == 0 at the end. */
static struct span next_field(struct span *rest)
{
    while (rest->n && is_blank(*rest->p)) {
        rest->p++;
        rest->n--;
    }
    struct span f = {rest->p, 0};
    while (f.n < rest->n && !is_blank(f.p[f.n]))
        f.n++;
    rest->p += f.n;
    rest->n -= f.n;
    return f;
}

/* Module names as the loader accepts them (docs/module-format.md): [a-z0-9_]. */
static bool name_ok(struct span s)
{
    if (s.n == 0 || s.n >= FLUID_MOD_NAME_LEN)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static bool path_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A run of 1..max path characters from s.p[*i]; *i moves past it. */
static bool path_part(struct span s, size_t *i, size_t max)
{
    size_t start = *i;
    while (*i < s.n && path_char(s.p[*i]))
        (*i)++;
    return *i > start && *i - start <= max;
}

/* "DIR/NAME.EXT": one directory, 8.3, upper case, so no "..", "/" at the front, or lower
 * case the FAT16 driver would not find (fat16_readdir gives upper-case names). */
static bool path_ok(struct span s)
{
    size_t i = 0;
    if (s.n >= MANIFEST_PATH_LEN || !path_part(s, &i, DIR_LEN_MAX) || i == s.n ||
        s.p[i++] != '/')
        return false;
    if (!path_part(s, &i, BASE_LEN_MAX) || i == s.n || s.p[i++] != '.')
        return false;
    return path_part(s, &i, EXT_LEN_MAX) && i == s.n;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ascii_upper(c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool crc_ok(struct span s, uint32_t *crc)
{
    uint32_t v = 0;
    if (s.n != MANIFEST_CRC_DIGITS)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        int d = hex_digit(s.p[i]);
        if (d < 0)
            return false;
        v = v << CRC_BITS_PER_DIGIT | (uint32_t)d;
    }
    *crc = v;
    return true;
}

/* The rest of the line, blanks trimmed at both ends: non-empty, short, printable. */
static bool flags_ok(struct span *s)
{
    while (s->n && is_blank(*s->p)) {
        s->p++;
        s->n--;
    }
    while (s->n && is_blank(s->p[s->n - 1]))
        s->n--;
    if (s->n == 0 || s->n >= FLUID_MOD_CFLAGS_LEN)
        return false;
    for (size_t i = 0; i < s->n; i++)
        if ((unsigned char)s->p[i] < PRINTABLE_FIRST || (unsigned char)s->p[i] > PRINTABLE_LAST)
            return false;
    return true;
}

static void store(char *dst, struct span s)
{
    memcpy(dst, s.p, s.n);
    dst[s.n] = 0;
}

enum manifest_err manifest_parse_line(const char *text, size_t len, struct manifest_entry *out,
                                      char bad[MANIFEST_VALUE_LEN])
{
    if (!text || !out || !bad)
        return MANIFEST_E_INVAL;
    struct span rest = {text, len};
    if (rest.n && text[rest.n - 1] == '\r')
        rest.n--;
    quote(bad, rest);
    if (rest.n > MANIFEST_MAX_LINE)
        return MANIFEST_E_LONG_LINE;
    struct span name = next_field(&rest), path = next_field(&rest), crc = next_field(&rest);
    if (crc.n == 0 || !flags_ok(&rest)) {
        if (crc.n && rest.n)
            quote(bad, rest);
        return crc.n && rest.n ? MANIFEST_E_FLAGS : MANIFEST_E_FIELDS;
    }
    memset(out, 0, sizeof *out);
    if (!name_ok(name)) {
        quote(bad, name);
        return MANIFEST_E_NAME;
    }
    if (!path_ok(path)) {
        quote(bad, path);
        return MANIFEST_E_PATH;
    }
    if (!crc_ok(crc, &out->crc)) {
        quote(bad, crc);
        return MANIFEST_E_CRC;
    }
    store(out->module, name);
    store(out->path, path);
    store(out->flags, rest);
    bad[0] = 0;
    return MANIFEST_OK;
}

/* True for a line with nothing to parse: blank, or a # comment. */
static bool skippable(struct span s)
{
    struct span f = next_field(&s);
    return f.n == 0 || f.p[0] == '#';
}

static bool header_ok(struct span s)
{
    char want[sizeof MANIFEST_MAGIC + 12];
    size_t n = fmt_snprintf(want, sizeof want, "%s %u", MANIFEST_MAGIC,
                            (unsigned)MANIFEST_VERSION);
    while (s.n && (s.p[s.n - 1] == '\r' || is_blank(s.p[s.n - 1])))
        s.n--;
    return s.n == n && memcmp(s.p, want, n) == 0;
}

static void report_line(manifest_report_fn report, void *ctx, uint32_t line,
                        enum manifest_err err, const char *value)
{
    if (report)
        report(ctx, line, err, value);
}

enum manifest_err manifest_parse(const char *text, uint32_t size, struct manifest_entry *out,
                                 uint32_t max, uint32_t *count, manifest_report_fn report,
                                 void *ctx)
{
    char bad[MANIFEST_VALUE_LEN];
    if (!count || (!text && size) || (!out && max))
        return MANIFEST_E_INVAL;
    *count = 0;
    if (size > MANIFEST_MAX_BYTES) {
        fmt_snprintf(bad, sizeof bad, "%u bytes", (unsigned)size);
        report_line(report, ctx, 0, MANIFEST_E_TOO_BIG, bad);
        return MANIFEST_E_TOO_BIG;
    }
    bool header = false;
    uint32_t line = 0;
    for (uint32_t pos = 0; pos < size; line++) {
        struct span s = {text + pos, 0};
        while (pos + s.n < size && s.p[s.n] != '\n')
            s.n++;
        pos += (uint32_t)s.n + 1;
        if (skippable(s))
            continue;
        if (!header) {
            if (!header_ok(s)) {
                quote(bad, s);
                report_line(report, ctx, line + 1, MANIFEST_E_HEADER, bad);
                return MANIFEST_E_HEADER;
            }
            header = true;
            continue;
        }
        struct manifest_entry e;
        enum manifest_err err = manifest_parse_line(s.p, s.n, &e, bad);
        if (err == MANIFEST_OK && *count == max) {
            err = MANIFEST_E_FULL;
            quote(bad, s);
        }
        if (err != MANIFEST_OK) {
            report_line(report, ctx, line + 1, err, bad);
            continue;
        }
        e.line = line + 1;
        out[(*count)++] = e;
    }
    if (!header) {
        report_line(report, ctx, 1, MANIFEST_E_HEADER, "");
        return MANIFEST_E_HEADER;
    }
    return MANIFEST_OK;
}

const char *manifest_strerror(enum manifest_err err)
{
    switch (err) {
    case MANIFEST_OK:          return "ok";
    case MANIFEST_E_HEADER:    return "first line is not \"" MANIFEST_MAGIC " 1\"";
    case MANIFEST_E_TOO_BIG:   return "manifest too large";
    case MANIFEST_E_LONG_LINE: return "line too long";
    case MANIFEST_E_FIELDS:    return "fewer than four fields (module, path, crc32, flags)";
    case MANIFEST_E_NAME:      return "bad module name";
    case MANIFEST_E_PATH:      return "path is not DIR/NAME.EXT in 8.3 upper case";
    case MANIFEST_E_CRC:       return "CRC-32 is not eight hex digits";
    case MANIFEST_E_FLAGS:     return "flags label too long or not printable";
    case MANIFEST_E_FULL:      return "too many variants";
    case MANIFEST_E_INVAL:     return "invalid argument";
    }
    return "unknown manifest error";
}
