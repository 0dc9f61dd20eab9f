/* The "cpus" boot stage of both kernels (contract in acpi.h): the kernel side of the parser.
 * Physical memory is read through the identity map both kernels keep below 4 GiB; page 0
 * (unmapped in the i686 kernel) and the stack guard page are never touched. The BDA lives in
 * page 0, so its EBDA segment (40:0Eh) comes from the BIOS instead: INT 15h AH=C1h returns
 * that word. The stage runs after the timers, when BIOS calls work, and then starts the APs
 * (kernel/smp), whose outcome the JSON line carries. */
#include "kernel/acpi/acpi.h"

#include <string.h>

#include "kernel/arch/x86/bios.h"
#include "kernel/arch/x86/cpuid.h"
#include "kernel/core/bootcheck.h"
#include "kernel/core/cpu.h"
#include "kernel/core/log.h"
#include "kernel/smp/smp.h"

#define PAGE_BYTES          4096u
#define INT15               0x15
#define INT15_GET_EBDA      0xC100u     /* AH=C1h: ES = the EBDA segment, CF clear if any */
#define CPUID_LEAF_FEATURES 1
#define CPUID1_EBX_APIC_ID_SHIFT 24     /* CPUID.1:EBX[31:24]: initial APIC ID (SDM vol. 2A) */
#define CPUID_LEAF_TOPOLOGY     0x0B    /* EDX: the 32-bit x2APIC ID (SDM vol. 2A) */
#define CPUID_B_EBX_LOGICAL_MASK 0xFFFFu /* sub-leaf 0 EBX[15:0]: logical CPUs at this level */

extern uintptr_t arch_stack_guard_page;     /* kernel/arch/<arch>/arch_init.c; 0 if none */

static struct acpi_cpus found;

const struct acpi_cpus *acpi_cpus(void)
{
    return &found;
}

/* The acpi_mem callback: a copy out of the identity map. The parser has already kept the
 * range inside [ACPI_PAGE0_END, ACPI_KERNEL_MAP_LIMIT); this refuses it again, and the guard
 * page, rather than fault on a bad table address. */
static bool phys_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    (void)ctx;
    uint64_t guard = arch_stack_guard_page;
    if (addr < ACPI_PAGE0_END || addr > ACPI_KERNEL_MAP_LIMIT ||
        len > ACPI_KERNEL_MAP_LIMIT - addr)
        return false;
    if (guard && addr < guard + PAGE_BYTES && addr + len > guard)
        return false;
    memcpy(dst, (const void *)(uintptr_t)addr, len);
    return true;
}

/* The BDA's EBDA segment as the BIOS reports it; 0 when it has none or cannot be asked. */
static uint16_t bios_ebda_segment(void)
{
    struct bios_regs r = {.eax = INT15_GET_EBDA};
    if (!bios_available() || !bios_call(INT15, &r) || (r.eflags & BIOS_EFLAGS_CF))
        return 0;
    return r.es;
}

/* The boot CPU's initial APIC ID, for the answer without tables (0 without CPUID leaf 1):
 * the 32-bit x2APIC ID of leaf 0Bh where it exists (an ID above 255 does not fit leaf 1's
 * 8 bits, and kernel/smp compares it with the x2APIC ID register), else leaf 1's. */
static uint32_t boot_apic_id(void)
{
    uint32_t a = CPUID_LEAF_TOPOLOGY, b, c = 0, d;
    if (!arch_cpuid_supported() || cpu_info()->max_leaf < CPUID_LEAF_FEATURES)
        return 0;
    if (cpu_info()->max_leaf >= CPUID_LEAF_TOPOLOGY) {
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        /* SDM vol. 2A, CPUID leaf 0Bh: EBX[15:0] = 0 in sub-leaf 0 means no leaf 0Bh. */
        if (b & CPUID_B_EBX_LOGICAL_MASK)
            return d;
    }
    a = CPUID_LEAF_FEATURES;
    c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return b >> CPUID1_EBX_APIC_ID_SHIFT;
}

bool acpi_stage(void)
{
    const struct boot_info *bi = kernel_boot_info();
    struct acpi_mem mem = {phys_read, NULL, ACPI_KERNEL_MAP_LIMIT};
    struct acpi_lowmem low = {bios_ebda_segment(), bi ? bi->mem_lower_kb : 0};
    kprintf("acpi: EBDA segment 0x%04x (INT 15h AH=C1h), base memory %u KiB (INT 12h)\n",
            low.ebda_segment, low.base_mem_kib);
    acpi_find_cpus(&mem, &low, boot_apic_id(), &found);
    (void)smp_start(&found);            /* it logs why fewer CPUs run; the boot goes on */
    acpi_cpus_log(&found);
    return true;
}
