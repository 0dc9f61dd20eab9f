/* libFuzzer target for the live line's receiver and VARIANT check
 * (kernel/bench/live_frame.c). Each input is a byte stream as the kernel would read it from
 * COM2, fed byte by byte, with a silence (live_rx_timeout) wherever the input has the byte
 * LIVE_FUZZ_SILENCE after an escape, so truncations are reached too. Every valid frame's
 * payload goes through live_check_variant, as in the kernel. What live_frame.h promises is
 * checked and a broken promise aborts: libFuzzer reports it as a crash.
 * Built and run by `make fuzz` (mk/fuzz.mk, registered in mk/live.mk). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bench/live_frame.h"
#include "kernel/bench/module_loader.h"

#define LIVE_FUZZ_ESCAPE    0xF5    /* escape, then 0x00 = silence, else the byte itself */
#define LIVE_FUZZ_SILENCE   0x00
#define FUZZ_MSG_MAX        160

static struct live_rx rx;

static void expect(int cond)
{
    if (!cond)
        abort();
}

static bool runs_any(const char *name)
{
    return name[0] != 'x';      /* some names are not run, so both paths are reached */
}

static void on_event(enum live_rx_event ev, const struct live_rx_out *o)
{
    char msg[FUZZ_MSG_MAX], name[LIVE_VARIANT_NAME_LEN];
    if (ev == LIVE_RX_NONE)
        return;
    expect(o->err < LIVE_E_COUNT && (ev == LIVE_RX_FRAME) == (o->err == LIVE_OK));
    expect(!live_rx_busy(&rx));
    if (ev == LIVE_RX_REJECT) {
        live_format_reject(o, msg, sizeof msg);
        return;
    }
    expect(o->type == LIVE_T_VARIANT || o->type == LIVE_T_BYE);
    expect(o->length <= LIVE_MAX_PAYLOAD);
    const uint8_t *mod = NULL;
    uint32_t size = 0;
    if (live_check_variant(o->payload, o->length, FLUID_FEAT_KNOWN, runs_any, name, &mod,
                           &size, msg, sizeof msg) == LIVE_OK) {
        struct mod_info info;
        expect(mod == o->payload + LIVE_VARIANT_NAME_LEN);
        expect(size == o->length - LIVE_VARIANT_NAME_LEN);
        expect(mod_check(mod, size, FLUID_FEAT_KNOWN, &info, NULL) == MOD_OK);
        expect(strcmp(info.name, name) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_rx_out o;
    live_rx_init(&rx);
    for (size_t i = 0; i < size; i++) {
        if (data[i] == LIVE_FUZZ_ESCAPE && i + 1 < size) {
            i++;
            if (data[i] == LIVE_FUZZ_SILENCE) {
                on_event(live_rx_timeout(&rx, &o), &o);
                continue;
            }
        }
        on_event(live_rx_feed(&rx, data[i], &o), &o);
    }
    on_event(live_rx_timeout(&rx, &o), &o);
    return 0;
}
