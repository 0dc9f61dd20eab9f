/* How an application processor (AP) gets from its STARTUP IPI to the kernel: the layout of the
 * parameter block the boot CPU fills in the trampoline page (AP_PARAMS_ADDR) before each
 * start, read by the trampoline (kernel/arch/<arch>/ap_trampoline.nasm, through offsets that
 * boot/asm-offsets.c exports), and the pure rules of the start-up: the STARTUP IPI's vector
 * for a page, and whether a page may hold the trampoline. Pure C, host-tested
 * (tests/kernel/smp/test_smp.c).
 *
 * One block serves every AP in turn: the boot CPU starts one AP at a time and writes the next
 * block only after the AP said it is running (or was sent INIT again and so stopped reading). */
#ifndef FLUID_KERNEL_SMP_AP_BOOT_H
#define FLUID_KERNEL_SMP_AP_BOOT_H

#include <fluid/memlayout.h>
#include <fluid/types.h>

#include "kernel/core/e820.h"

/* Every field is 64 bits wide so both kernels share one layout (the i686 trampoline reads the
 * low halves). The control registers are the boot CPU's, so every CPU runs with the same
 * paging, x87/SSE and XSAVE settings (CR0, CR4; XCR0 is set by the AP's C entry). */
struct ap_boot_params {
    uint64_t cr0;           /* written with paging on, after cr4 and cr3 */
    uint64_t cr3;           /* the boot CPU's page tables (below 4 GiB) */
    uint64_t cr4;           /* written before paging is turned on */
    uint64_t efer;          /* x86-64: IA32_EFER bits to set (LME, NXE, SCE); i686: 0 */
    uint64_t entry;         /* kernel-mode entry, called as entry(arg) on stack_top */
    uint64_t stack_top;     /* 16-byte aligned top of the AP's own kernel stack */
    uint64_t arg;           /* the AP's struct cpu_local * */
    uint64_t reached;       /* the trampoline writes AP_REACHED_TRAMPOLINE here first */
} __attribute__((packed, aligned(8)));
_Static_assert(sizeof(struct ap_boot_params) == 64, "struct ap_boot_params is 64 bytes");
_Static_assert(AP_PARAMS_OFFSET + sizeof(struct ap_boot_params) <= AP_TRAMPOLINE_BYTES,
               "the parameter block fits the trampoline page");

/* What the trampoline stores in `reached`, so a log can tell "never ran" from "died later". */
#define AP_REACHED_TRAMPOLINE   0x41505452u     /* "RTPA" */

/* The STARTUP IPI sends the AP to real mode at CS:IP = (vector << 8):0000, physical address
 * vector * 4 KiB (SDM vol. 3A §10.6.1, table 10-6 "Start-Up"), so only a 4 KiB aligned page
 * below 1 MiB can be reached. Vectors 0xA0-0xBF are reserved (SDM vol. 3A §8.4.4.1) and page 0
 * holds the real-mode IVT. */
#define AP_SIPI_PAGE_BYTES      0x1000u
#define AP_SIPI_REACH           0x100000u       /* below 1 MiB */
#define AP_SIPI_RESERVED_FIRST  0xA0u
#define AP_SIPI_RESERVED_LAST   0xBFu

/* The STARTUP IPI vector for a trampoline at addr; -1 if addr is not 4 KiB aligned, is page 0,
 * lies at or above 1 MiB, or gives a reserved vector. */
int ap_sipi_vector(uint64_t addr);

/* True if [addr, addr + len) lies wholly inside one E820 range of usable RAM (type 1) and
 * in no reserved range of the map (an overlapping reserved entry wins, as the kernel's E820
 * rules say); false for len 0 or a range that wraps. 64-bit arithmetic throughout. */
bool ap_page_usable(const struct e820_entry *map, uint32_t count, uint64_t addr, uint64_t len);

/* The number of a boot option (smp=N, test.smp_withhold=APICID): decimal digits only, at most
 * max. False, *out untouched, for anything else (empty, a sign, a non-digit, too large). */
bool ap_parse_u32(const char *text, uint32_t max, uint32_t *out);

#endif
