/* Small services for the llm engine: error names, the arena allocator, string/memory
 * primitives, and a snprintf subset for diagnostics and the JSON summary (no stdio in
 * kernel/llm). Called from every other kernel/llm file; no state of its own. */
#include <stdarg.h>

#include "kernel/llm/llm_impl.h"

#define LLM_DIAG_LINE_MAX 256   /* one diagnostic line, prefix and newline included */
#define LLM_FMT_NUM_MAX   32    /* digits of the widest integer, sign included */
#define LLM_FMT_PREC_MAX  9     /* %.Nf: at most 9 decimals (fits a uint64 fraction) */

const char *llm_strerror(enum llm_err err)
{
    switch (err) {
    case LLM_OK:          return "ok";
    case LLM_E_ARG:       return "bad argument";
    case LLM_E_ALIGN:     return "misaligned data";
    case LLM_E_TRUNCATED: return "truncated file";
    case LLM_E_SIZE:      return "file size mismatch";
    case LLM_E_MAGIC:     return "bad magic";
    case LLM_E_VERSION:   return "unsupported version";
    case LLM_E_HEADER:    return "bad model header";
    case LLM_E_TOKENIZER: return "bad tokenizer";
    case LLM_E_NOMEM:     return "out of memory";
    case LLM_E_ENCODE:    return "prompt not encodable";
    case LLM_E_CONFIG:    return "bad configuration";
    }
    return "unknown llm error";
}

/* ---- arena ---------------------------------------------------------------------------- */

void llm_arena_init(struct llm_arena *a, void *base, size_t size)
{
    a->base = base;
    a->size = base ? size : 0;
    a->used = 0;
}

void *llm_arena_alloc(struct llm_arena *a, size_t n, size_t align)
{
    uintptr_t start = (uintptr_t)a->base + a->used;
    uintptr_t aligned = (start + (align - 1)) & ~(uintptr_t)(align - 1);
    size_t pad = aligned - start;
    if (pad > a->size - a->used || n > a->size - a->used - pad)
        return NULL;
    a->used += pad + n;
    llm_memset((void *)aligned, 0, n);
    return (void *)aligned;
}

/* ---- strings and memory --------------------------------------------------------------- */

size_t llm_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int llm_strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (int)*x - (int)*y;
}

void llm_memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

void llm_memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)c;
}

bool llm_strlcpy(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = src[i];
    if (cap)
        dst[i] = '\0';
    return src[i] == '\0';
}

/* ---- formatting ----------------------------------------------------------------------- */

struct fmt_out {
    char *buf;
    size_t cap, len;
};

static void out_char(struct fmt_out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void out_str(struct fmt_out *o, const char *s)
{
    while (*s)
        out_char(o, *s++);
}

static void out_unsigned(struct fmt_out *o, uint64_t v, unsigned base, int min_digits)
{
    char tmp[LLM_FMT_NUM_MAX];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < LLM_FMT_NUM_MAX);
    while (n < min_digits && n < LLM_FMT_NUM_MAX)
        tmp[n++] = '0';
    while (n)
        out_char(o, tmp[--n]);
}

static void out_signed(struct fmt_out *o, int64_t v)
{
    if (v < 0) {
        out_char(o, '-');
        out_unsigned(o, (uint64_t)0 - (uint64_t)v, 10, 1);
    } else {
        out_unsigned(o, (uint64_t)v, 10, 1);
    }
}

/* Fixed-point float with `prec` decimals, rounded half up; inf/nan spelt out. */
static void out_fixed(struct fmt_out *o, double v, int prec)
{
    if (v != v) {
        out_str(o, "nan");
        return;
    }
    if (v < 0) {
        out_char(o, '-');
        v = -v;
    }
    if (v > 1.8e19) {
        out_str(o, "inf");
        return;
    }
    uint64_t scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    uint64_t ip = (uint64_t)v;
    uint64_t frac = (uint64_t)((v - (double)ip) * (double)scale + 0.5);
    if (frac >= scale) {
        ip++;
        frac -= scale;
    }
    out_unsigned(o, ip, 10, 1);
    if (prec) {
        out_char(o, '.');
        out_unsigned(o, frac, 10, prec);
    }
}

/* Integer argument of the given length modifier count ('l' repeats, or 'z'). */
static uint64_t arg_unsigned(va_list *ap, int longs, bool size)
{
    if (size)
        return va_arg(*ap, size_t);
    if (longs >= 2)
        return va_arg(*ap, unsigned long long);
    if (longs == 1)
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int longs)
{
    if (longs >= 2)
        return va_arg(*ap, long long);
    if (longs == 1)
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

static void fmt_one(struct fmt_out *o, const char **pf, va_list *ap)
{
    const char *f = *pf;
    int prec = 6, longs = 0;
    bool size = false;
    if (*f == '.') {
        prec = 0;
        for (f++; *f >= '0' && *f <= '9'; f++)
            prec = prec * 10 + (*f - '0');
        if (prec > LLM_FMT_PREC_MAX)
            prec = LLM_FMT_PREC_MAX;
    }
    for (; *f == 'l'; f++)
        longs++;
    if (*f == 'z') {
        size = true;
        f++;
    }
    switch (*f) {
    case 's': { const char *s = va_arg(*ap, const char *); out_str(o, s ? s : "(null)"); break; }
    case 'c': out_char(o, (char)va_arg(*ap, int)); break;
    case 'd': out_signed(o, arg_signed(ap, longs)); break;
    case 'u': out_unsigned(o, arg_unsigned(ap, longs, size), 10, 1); break;
    case 'x': out_unsigned(o, arg_unsigned(ap, longs, size), 16, 1); break;
    case 'f': out_fixed(o, va_arg(*ap, double), prec); break;
    case '%': out_char(o, '%'); break;
    default:  out_char(o, '?'); break;
    }
    *pf = *f ? f + 1 : f;
}

static size_t llm_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct fmt_out o = { buf, cap, 0 };
    va_list aq;
    va_copy(aq, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }
        fmt++;
        fmt_one(&o, &fmt, &aq);
    }
    va_end(aq);
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len < cap ? o.len : (cap ? cap - 1 : 0);
}

size_t llm_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = llm_vfmt(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void llm_diag(const struct llm_io *io, const char *fmt, ...)
{
    char line[LLM_DIAG_LINE_MAX];
    size_t n = llm_fmt(line, sizeof line, "llm: ");
    va_list ap;
    va_start(ap, fmt);
    n += llm_vfmt(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    line[n] = '\0';
    if (io && io->write)
        io->write(io->ctx, LLM_OUT_DIAG, line, n);
}

void llm_text(const struct llm_io *io, const char *s)
{
    if (io && io->write)
        io->write(io->ctx, LLM_OUT_TEXT, s, llm_strlen(s));
}
