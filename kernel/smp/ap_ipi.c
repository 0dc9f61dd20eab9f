/* The start-up IPIs of one AP (contract in smp_impl.h): INIT, 10 ms, STARTUP, 200 us, STARTUP,
 * the sequence and delays of Intel SDM vol. 3A §8.4.4.1, sent through lapic_send_ipi so one
 * text serves xAPIC and x2APIC mode. Pure C over lapic.c and smp_delay_us, host-tested
 * (tests/kernel/smp/test_lapic.c records the register writes and the delays). */
#include "kernel/arch/x86/lapic.h"
#include "kernel/smp/smp_impl.h"

#define INIT_DELAY_US       10000u      /* SDM vol. 3A §8.4.4.1: 10 ms after INIT */
#define SIPI_DELAY_US       200u        /* and 200 us after each STARTUP IPI */
#define SIPI_COUNT          2           /* §8.4.4.1: a second STARTUP in case the first is lost */

enum smp_err ap_send_start_ipis(uint32_t apic_id, uint8_t vector, bool without_sipi)
{
    if (lapic_send_ipi(apic_id, LAPIC_DM_INIT) != LAPIC_OK)
        return SMP_E_IPI;
    smp_delay_us(INIT_DELAY_US);
    if (without_sipi)
        return SMP_OK;
    for (int i = 0; i < SIPI_COUNT; i++) {
        if (lapic_send_ipi(apic_id, LAPIC_DM_STARTUP | vector) != LAPIC_OK)
            return SMP_E_IPI;
        smp_delay_us(SIPI_DELAY_US);
    }
    return SMP_OK;
}
