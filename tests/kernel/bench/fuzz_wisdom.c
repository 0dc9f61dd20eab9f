/* libFuzzer target for the wisdom file parser (kernel/bench/wisdom.c). An input whose first
 * byte is even is a whole file; one whose first byte is odd is a body, sealed here with a
 * true header (its length and CRC-32), so the fuzzer reaches the line rules past the CRC.
 * The promises checked (wisdom.h): a failure leaves the table empty and names its reason in a
 * NUL-terminated string; a parsed table holds at most WISDOM_MAX_MODULES entries, each with a
 * [a-z0-9_] name, 2 to PLANNER_MAX_CANDIDATES keys and a chosen index below their count; and
 * what parses formats into a file that parses back to the same table. A broken promise
 * aborts: libFuzzer reports it as a crash. Built and run by `make fuzz` (mk/fuzz.mk,
 * registered in mk/modules.mk). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bench/wisdom.h"
#include "kernel/core/format.h"
#include "kernel/lib/crc32.h"

#define SEAL_FLAG 1u            /* first byte odd: the rest is a body to seal */

static void expect(int cond)
{
    if (!cond)
        abort();
}

static int only(const char *s, const char *allowed)
{
    return strspn(s, allowed) == strlen(s);
}

static int same_entry(const struct wisdom_entry *a, const struct wisdom_entry *b)
{
    return strcmp(a->module, b->module) == 0 && a->chosen == b->chosen &&
           a->count == b->count && wisdom_keys_match(a, b->keys, b->count);
}

/* The table's promises, then the round trip through wisdom_format. */
static void check_table(const struct wisdom *w)
{
    static uint8_t file[WISDOM_FILE_BYTES];
    static struct wisdom again;
    char why[WISDOM_REASON_LEN];
    expect(w->count <= WISDOM_MAX_MODULES);
    expect(strlen(w->cpu.vendor) <= WISDOM_VENDOR_LEN);
    for (uint32_t i = 0; i < w->count; i++) {
        const struct wisdom_entry *e = &w->e[i];
        expect(strlen(e->module) > 0 && strlen(e->module) < FLUID_MOD_NAME_LEN);
        expect(only(e->module, "abcdefghijklmnopqrstuvwxyz0123456789_"));
        expect(e->count >= 2 && e->count <= PLANNER_MAX_CANDIDATES && e->chosen < e->count);
    }
    for (const char *v = w->cpu.vendor; *v; v++)
        expect(*v > ' ' && *v < 0x7f);
    expect(w->cpu.vendor[0] != 0);
    expect(wisdom_format(w, file) == WISDOM_OK);
    expect(wisdom_parse(file, sizeof file, &again, why) == WISDOM_OK);
    expect(wisdom_same_cpu(&w->cpu, &again.cpu) && again.count == w->count);
    for (uint32_t i = 0; i < w->count; i++)
        expect(same_entry(&w->e[i], &again.e[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t sealed[WISDOM_FILE_BYTES];
    static struct wisdom w;
    char why[WISDOM_REASON_LEN];
    const uint8_t *file = data;
    uint32_t file_size = (uint32_t)size;
    if (size >= 1 && (data[0] & SEAL_FLAG)) {
        uint32_t body = (uint32_t)size - 1;
        if ((uint64_t)body > WISDOM_FILE_BYTES - WISDOM_HEADER_BYTES)
            return 0;
        char head[WISDOM_HEADER_BYTES + 1];
        size_t n = fmt_snprintf(head, sizeof head, "%s 1 bytes=%010u crc32=%08x", WISDOM_MAGIC,
                                (unsigned)body, (unsigned)crc32_iso_hdlc(data + 1, body));
        memset(sealed, ' ', WISDOM_HEADER_BYTES - 1);
        memcpy(sealed, head, n);
        sealed[WISDOM_HEADER_BYTES - 1] = '\n';
        memcpy(sealed + WISDOM_HEADER_BYTES, data + 1, body);
        file = sealed;
        file_size = WISDOM_HEADER_BYTES + body;
    }
    memset(why, 'x', sizeof why);
    enum wisdom_err err = wisdom_parse(file, file_size, &w, why);
    expect(memchr(why, 0, sizeof why) != NULL);
    expect(wisdom_strerror(err) != NULL);
    if (err != WISDOM_OK) {
        expect(w.count == 0);
        expect(err == WISDOM_E_EMPTY || why[0] != 0);
        return 0;
    }
    check_table(&w);
    return 0;
}
