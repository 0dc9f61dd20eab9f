/* Run-time offers of new variants (contract in offer.h): the checks, the copy and the queue.
 * No I/O: the receiver logs what planner_offer answered. */
#include "kernel/bench/offer.h"

#include <string.h>

#include "kernel/bench/module_loader.h"
#include "kernel/core/format.h"

#define DETAIL_LEN 160

static offer_alloc_fn alloc_fn;
static offer_free_fn free_fn;
static offer_known_fn known_fn;
static uint32_t features;
static struct offer queue[OFFER_MAX_PENDING];
static uint32_t queued;
static uint32_t n_accepted, n_refused;
static char detail[DETAIL_LEN];

void offer_init(offer_alloc_fn alloc, offer_free_fn release, offer_known_fn known,
                uint32_t cpu_features)
{
    alloc_fn = alloc;
    free_fn = release;
    known_fn = known;
    features = cpu_features;
    queued = n_accepted = n_refused = 0;
    detail[0] = 0;
}

static enum planner_offer_result refuse(enum planner_offer_result r)
{
    n_refused++;
    return r;
}

/* The loader's checks, first with every feature (is it a module at all?), then with this
 * CPU's (can it run here?). */
static enum planner_offer_result check(const char *module, const uint8_t *bytes, uint32_t size,
                                       struct mod_info *info)
{
    struct mod_diag d = {MOD_OK, 0, 0};
    if (mod_check(bytes, size, FLUID_FEAT_KNOWN, info, &d) != MOD_OK) {
        mod_format_error(module, &d, detail, sizeof detail);
        return PLANNER_OFFER_E_INVALID;
    }
    if (strcmp(info->name, module) != 0) {
        fmt_snprintf(detail, sizeof detail, "offer for %s holds module %s", module, info->name);
        return PLANNER_OFFER_E_NAME;
    }
    if (mod_check(bytes, size, features, info, &d) != MOD_OK) {
        mod_format_error(module, &d, detail, sizeof detail);
        return PLANNER_OFFER_E_CPU;
    }
    return PLANNER_OFFER_ACCEPTED;
}

enum planner_offer_result planner_offer(const char *module, const uint8_t *bytes,
                                        uint32_t size, const char *origin)
{
    struct mod_info info;
    detail[0] = 0;
    if (!module || !bytes || !origin)
        return refuse(PLANNER_OFFER_E_INVAL);
    if (!alloc_fn || !known_fn)
        return refuse(PLANNER_OFFER_E_NOT_READY);
    size_t len = 0;
    while (len < FLUID_MOD_NAME_LEN && module[len])
        len++;
    if (len == FLUID_MOD_NAME_LEN || !known_fn(module)) {
        fmt_snprintf(detail, sizeof detail, "no module %s in the registry",
                     len == FLUID_MOD_NAME_LEN ? "of that length" : module);
        return refuse(PLANNER_OFFER_E_MODULE);
    }
    if (size == 0 || size > OFFER_MAX_BYTES) {
        fmt_snprintf(detail, sizeof detail, "offer for %s: size %u outside 1..%u bytes",
                     module, (unsigned)size, (unsigned)OFFER_MAX_BYTES);
        return refuse(PLANNER_OFFER_E_SIZE);
    }
    if (queued == OFFER_MAX_PENDING) {
        fmt_snprintf(detail, sizeof detail, "offer for %s: %u offers waiting already", module,
                     (unsigned)OFFER_MAX_PENDING);
        return refuse(PLANNER_OFFER_E_FULL);
    }
    enum planner_offer_result r = check(module, bytes, size, &info);
    if (r != PLANNER_OFFER_ACCEPTED)
        return refuse(r);
    uint8_t *copy = alloc_fn(size);
    if (!copy) {
        fmt_snprintf(detail, sizeof detail, "offer for %s: no memory for %u bytes", module,
                     (unsigned)size);
        return refuse(PLANNER_OFFER_E_NO_MEMORY);
    }
    memcpy(copy, bytes, size);
    struct offer *o = &queue[queued++];
    fmt_snprintf(o->module, sizeof o->module, "%s", module);
    fmt_snprintf(o->label, sizeof o->label, "%s", info.cflags);
    fmt_snprintf(o->origin, sizeof o->origin, "%s", origin);
    o->bytes = copy;
    o->size = size;
    n_accepted++;
    return PLANNER_OFFER_ACCEPTED;
}

const char *planner_offer_detail(void)
{
    return detail;
}

uint32_t offer_pending(void)
{
    return queued;
}

bool offer_take(const char *module, struct offer *out)
{
    for (uint32_t i = 0; module && i < queued; i++) {
        if (strcmp(queue[i].module, module) != 0)
            continue;
        *out = queue[i];
        memmove(&queue[i], &queue[i + 1], (queued - i - 1) * sizeof queue[0]);
        queued--;
        return true;
    }
    return false;
}

void offer_release(const uint8_t *bytes)
{
    if (free_fn && bytes)
        free_fn((void *)(uintptr_t)bytes);      /* the copy planner_offer allocated */
}

void offer_counts(uint32_t *accepted, uint32_t *refused)
{
    *accepted = n_accepted;
    *refused = n_refused;
}

const char *planner_offer_strerror(enum planner_offer_result r)
{
    switch (r) {
    case PLANNER_OFFER_ACCEPTED:    return "accepted";
    case PLANNER_OFFER_E_NOT_READY: return "the planner takes no offers yet";
    case PLANNER_OFFER_E_MODULE:    return "unknown module";
    case PLANNER_OFFER_E_SIZE:      return "size out of range";
    case PLANNER_OFFER_E_INVALID:   return "invalid module";
    case PLANNER_OFFER_E_NAME:      return "holds another module";
    case PLANNER_OFFER_E_CPU:       return "needs a CPU feature this machine lacks";
    case PLANNER_OFFER_E_FULL:      return "too many offers waiting";
    case PLANNER_OFFER_E_NO_MEMORY: return "out of memory";
    case PLANNER_OFFER_E_INVAL:     return "invalid argument";
    }
    return "unknown offer result";
}
