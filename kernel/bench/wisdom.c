/* Planner wisdom, the file format (contract in wisdom.h). Every field is checked before use;
 * the file is never trusted to hold a NUL. */
#include "kernel/bench/wisdom.h"

#include <string.h>

#include "kernel/core/format.h"
#include "kernel/lib/crc32.h"

#define HEX_DIGITS      8
#define DEC_MAX_DIGITS  10
#define BITS_PER_HEX    4
#define DECIMAL_BASE    10u
#define HEADER_PREFIX   WISDOM_MAGIC " 1 bytes="
#define HEADER_CRC      " crc32="
#define ASCII_DEL       0x7f

struct span {
    const char *p;
    size_t n;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static struct span field(struct span *rest)
{
    while (rest->n && blank(*rest->p)) {
        rest->p++;
        rest->n--;
    }
    struct span f = {rest->p, 0};
    while (f.n < rest->n && !blank(f.p[f.n]))
        f.n++;
    rest->p += f.n;
    rest->n -= f.n;
    return f;
}

static bool is(struct span s, const char *word)
{
    return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

static bool hex32(struct span s, uint32_t *out)
{
    uint32_t v = 0;
    if (s.n != HEX_DIGITS)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << BITS_PER_HEX | (uint32_t)d;
    }
    *out = v;
    return true;
}

static bool dec32(struct span s, uint32_t *out)
{
    uint64_t v = 0;             /* wide: ten digits may pass 2^32 */
    if (s.n == 0 || s.n > DEC_MAX_DIGITS)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * DECIMAL_BASE + (uint64_t)(s.p[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Names as the module loader accepts them: [a-z0-9_], 1..FLUID_MOD_NAME_LEN - 1. */
static bool name(struct span s, char *out)
{
    if (s.n == 0 || s.n >= FLUID_MOD_NAME_LEN)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
              s.p[i] == '_'))
            return false;
    memcpy(out, s.p, s.n);
    out[s.n] = 0;
    return true;
}

/* A CPUID vendor string is printable ASCII (SDM vol. 2A, CPUID leaf 0); a NUL or a control
 * byte in the file's is damage, not a vendor. */
static bool vendor_text(struct span v)
{
    if (v.n == 0 || v.n > WISDOM_VENDOR_LEN)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char ch = (unsigned char)v.p[i];
        if (ch <= ' ' || ch >= ASCII_DEL)
            return false;
    }
    return true;
}

static bool cpu_line(struct span rest, struct wisdom_cpu *c)
{
    struct span v = field(&rest);
    if (!vendor_text(v))
        return false;
    memcpy(c->vendor, v.p, v.n);
    c->vendor[v.n] = 0;
    return dec32(field(&rest), &c->family) && dec32(field(&rest), &c->model) &&
           dec32(field(&rest), &c->stepping) && hex32(field(&rest), &c->features) &&
           field(&rest).n == 0;
}

/* "a4077c49:f3fff6e8,875099e4:0a1b2c3d": exactly `count` keys. */
static bool keys(struct span s, struct wisdom_entry *e)
{
    for (uint32_t i = 0; i < e->count; i++) {
        size_t key_len = 2 * HEX_DIGITS + 1;
        if (s.n < key_len || s.p[HEX_DIGITS] != ':' ||
            !hex32((struct span){s.p, HEX_DIGITS}, &e->keys[i].file_crc) ||
            !hex32((struct span){s.p + HEX_DIGITS + 1, HEX_DIGITS}, &e->keys[i].flags_hash))
            return false;
        s.p += key_len;
        s.n -= key_len;
        bool last = i + 1 == e->count;
        if (last ? s.n != 0 : (s.n == 0 || *s.p != ','))
            return false;
        if (!last) {
            s.p++;
            s.n--;
        }
    }
    return true;
}

static bool module_line(struct span rest, struct wisdom_entry *e)
{
    memset(e, 0, sizeof *e);
    if (!name(field(&rest), e->module) || !dec32(field(&rest), &e->chosen) ||
        !dec32(field(&rest), &e->count))
        return false;
    if (e->count < 2 || e->count > PLANNER_MAX_CANDIDATES || e->chosen >= e->count)
        return false;
    return keys(field(&rest), e) && field(&rest).n == 0;
}

static enum wisdom_err header(const uint8_t *file, uint32_t size, uint32_t *bytes,
                              uint32_t *crc, char *why)
{
    const char *h = (const char *)file;
    size_t pre = sizeof HEADER_PREFIX - 1, mid = sizeof HEADER_CRC - 1;
    if (size >= 1 && (file[0] == '\n' || file[0] == 0))
        return WISDOM_E_EMPTY;
    if (size < WISDOM_HEADER_BYTES || memcmp(h, HEADER_PREFIX, pre) != 0 ||
        !dec32((struct span){h + pre, DEC_MAX_DIGITS}, bytes) ||
        memcmp(h + pre + DEC_MAX_DIGITS, HEADER_CRC, mid) != 0 ||
        !hex32((struct span){h + pre + DEC_MAX_DIGITS + mid, HEX_DIGITS}, crc) ||
        h[WISDOM_HEADER_BYTES - 1] != '\n') {
        fmt_snprintf(why, WISDOM_REASON_LEN, "header is not \"%s 1 bytes=N crc32=X\"",
                     WISDOM_MAGIC);
        return WISDOM_E_HEADER;
    }
    if ((uint64_t)*bytes > (uint64_t)size - WISDOM_HEADER_BYTES) {
        fmt_snprintf(why, WISDOM_REASON_LEN, "bytes=%u, room for %u", (unsigned)*bytes,
                     (unsigned)(size - WISDOM_HEADER_BYTES));
        return WISDOM_E_SIZE;
    }
    return WISDOM_OK;
}

/* One body line; its number goes into the reason when it is bad. */
static enum wisdom_err body_line(struct span line, uint32_t number, bool *have_cpu,
                                 struct wisdom *w, char *why)
{
    struct span rest = line, kind = field(&rest);
    bool ok = true;
    if (kind.n == 0)
        return WISDOM_OK;
    if (is(kind, "cpu") && !*have_cpu)
        ok = *have_cpu = cpu_line(rest, &w->cpu);
    else if (is(kind, "module") && *have_cpu && w->count < WISDOM_MAX_MODULES)
        ok = module_line(rest, &w->e[w->count++]);
    else if (is(kind, "module") && *have_cpu) {
        fmt_snprintf(why, WISDOM_REASON_LEN, "more than %u modules", WISDOM_MAX_MODULES);
        return WISDOM_E_FULL;
    } else if (is(kind, "module")) {
        fmt_snprintf(why, WISDOM_REASON_LEN, "line %u: a module before the cpu line",
                     (unsigned)number);
        return WISDOM_E_NO_CPU;
    } else
        ok = false;
    if (!ok)
        fmt_snprintf(why, WISDOM_REASON_LEN, "line %u: not a cpu or module line by the rules",
                     (unsigned)number);
    return ok ? WISDOM_OK : WISDOM_E_LINE;
}

enum wisdom_err wisdom_parse(const uint8_t *file, uint32_t size, struct wisdom *w,
                             char why[WISDOM_REASON_LEN])
{
    uint32_t bytes = 0, want = 0;
    if (!file || !w || !why)
        return WISDOM_E_INVAL;
    memset(w, 0, sizeof *w);
    why[0] = 0;
    enum wisdom_err err = header(file, size, &bytes, &want, why);
    if (err != WISDOM_OK)
        return err;
    const char *body = (const char *)file + WISDOM_HEADER_BYTES;
    uint32_t got = crc32_iso_hdlc(body, bytes);
    if (got != want) {
        fmt_snprintf(why, WISDOM_REASON_LEN, "CRC-32 %08x, the header says %08x",
                     (unsigned)got, (unsigned)want);
        return WISDOM_E_CRC;
    }
    bool have_cpu = false;
    uint32_t number = 1;        /* the header is line 1 */
    for (uint32_t pos = 0; pos < bytes && err == WISDOM_OK;) {
        struct span line = {body + pos, 0};
        while (pos + line.n < bytes && line.p[line.n] != '\n')
            line.n++;
        pos += (uint32_t)line.n + 1;
        bool too_long = line.n > WISDOM_MAX_LINE;
        number++;
        err = too_long ? WISDOM_E_LINE : body_line(line, number, &have_cpu, w, why);
        if (too_long)
            fmt_snprintf(why, WISDOM_REASON_LEN, "line %u: too long", (unsigned)number);
    }
    if (err == WISDOM_OK && !have_cpu) {
        fmt_snprintf(why, WISDOM_REASON_LEN, "no cpu line");
        err = WISDOM_E_NO_CPU;
    }
    if (err != WISDOM_OK)
        memset(w, 0, sizeof *w);
    return err;
}

/* Appends the body's text at *n; false when it would pass `cap`. */
static bool put(char *out, uint32_t cap, uint32_t *n, const char *fmt_text, size_t len)
{
    if ((uint64_t)*n + len > cap)
        return false;
    memcpy(out + *n, fmt_text, len);
    *n += (uint32_t)len;
    return true;
}

enum wisdom_err wisdom_format(const struct wisdom *w, uint8_t *file)
{
    char line[WISDOM_MAX_LINE + 1];
    char *body = (char *)file + WISDOM_HEADER_BYTES;
    uint32_t cap = WISDOM_FILE_BYTES - WISDOM_HEADER_BYTES, n = 0;
    if (!w || !file || w->count > WISDOM_MAX_MODULES)
        return WISDOM_E_INVAL;
    size_t len = fmt_snprintf(line, sizeof line, "cpu %s %u %u %u %08x\n", w->cpu.vendor,
                              (unsigned)w->cpu.family, (unsigned)w->cpu.model,
                              (unsigned)w->cpu.stepping, (unsigned)w->cpu.features);
    bool ok = put(body, cap, &n, line, len);
    for (uint32_t i = 0; ok && i < w->count; i++) {
        const struct wisdom_entry *e = &w->e[i];
        len = fmt_snprintf(line, sizeof line, "module %s %u %u ", e->module,
                           (unsigned)e->chosen, (unsigned)e->count);
        for (uint32_t k = 0; k < e->count && k < PLANNER_MAX_CANDIDATES; k++)
            len += fmt_snprintf(line + len, sizeof line - len, "%s%08x:%08x", k ? "," : "",
                                (unsigned)e->keys[k].file_crc, (unsigned)e->keys[k].flags_hash);
        len += fmt_snprintf(line + len, sizeof line - len, "\n");
        ok = put(body, cap, &n, line, len);
    }
    if (!ok)
        return WISDOM_E_TOO_BIG;
    memset(body + n, '\n', cap - n);
    char head[WISDOM_HEADER_BYTES + 1];
    size_t h = fmt_snprintf(head, sizeof head, "%s%010u%s%08x", HEADER_PREFIX, (unsigned)n,
                            HEADER_CRC, (unsigned)crc32_iso_hdlc(body, n));
    memset(file, ' ', WISDOM_HEADER_BYTES - 1);
    memcpy(file, head, h);
    file[WISDOM_HEADER_BYTES - 1] = '\n';
    return WISDOM_OK;
}

bool wisdom_same_cpu(const struct wisdom_cpu *a, const struct wisdom_cpu *b)
{
    return strcmp(a->vendor, b->vendor) == 0 && a->family == b->family &&
           a->model == b->model && a->stepping == b->stepping && a->features == b->features;
}

const struct wisdom_entry *wisdom_find(const struct wisdom *w, const char *module)
{
    for (uint32_t i = 0; w && module && i < w->count; i++)
        if (strcmp(w->e[i].module, module) == 0)
            return &w->e[i];
    return NULL;
}

bool wisdom_keys_match(const struct wisdom_entry *e, const struct wisdom_key *keys,
                       uint32_t count)
{
    if (!e || e->count != count)
        return false;
    for (uint32_t i = 0; i < count; i++)
        if (e->keys[i].file_crc != keys[i].file_crc ||
            e->keys[i].flags_hash != keys[i].flags_hash)
            return false;
    return true;
}

const char *wisdom_strerror(enum wisdom_err err)
{
    switch (err) {
    case WISDOM_OK:        return "ok";
    case WISDOM_E_EMPTY:   return "never written";
    case WISDOM_E_HEADER:  return "bad header";
    case WISDOM_E_SIZE:    return "size out of range";
    case WISDOM_E_CRC:     return "CRC-32 mismatch";
    case WISDOM_E_LINE:    return "bad line";
    case WISDOM_E_NO_CPU:  return "no cpu line";
    case WISDOM_E_FULL:    return "too many modules";
    case WISDOM_E_TOO_BIG: return "does not fit the file";
    case WISDOM_E_INVAL:   return "invalid argument";
    }
    return "unknown wisdom error";
}
