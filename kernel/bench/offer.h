/* Candidates that arrive while the suite runs (docs/adaptive.md, "Offers at run time"): the
 * live recompilation's receiver hands each new variant to planner_offer, which checks it as
 * the cache checks a file (size, the module loader's rules with this CPU's features, the
 * header's module name), copies it and queues it for its module. A module running through its
 * dispatch slot takes its queued offers between two calls (suite_adapt.c): each becomes one
 * more candidate, in a free entry of its table or one a retired loser left, and the planner
 * measures it at once. An offer for a module that is not running waits for that module's
 * turn, and one that finds the table full with no candidate that may leave waits too.
 * Portable (kernel, host tests): the caller provides the allocator and the CPU features. Not
 * reentrant: offers come from the suite's own thread between calls (the receiver is polled
 * there), never from an interrupt handler. */
#ifndef FLUID_KERNEL_OFFER_H
#define FLUID_KERNEL_OFFER_H

#include <fluid/module.h>
#include <fluid/types.h>

#define OFFER_MAX_PENDING   16              /* offers queued and not yet taken */
#define OFFER_MAX_BYTES     (1024u * 1024u) /* as CACHE_MAX_FILE */
#define OFFER_ORIGIN_LEN    32

/* Every result of planner_offer. */
enum planner_offer_result {
    PLANNER_OFFER_ACCEPTED = 0,     /* queued for its module */
    PLANNER_OFFER_E_NOT_READY,      /* offer_init was not called */
    PLANNER_OFFER_E_MODULE,         /* `module` is not a module of this kernel's registry */
    PLANNER_OFFER_E_SIZE,           /* 0 bytes, or more than OFFER_MAX_BYTES */
    PLANNER_OFFER_E_INVALID,        /* the module loader's checks refused the bytes */
    PLANNER_OFFER_E_NAME,           /* the header names another module than `module` */
    PLANNER_OFFER_E_CPU,            /* it needs a CPU feature this machine lacks */
    PLANNER_OFFER_E_FULL,           /* OFFER_MAX_PENDING offers are waiting already */
    PLANNER_OFFER_E_NO_MEMORY,      /* the allocator refused the copy */
    PLANNER_OFFER_E_INVAL,          /* a NULL argument */
};

/* One queued offer: a private copy of the bytes (16-byte aligned; it lives for the boot, like
 * the cache's files, unless its candidate is retired: offer_release). */
struct offer {
    char module[FLUID_MOD_NAME_LEN];
    const uint8_t *bytes;
    uint32_t size;
    char label[FLUID_MOD_CFLAGS_LEN];   /* the header's short flags */
    char origin[OFFER_ORIGIN_LEN];      /* who sent it ("com2", "test"), cut to fit */
};

typedef void *(*offer_alloc_fn)(size_t size);           /* 16-byte aligned, or NULL */
typedef void (*offer_free_fn)(void *mem);               /* gives an offer_alloc_fn block back */
typedef bool (*offer_known_fn)(const char *module);      /* a module of the registry */

/* Sets what planner_offer checks against and where copies go (release may be NULL: copies
 * are then never freed); empties the queue. */
void offer_init(offer_alloc_fn alloc, offer_free_fn release, offer_known_fn known,
                uint32_t cpu_features);

/* Checks bytes[0..size) as a variant of `module` and queues a copy (origin says who sent
 * it). Returns PLANNER_OFFER_ACCEPTED or why not; planner_offer_detail() then gives a
 * one-line reason naming the bad value. */
enum planner_offer_result planner_offer(const char *module, const uint8_t *bytes,
                                        uint32_t size, const char *origin);

/* The last refusal's reason ("" after an acceptance). */
const char *planner_offer_detail(void);

/* Offers waiting, for any module (a cheap test before offer_take). */
uint32_t offer_pending(void);

/* Takes the oldest queued offer for `module` into *out; false if there is none. */
bool offer_take(const char *module, struct offer *out);

/* Gives back the copy of a taken offer (struct offer's bytes) once nothing reads it: its
 * candidate was retired (suite_adapt.c). Nothing without a free function. */
void offer_release(const uint8_t *bytes);

/* Offers accepted and refused so far (for the log and the profile). */
void offer_counts(uint32_t *accepted, uint32_t *refused);

/* A short description of a result; "unknown offer result" outside the enum. */
const char *planner_offer_strerror(enum planner_offer_result r);

#endif
