/* APIC ID to CPU index for the i686 kernel (contract in cpu_map.h). */
#include "kernel/smp/cpu_map.h"

#include "kernel/core/log.h"

void cpu_map_clear(struct cpu_map *m)
{
    for (uint32_t i = 0; i < CPU_MAP_IDS; i++)
        m->index_of[i] = CPU_MAP_NONE;
}

bool cpu_map_set(struct cpu_map *m, uint32_t apic_id, uint32_t index)
{
    if (apic_id >= CPU_MAP_IDS) {
        kprintf("smp: APIC ID %u is beyond the per-CPU table of APIC IDs 0 to %u\n", apic_id,
                CPU_MAP_IDS - 1);
        return false;
    }
    if (index >= CPU_MAP_NONE) {
        kprintf("smp: CPU index %u of APIC ID %u does not fit the per-CPU table\n", index,
                apic_id);
        return false;
    }
    m->index_of[apic_id] = (uint8_t)index;
    return true;
}

uint32_t cpu_map_find(const struct cpu_map *m, uint32_t apic_id)
{
    return apic_id < CPU_MAP_IDS ? m->index_of[apic_id] : CPU_MAP_NONE;
}
