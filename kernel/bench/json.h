/* A streaming JSON writer with no heap (RFC 8259): objects, arrays, escaped strings, unsigned
 * and signed 64-bit numbers. Output goes to a caller's sink, e.g. the serial port or a
 * struct text_buf. Numbers are formatted by kernel/core/format.c. Commas and nesting are tracked here, so callers cannot emit invalid JSON
 * by forgetting one; misuse (too deep, a value where a key belongs) sets `error` and the
 * writer stops writing. Portable: built into the kernel, the host runner and host tests. */
#ifndef FLUID_KERNEL_JSON_H
#define FLUID_KERNEL_JSON_H

#include <fluid/types.h>

#define JSON_MAX_DEPTH 16

typedef void (*json_sink_fn)(void *ctx, const char *s, size_t n);

struct json_out {
    json_sink_fn sink;
    void *ctx;
    int depth;                          /* open containers */
    bool is_object[JSON_MAX_DEPTH];     /* per level: object (keys) or array */
    bool has_items[JSON_MAX_DEPTH];     /* per level: a comma goes before the next item */
    bool want_value;                    /* a key was written; its value comes next */
    bool error;                         /* misuse detected; nothing more is written */
};

void json_init(struct json_out *j, json_sink_fn sink, void *ctx);
void json_begin_object(struct json_out *j);
void json_end_object(struct json_out *j);
void json_begin_array(struct json_out *j);
void json_end_array(struct json_out *j);
void json_key(struct json_out *j, const char *key);
void json_str(struct json_out *j, const char *s);           /* NULL writes null */
void json_strn(struct json_out *j, const char *s, size_t n); /* stops at a NUL too */
void json_u64(struct json_out *j, uint64_t v);
void json_i64(struct json_out *j, int64_t v);
void json_bool(struct json_out *j, bool v);
void json_null(struct json_out *j);
void json_hex32(struct json_out *j, uint32_t v);            /* the string "0x%08x" */
/* A key and its value in one call: json_key then the value writer above. */
void json_key_str(struct json_out *j, const char *key, const char *v);
void json_key_u64(struct json_out *j, const char *key, uint64_t v);
void json_key_u64_nonzero(struct json_out *j, const char *key, uint64_t v); /* 0 writes null */
void json_key_hex32(struct json_out *j, const char *key, uint32_t v);
void json_key_bool(struct json_out *j, const char *key, bool v);
/* Ends the document with a newline; returns false if the writer was misused or left a
 * container open. */
bool json_finish(struct json_out *j);

/* A fixed-size text buffer sink; always NUL-terminated, `overflow` set if text was cut. */
struct text_buf {
    char *buf;
    size_t cap, len;
    bool overflow;
};
void text_init(struct text_buf *t, char *buf, size_t cap);
void text_sink(void *text_buf, const char *s, size_t n);
void text_put(struct text_buf *t, const char *s);

#endif
