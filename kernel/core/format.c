/* kprintf's formatting engine (see format.h for the accepted subset). Pure: no I/O, no
 * allocation, bounded stack, so it is safe in exception handlers and builds on the host. */
#include "kernel/core/format.h"

#include <string.h>

#define FMT_MAX_DIGITS  24      /* 2^64 in decimal has 20 digits; octal is not supported */

/* %f: the integer part is printed from a uint64, the fraction scaled by 10^precision. */
#define FMT_FLOAT_PREC_DEFAULT  6
#define FMT_FLOAT_PREC_MAX      9       /* a larger precision prints 9 decimals */
#define FMT_FLOAT_MAX           1.8e19  /* below 2^64 ~ 1.845e19; larger prints "inf" */
#define FMT_FLOAT_CHARS         (FMT_MAX_DIGITS + 1 + FMT_FLOAT_PREC_MAX)

/* One parsed conversion specification. */
struct fmt_spec {
    unsigned width;
    int      precision;         /* -1: none given */
    bool     zero_pad;
    bool     left;
    int      length;            /* 0: int, 1: long, 2: long long, 3: size_t */
    char     conv;
};

struct fmt_out {
    fmt_emit_fn emit;
    void       *ctx;
    size_t      count;
};

static void out_char(struct fmt_out *o, char c)
{
    o->emit(c, o->ctx);
    o->count++;
}

static void out_repeat(struct fmt_out *o, char c, unsigned n)
{
    while (n--)
        out_char(o, c);
}

