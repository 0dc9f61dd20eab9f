/* Ring 3 for modules on i686 (contract in kernel/bench/usermode.h). The user stack is a
 * static, page-aligned area of the kernel image whose first page stays supervisor-only (a
 * module that overflows its stack takes a #PF in ring 3, delivered on the kernel stack named
 * by TSS.ESP0, so no double fault); the object after it is kernel memory, so writing above
 * the stack top faults too. The return stub is .user_text (isr.asm, linker.ld). */
#include "kernel/bench/usermode.h"

#include <string.h>

#include "kernel/arch/i686/x86.h"
#include "kernel/core/log.h"

#define PAGE_BYTES          4096u
#define USER_STACK_BYTES    (64u * 1024u)
#define USER_STACK_ALIGN    16u         /* i386 System V: (ESP + 4) % 16 == 0 at a call */
#define USER_CALL_SLOTS     2           /* return address, argument pointer */

_Static_assert(USER_STACK_BYTES % PAGE_BYTES == 0, "whole pages of stack");
_Static_assert(USERMODE_MAX_ARG % USER_STACK_ALIGN == 0, "aligned argument area");

/* [guard page][stack ... top]: the guard page is never handed to ring 3. */
static uint8_t user_stack_area[PAGE_BYTES + USER_STACK_BYTES]
    __attribute__((aligned(PAGE_BYTES)));

extern const uint8_t __user_text_start[], __user_text_end[];   /* linker.ld */
extern const uint8_t user_exit_stub[], user_null_entry[];      /* isr.asm */

static struct usermode_info info = {false, USER_STACK_BYTES};

bool usermode_init(void)
{
    if (!paging_enabled()) {
        kprintf("usermode: no paging: modules run in ring 3 without memory protection\n");
        return false;
    }
    uintptr_t stack = (uintptr_t)user_stack_area + PAGE_BYTES;
    uintptr_t text = (uintptr_t)__user_text_start;
    size_t text_len = (size_t)(__user_text_end - __user_text_start);
    if (!paging_set_access(stack, USER_STACK_BYTES, PAGE_USER_RW) ||
        !paging_set_access(text, text_len, PAGE_USER_RO)) {
        kprintf("usermode: cannot map the user stack or stub: modules run unprotected\n");
        return false;
    }
    info.paged = true;
    kprintf("usermode: modules run in ring 3, IOPL 0; user stack %u KiB at 0x%08x (guard "
            "page below), return stub at 0x%08x; the rest of memory is supervisor-only\n",
            USER_STACK_BYTES / 1024, (unsigned)stack, (unsigned)text);
    return true;
}

const struct usermode_info *usermode_info(void)
{
    return &info;
}

static uint64_t page_down(uint64_t a)
{
    return a & ~(uint64_t)(PAGE_BYTES - 1);
}

static uint64_t page_up(uint64_t a)
{
    return page_down(a + PAGE_BYTES - 1);
}

bool usermode_map_image(uintptr_t base, uint32_t code_size, uint32_t image_size)
{
    if (!info.paged)
        return true;            /* nothing to map: ring 3 reaches everything (see log) */
    if (code_size > image_size || (base & (PAGE_BYTES - 1)))
        return false;
    uint64_t code_end = page_up((uint64_t)base + code_size);   /* wide: no wrap */
    uint64_t end = page_up((uint64_t)base + image_size);
    if (!paging_set_access(base, (size_t)(code_end - base), PAGE_USER_RO))
        return false;
    return end <= code_end ||
           paging_set_access((uintptr_t)code_end, (size_t)(end - code_end), PAGE_USER_RW);
}

void usermode_unmap_image(uintptr_t base, uint32_t image_size)
{
    if (info.paged && image_size)
        paging_set_access(base, image_size, PAGE_KERNEL);
}

enum guard_outcome usermode_call(uint32_t entry, const void *arg, uint32_t arg_size,
                                 uint32_t budget_ms, uint32_t *result,
                                 struct guard_report *report)
{
    uint8_t *top = user_stack_area + sizeof user_stack_area;
    if (arg_size > USERMODE_MAX_ARG) {
        kprintf("usermode: argument of %u bytes refused (at most %u)\n", (unsigned)arg_size,
                USERMODE_MAX_ARG);
        *result = 0;
        if (report)
            *report = (struct guard_report){GUARD_FAULT, GUARD_VECTOR_NONE, 0, 0, 0, false};
        return GUARD_FAULT;
    }
    uint8_t *copy = top - USERMODE_MAX_ARG;
    memcpy(copy, arg, arg_size);
    /* The argument slot at a 16-byte boundary, the return address just below it. */
    uint32_t *slots = (uint32_t *)(copy - USER_STACK_ALIGN) - 1;
    slots[0] = (uint32_t)(uintptr_t)user_exit_stub;
    slots[1] = (uint32_t)(uintptr_t)copy;
    return guard_call_user(entry, (uint32_t)(uintptr_t)slots, budget_ms, result, report);
}

uint32_t usermode_null_entry(void)
{
    return (uint32_t)(uintptr_t)user_null_entry;
}
