/* libFuzzer target for the variant manifest parser (kernel/bench/manifest.c). Each input is a
 * manifest; every stored entry must obey the rules manifest.h promises (a module name of
 * [a-z0-9_], a DIR/NAME.EXT path of [A-Z0-9_] with no "..", a printable flags label, a line
 * number inside the input), and every report must carry a NUL-terminated value of at most
 * MANIFEST_VALUE_LEN - 1 bytes. A broken promise aborts: libFuzzer reports it as a crash.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/modules.mk). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bench/manifest.h"

#define FUZZ_TABLE 16

static void expect(int cond)
{
    if (!cond)
        abort();
}

static void on_report(void *ctx, uint32_t line, enum manifest_err err, const char *value)
{
    (void)ctx;
    (void)line;
    expect(err != MANIFEST_OK);
    expect(strlen(value) < MANIFEST_VALUE_LEN);
    expect(manifest_strerror(err) != NULL);
}

static int only(const char *s, const char *allowed)
{
    return strspn(s, allowed) == strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct manifest_entry out[FUZZ_TABLE];
    uint32_t count = 0;
    enum manifest_err err = manifest_parse((const char *)data, (uint32_t)size, out, FUZZ_TABLE,
                                           &count, on_report, NULL);
    expect(count <= FUZZ_TABLE);
    expect(err == MANIFEST_OK || count == 0);
    for (uint32_t i = 0; i < count; i++) {
        const struct manifest_entry *e = &out[i];
        expect(strlen(e->module) > 0 && only(e->module, "abcdefghijklmnopqrstuvwxyz0123456789_"));
        expect(strchr(e->path, '/') && only(e->path, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/."));
        expect(e->path[0] != '/' && !strstr(e->path, ".."));
        expect(strlen(e->flags) > 0 && strlen(e->flags) < FLUID_MOD_CFLAGS_LEN);
        expect(e->line >= 1 && e->line <= size);
    }
    return 0;
}
