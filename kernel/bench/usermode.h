/* Ring 3 for benchmark modules. A module runs at CPL 3 with IOPL 0 over an identity map in
 * which every page is supervisor-only except the ones this unit hands to ring 3: the placed
 * image (code pages read-only, data and bss pages read/write), a user stack with an unmapped
 * guard page below it and kernel pages above it, and the one page of kernel code a module
 * may run (the return stub). The kernel's memory, the registry's expected answers included,
 * is out of reach; privileged instructions and port I/O raise #GP; the timer still preempts.
 * Implemented per architecture (kernel/arch/i686/usermode.c); modules run one at a time. */
#ifndef FLUID_KERNEL_USERMODE_H
#define FLUID_KERNEL_USERMODE_H

#include <fluid/types.h>

#include "kernel/bench/guard.h"

/* What protects the kernel from a module, for the log and the profile. */
struct usermode_info {
    bool paged;                 /* paging decides what ring 3 may touch (false: no PSE, so
                                 * ring 3 still lacks I/O and privileged instructions, but
                                 * can reach all memory) */
    uint32_t stack_bytes;       /* the user stack */
};

/* Maps the user stack and the return stub for ring 3. Call once after arch init; false (and
 * a log line) if the pages could not be mapped; modules then still run in ring 3 unpaged. */
bool usermode_init(void);
const struct usermode_info *usermode_info(void);

/* Lets ring 3 use a placed image at [base, base + image_size): pages holding any code byte
 * ([0, code_size)) read-only, the other pages read/write. A page shared by code and data is
 * read-only (code is never writable), so a module's data written there faults; the module
 * link map (modules/module.ld) starts data on a page of its own. False if not possible. */
bool usermode_map_image(uintptr_t base, uint32_t code_size, uint32_t image_size);

/* Makes [base, base + image_size) supervisor-only again. */
void usermode_unmap_image(uintptr_t base, uint32_t image_size);

/* Calls entry(copy of arg) in ring 3 under the guard (guard_call_user): arg's arg_size bytes
 * (at most USERMODE_MAX_ARG) are copied to the top of the user stack, below them the argument
 * pointer and the return address into the stub, 16-byte aligned as the i386 System V ABI
 * wants at a call. *result gets the returned EAX on GUARD_OK. A larger arg is refused:
 * GUARD_FAULT with vector GUARD_VECTOR_NONE, nothing run, a log line. */
#define USERMODE_MAX_ARG    256
enum guard_outcome usermode_call(uint32_t entry, const void *arg, uint32_t arg_size,
                                 uint32_t budget_ms, uint32_t *result,
                                 struct guard_report *report);

/* A ring-3 entry that returns 0 at once: the cost of a call through usermode_call. */
uint32_t usermode_null_entry(void);

#endif
