/* JSON writer (kernel/bench/json.h): RFC 8259 text from nested begin/key/value/end calls. Strings
 * are escaped per RFC 8259 §7: '"', '\\' and every control character below 0x20 (as \n, \t,
 * ... or \u00XX); bytes >= 0x80 pass through unchanged (callers emit ASCII or UTF-8). */
#include "kernel/bench/json.h"

#include <string.h>

#include "kernel/core/format.h"

#define JSON_NUM_MAX 24     /* "-9223372036854775808" and "18446744073709551615" fit */

static void put(struct json_out *j, const char *s, size_t n)
{
    if (!j->error && n)
        j->sink(j->ctx, s, n);
}

static void puts_(struct json_out *j, const char *s)
{
    put(j, s, strlen(s));
}

/* Before any value: a comma if the container already holds one; checks a key was given
 * inside an object (and that none is pending inside an array). */
static void before_value(struct json_out *j)
{
    if (j->depth > 0) {
        if (j->is_object[j->depth - 1] != j->want_value) {
            j->error = true;
            return;
        }
        if (!j->is_object[j->depth - 1] && j->has_items[j->depth - 1])
            put(j, ",", 1);
        j->has_items[j->depth - 1] = true;
    } else if (j->want_value) {
        j->error = true;
    }
    j->want_value = false;
}

void json_init(struct json_out *j, json_sink_fn sink, void *ctx)
{
    j->sink = sink;
    j->ctx = ctx;
    j->depth = 0;
    j->want_value = false;
    j->error = false;
}

static void begin(struct json_out *j, bool object)
{
    before_value(j);
    if (j->depth >= JSON_MAX_DEPTH) {
        j->error = true;
        return;
    }
    put(j, object ? "{" : "[", 1);
    j->is_object[j->depth] = object;
    j->has_items[j->depth] = false;
    j->depth++;
}

static void end(struct json_out *j, bool object)
{
    if (j->depth == 0 || j->is_object[j->depth - 1] != object || j->want_value) {
        j->error = true;
        return;
    }
    j->depth--;
    put(j, object ? "}" : "]", 1);
}

void json_begin_object(struct json_out *j) { begin(j, true); }
void json_end_object(struct json_out *j) { end(j, true); }
void json_begin_array(struct json_out *j) { begin(j, false); }
void json_end_array(struct json_out *j) { end(j, false); }

static void put_escaped(struct json_out *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(j, "\"", 1);
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            if (c >= 0x20) {
                put(j, &s[i], 1);
                continue;
            }
            esc[1] = 'u', esc[2] = '0', esc[3] = '0';
            esc[4] = hex[c >> 4], esc[5] = hex[c & 0xF], len = 6;
        }
        put(j, esc, len);
    }
    put(j, "\"", 1);
}

void json_key(struct json_out *j, const char *key)
{
    if (j->depth == 0 || !j->is_object[j->depth - 1] || j->want_value) {
        j->error = true;
        return;
    }
    if (j->has_items[j->depth - 1])
        put(j, ",", 1);
    put_escaped(j, key, (size_t)-1);
    put(j, ":", 1);
    j->want_value = true;
}

void json_strn(struct json_out *j, const char *s, size_t n)
{
    before_value(j);
    put_escaped(j, s, n);
}

void json_str(struct json_out *j, const char *s)
{
    if (!s) {
        json_null(j);
        return;
    }
    json_strn(j, s, (size_t)-1);
}

void json_u64(struct json_out *j, uint64_t v)
{
    char buf[JSON_NUM_MAX];
    before_value(j);
    fmt_snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    puts_(j, buf);
}

void json_i64(struct json_out *j, int64_t v)
{
    char buf[JSON_NUM_MAX];
    before_value(j);
    fmt_snprintf(buf, sizeof buf, "%lld", (long long)v);
    puts_(j, buf);
}

void json_hex32(struct json_out *j, uint32_t v)
{
    char buf[JSON_NUM_MAX];
    fmt_snprintf(buf, sizeof buf, "0x%08x", (unsigned)v);
    json_str(j, buf);
}

void json_bool(struct json_out *j, bool v)
{
    before_value(j);
    puts_(j, v ? "true" : "false");
}

void json_null(struct json_out *j)
{
    before_value(j);
    puts_(j, "null");
}

bool json_finish(struct json_out *j)
{
    bool ok = !j->error && j->depth == 0 && !j->want_value;
    put(j, "\n", 1);
    return ok;
}

void text_init(struct text_buf *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->overflow = false;
    if (cap)
        buf[0] = '\0';
}

void text_sink(void *ctx, const char *s, size_t n)
{
    struct text_buf *t = ctx;
    for (size_t i = 0; i < n; i++) {
        if (t->len + 1 >= t->cap) {
            t->overflow = true;
            return;
        }
        t->buf[t->len++] = s[i];
    }
    if (t->cap)
        t->buf[t->len] = '\0';
}

void text_put(struct text_buf *t, const char *s)
{
    text_sink(t, s, strlen(s));
}

void json_key_str(struct json_out *j, const char *key, const char *v)
{
    json_key(j, key);
    json_str(j, v);
}

void json_key_u64(struct json_out *j, const char *key, uint64_t v)
{
    json_key(j, key);
    json_u64(j, v);
}

void json_key_u64_nonzero(struct json_out *j, const char *key, uint64_t v)
{
    json_key(j, key);
    if (v)
        json_u64(j, v);
    else
        json_null(j);
}

void json_key_hex32(struct json_out *j, const char *key, uint32_t v)
{
    json_key(j, key);
    json_hex32(j, v);
}

void json_key_bool(struct json_out *j, const char *key, bool v)
{
    json_key(j, key);
    json_bool(j, v);
}