/* Writes prefix+body padded to spec->width: zeros go between the sign/prefix and digits. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *spec, const char *prefix,
                       const char *body, size_t body_len)
{
    size_t prefix_len = strlen(prefix);
    size_t len = prefix_len + body_len;
    unsigned pad = spec->width > len ? spec->width - (unsigned)len : 0;
    if (!spec->left && !spec->zero_pad)
        out_repeat(o, ' ', pad);
    for (size_t i = 0; i < prefix_len; i++)
        out_char(o, prefix[i]);
    if (!spec->left && spec->zero_pad)
        out_repeat(o, '0', pad);
    for (size_t i = 0; i < body_len; i++)
        out_char(o, body[i]);
    if (spec->left)
        out_repeat(o, ' ', pad);
}

/* Digits of v in base (10 or 16) into the end of buf; returns the first digit. */
static char *utoa(uint64_t v, unsigned base, bool upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static void out_number(struct fmt_out *o, const struct fmt_spec *spec, uint64_t v,
                       bool negative, const char *prefix)
{
    char buf[FMT_MAX_DIGITS];
    char *end = buf + sizeof buf;
    unsigned base = (spec->conv == 'x' || spec->conv == 'X' || spec->conv == 'p') ? 16 : 10;
    char *p = utoa(v, base, spec->conv == 'X', end);
    out_padded(o, spec, negative ? "-" : prefix, p, (size_t)(end - p));
}

static uint64_t arg_unsigned(const struct fmt_spec *spec, va_list *ap)
{
    switch (spec->length) {
    case 1:  return va_arg(*ap, unsigned long);
    case 2:  return va_arg(*ap, unsigned long long);
    case 3:  return va_arg(*ap, size_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t arg_signed(const struct fmt_spec *spec, va_list *ap)
{
    switch (spec->length) {
    case 1:  return va_arg(*ap, long);
    case 2:  return va_arg(*ap, long long);
    case 3:  return (int64_t)va_arg(*ap, size_t);
    default: return va_arg(*ap, int);
    }
}

static void out_signed(struct fmt_out *o, const struct fmt_spec *spec, int64_t v)
{
    /* Negate in unsigned arithmetic: -INT64_MIN overflows as a signed value. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    out_number(o, spec, mag, v < 0, "");
}

static void out_string(struct fmt_out *o, const struct fmt_spec *spec, const char *s)
{
    if (!s)
        s = "(null)";
    size_t len = strlen(s);
    struct fmt_spec plain = *spec;
    plain.zero_pad = false;
    out_padded(o, &plain, "", s, len);
}

/* Fixed-point %f: integer part, '.', then the fraction times 10^prec rounded half up (in
 * double arithmetic, so exact ties round away from zero); a carry goes into the integer part
 * (9.9996 -> "10.000"). NaN prints "nan"; infinities and magnitudes beyond FMT_FLOAT_MAX
 * "inf" with their sign, space-padded even under the '0' flag as C pads them. */
static void out_float(struct fmt_out *o, const struct fmt_spec *spec, double v)
{
    bool negative = v < 0;      /* false for NaN and -0.0, which print unsigned */
    if (negative)
        v = -v;
    if (v != v || v > FMT_FLOAT_MAX) {
        struct fmt_spec word = *spec;
        word.zero_pad = false;
        out_padded(o, &word, negative ? "-" : "", v != v ? "nan" : "inf", 3);
        return;
    }
    int prec = spec->precision < 0 ? FMT_FLOAT_PREC_DEFAULT : spec->precision;
    uint64_t scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    uint64_t ip = (uint64_t)v;
    uint64_t frac = (uint64_t)((v - (double)ip) * (double)scale + 0.5);
    if (frac >= scale) {
        ip++;
        frac -= scale;
    }
    char buf[FMT_FLOAT_CHARS];
    char *end = buf + sizeof buf, *p = end;
    if (prec > 0) {
        for (int i = 0; i < prec; i++, frac /= 10)
            *--p = (char)('0' + frac % 10);
        *--p = '.';
    }
    p = utoa(ip, 10, false, p);
    out_padded(o, spec, negative ? "-" : "", p, (size_t)(end - p));
}

static void out_pointer(struct fmt_out *o, const struct fmt_spec *spec, const void *p)
{
    struct fmt_spec ptr = *spec;
    ptr.zero_pad = true;
    ptr.width = 2 + 2 * sizeof(void *);
    if (spec->width > ptr.width) {
        ptr.width = spec->width;
        ptr.zero_pad = spec->zero_pad;
    }
    out_number(o, &ptr, (uint64_t)(uintptr_t)p, false, "0x");
}

/* Parses flags, width, precision and length after '%'; returns the pointer at the
 * conversion char. */
static const char *parse_spec(const char *f, struct fmt_spec *spec, va_list *ap)
{
    *spec = (struct fmt_spec){.precision = -1};
    for (;; f++) {
        if (*f == '0')
            spec->zero_pad = true;
        else if (*f == '-')
            spec->left = true;
        else
            break;
    }
    if (*f == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            spec->left = true;
            w = -w;
        }
        spec->width = (unsigned)w;
        f++;
    }
    while (*f >= '0' && *f <= '9')
        spec->width = spec->width * 10 + (unsigned)(*f++ - '0');
    if (*f == '.') {        /* kept at most FMT_FLOAT_PREC_MAX, the most %f prints */
        if (*++f == '*') {
            int p = va_arg(*ap, int);   /* negative: as if none was given (C11 7.21.6.1p5) */
            spec->precision = p < 0 ? -1 : p > FMT_FLOAT_PREC_MAX ? FMT_FLOAT_PREC_MAX : p;
            f++;
        } else {
            spec->precision = 0;
            for (; *f >= '0' && *f <= '9'; f++) {
                spec->precision = spec->precision * 10 + (*f - '0');
                if (spec->precision > FMT_FLOAT_PREC_MAX)
                    spec->precision = FMT_FLOAT_PREC_MAX;
            }
        }
    }
    if (*f == 'z') {
        spec->length = 3;
        f++;
    }
    while (*f == 'l' && spec->length < 2) {
        spec->length++;
        f++;
    }
    if (spec->left)
        spec->zero_pad = false;
    spec->conv = *f;
    return f;
}

/* Emits one conversion; returns false if the conversion character is unknown, or if it has
 * a precision and is not f. */
static bool out_conversion(struct fmt_out *o, const struct fmt_spec *spec, va_list *ap)
{
    if (spec->precision >= 0 && spec->conv != 'f')
        return false;
    switch (spec->conv) {
    case 'd': case 'i': out_signed(o, spec, arg_signed(spec, ap)); return true;
    case 'u': case 'x': case 'X': out_number(o, spec, arg_unsigned(spec, ap), false, "");
        return true;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        struct fmt_spec plain = *spec;
        plain.zero_pad = false;
        out_padded(o, &plain, "", &c, 1);
        return true;
    }
    case 's': out_string(o, spec, va_arg(*ap, const char *)); return true;
    case 'p': out_pointer(o, spec, va_arg(*ap, const void *)); return true;
    case 'f': out_float(o, spec, va_arg(*ap, double)); return true;
    case '%': out_char(o, '%'); return true;
    default: return false;
    }
}

size_t fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out o = {emit, ctx, 0};
    va_list args;
    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            out_char(&o, *f);
            continue;
        }
        const char *start = f;
        struct fmt_spec spec;
        f = parse_spec(f + 1, &spec, &args);
        if (!out_conversion(&o, &spec, &args)) {
            for (const char *p = start; p <= f && *p; p++)
                out_char(&o, *p);
            if (!*f)
                break;
        }
    }
    va_end(args);
    return o.count;
}

struct fmt_buf {
    char  *buf;
    size_t size;
    size_t pos;
};

static void emit_buf(char c, void *ctx)
{
    struct fmt_buf *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = {buf, size, 0};
    size_t n = fmt_vformat(emit_buf, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
