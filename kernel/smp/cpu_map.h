/* The i686 kernel's way from an APIC ID to a CPU index (kernel/arch/i686/smp_arch.c): a table
 * indexed by APIC ID, one byte per ID, read by cpu_local() on every CPU in any context (no
 * lock: entries are written by the boot CPU before the AP they name starts). x2APIC IDs are
 * 32 bits wide, so every ID is checked against the table's size before it indexes it: an ID
 * at or above CPU_MAP_IDS is refused and logged by value, and never found. Pure C,
 * host-tested (tests/kernel/smp/test_lapic.c). */
#ifndef FLUID_KERNEL_SMP_CPU_MAP_H
#define FLUID_KERNEL_SMP_CPU_MAP_H

#include <fluid/types.h>

#define CPU_MAP_IDS     256u    /* APIC IDs 0-255: every xAPIC ID, the low x2APIC ones */
#define CPU_MAP_NONE    0xFFu   /* no CPU index for this ID */

struct cpu_map {
    uint8_t index_of[CPU_MAP_IDS];      /* CPU index by APIC ID, or CPU_MAP_NONE */
};

/* Every ID unmapped. */
void cpu_map_clear(struct cpu_map *m);

/* Maps apic_id to CPU index `index` (below CPU_MAP_NONE). False, the table untouched, and a
 * "smp: APIC ID N is beyond ..." line logged, if apic_id >= CPU_MAP_IDS or the index does
 * not fit. */
bool cpu_map_set(struct cpu_map *m, uint32_t apic_id, uint32_t index);

/* The CPU index of apic_id, or CPU_MAP_NONE (unmapped, or an ID beyond the table). */
uint32_t cpu_map_find(const struct cpu_map *m, uint32_t apic_id);

#endif
