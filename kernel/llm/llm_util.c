/* Small services for the llm engine: error names, the arena allocator, and the diagnostic
 * and text output (formatted by kernel/core/format.c; no stdio in kernel/llm). Called from
 * every other kernel/llm file; no state of its own. */
#include <stdarg.h>

#include "kernel/core/format.h"
#include "kernel/llm/llm_impl.h"

#define LLM_DIAG_LINE_MAX 256   /* one diagnostic line, prefix and newline included */

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
    case LLM_E_NONFINITE: return "non-finite logits";
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
    memset((void *)aligned, 0, n);
    return (void *)aligned;
}

/* ---- output --------------------------------------------------------------------------- */

void llm_diag(const struct llm_io *io, const char *fmt, ...)
{
    static const char prefix[] = "llm: ";
    char line[LLM_DIAG_LINE_MAX];
    size_t n = sizeof prefix - 1;
    memcpy(line, prefix, n);
    size_t room = sizeof line - n - 1;      /* the message, its NUL, then the newline */
    va_list ap;
    va_start(ap, fmt);
    size_t len = fmt_vsnprintf(line + n, room, fmt, ap);
    va_end(ap);
    n += len < room ? len : room - 1;       /* cut short: what fits */
    line[n++] = '\n';
    line[n] = '\0';
    if (io && io->write)
        io->write(io->ctx, LLM_OUT_DIAG, line, n);
}

void llm_text(const struct llm_io *io, const char *s)
{
    if (io && io->write)
        io->write(io->ctx, LLM_OUT_TEXT, s, strlen(s));
}
