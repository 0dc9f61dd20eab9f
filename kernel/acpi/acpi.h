/* Finding the CPUs: the firmware's ACPI tables (RSDP, RSDT or XSDT, MADT), and the Intel
 * MultiProcessor Specification 1.4 tables where there is no usable MADT. The parsing is pure
 * C over a physical-memory read callback (struct acpi_mem), so host tests feed it synthetic
 * tables; kernel/acpi/stage.c is the kernel side (identity-mapped reads, the boot stage).
 *
 * Every structure read from memory is validated before use, one rule per check: signature,
 * length (at least the structure's header, at most ACPI_TABLE_MAX_BYTES, inside the memory
 * the kernel maps, all in 64-bit arithmetic), checksum; each MADT or MP entry's length
 * against what remains of its table. A failed check is logged where it happens ("acpi: MADT
 * checksum 0x3c, want 0 ...") and returned as an enum acpi_err; acpi_find_cpus then falls
 * back (MADT, then MP table, then the boot CPU alone) and never fails. */
#ifndef FLUID_KERNEL_ACPI_H
#define FLUID_KERNEL_ACPI_H

#include <fluid/types.h>

/* Every result of this subsystem. */
enum acpi_err {
    ACPI_OK = 0,
    ACPI_E_NO_RSDP,         /* no valid "RSD PTR " in the EBDA's first KiB or 0xE0000-0xFFFFF */
    ACPI_E_UNMAPPED,        /* a structure lies in page 0 or past the memory the kernel maps */
    ACPI_E_READ,            /* the memory callback refused a read inside the mapped range */
    ACPI_E_SIGNATURE,       /* a table reached through a pointer has the wrong signature */
    ACPI_E_LENGTH,          /* a length field is below its structure's size or above the bound */
    ACPI_E_CHECKSUM,        /* a structure's bytes do not sum to 0 (mod 256) */
    ACPI_E_NO_MADT,         /* the RSDT/XSDT lists no "APIC" table */
    ACPI_E_ENTRY_LENGTH,    /* a MADT entry's length is 0, below its type's size, or past the end */
    ACPI_E_NO_CPUS,         /* the MADT or MP table lists no enabled processor */
    ACPI_E_NO_MP,           /* no valid "_MP_" floating pointer in the MP search areas */
    ACPI_E_MP_ENTRY,        /* an MP entry of an unknown type, or entries past the table's end */
    ACPI_E_FIELD,           /* a field holds a value its specification does not define */
};

/* Reads physical memory for the parser. read copies len bytes at addr into dst and returns
 * false if it cannot. The parser never asks for anything in page 0 (below ACPI_PAGE0_END) or
 * at or past limit; it refuses such structures itself, with a message. */
struct acpi_mem {
    bool (*read)(void *ctx, uint64_t addr, void *dst, size_t len);
    void *ctx;
    uint64_t limit;         /* first byte the kernel does not map */
};

/* Page 0 is never read: the i686 kernel leaves it unmapped to catch NULL dereferences. */
#define ACPI_PAGE0_END          0x1000u
/* Both kernels identity-map everything below 4 GiB (docs/acpi.md). */
#define ACPI_KERNEL_MAP_LIMIT   0x100000000ull
/* No table may claim more: real MADTs are a few KiB; a larger length is a corrupt field. */
#define ACPI_TABLE_MAX_BYTES    (1024u * 1024u)

/* What the BIOS says about low memory, which places two of the search areas. */
struct acpi_lowmem {
    uint16_t ebda_segment;  /* the BDA word at 40:0Eh (INT 15h AH=C1h returns it); 0: unknown */
    uint32_t base_mem_kib;  /* conventional memory in KiB (INT 12h, BDA 40:13h); 0: unknown */
};

/* Which table the CPU list came from. */
enum acpi_cpus_source {
    ACPI_CPUS_NONE = 0,     /* no usable table: the boot CPU alone */
    ACPI_CPUS_MADT,         /* ACPI MADT */
    ACPI_CPUS_MP,           /* MP configuration table (or an MP default configuration) */
};

#define ACPI_CPUS_MAX       256     /* APIC IDs recorded; more enabled CPUs are counted as dropped */
#define ACPI_IOAPICS_MAX    8       /* IO APICs recorded for the interrupt routing to come */
#define ACPI_OVERRIDES_MAX  16      /* interrupt source overrides (one per ISA IRQ at most) */

struct acpi_ioapic {
    uint32_t id;
    uint32_t addr;          /* physical base of its registers */
    uint32_t gsi_base;      /* first global system interrupt it serves (MP tables: 0) */
};

/* An ISA IRQ that reaches the IO APIC on another global system interrupt (MADT type 2). */
struct acpi_irq_override {
    uint8_t bus;            /* 0: ISA */
    uint8_t irq;            /* the bus-relative IRQ */
    uint16_t flags;         /* MPS INTI flags: polarity (bits 0-1), trigger mode (bits 2-3) */
    uint32_t gsi;
};

/* What became of each listed CPU once kernel/smp tried to start them (acpi_cpus.state[]). */
enum acpi_cpu_state {
    ACPI_CPU_LISTED = 0,    /* not tried (yet) */
    ACPI_CPU_BOOT,          /* the boot CPU, running from the start */
    ACPI_CPU_STARTED,       /* an AP that answered and runs the kernel */
    ACPI_CPU_NO_ANSWER,     /* an AP that did not answer in time: left out */
    ACPI_CPU_LEFT_OUT,      /* not tried: past SMP_MAX_CPUS or smp=N, or not addressable */
};

struct acpi_cpus {
    enum acpi_cpus_source source;
    uint32_t count;                     /* enabled CPUs: the entries of apic_ids */
    uint32_t apic_ids[ACPI_CPUS_MAX];   /* in table order */
    uint32_t disabled;                  /* processor entries not enabled (online_capable too) */
    uint32_t online_capable;            /* of those, the ones firmware may enable later */
    uint32_t dropped;                   /* enabled entries not recorded: bad or repeated ID,
                                         * or past ACPI_CPUS_MAX */
    uint64_t lapic_addr;                /* local APIC registers; 0 when not known */
    uint32_t madt_flags;                /* MADT flags (bit 0: dual 8259s present); MP: 0 */
    uint32_t ioapic_count;
    struct acpi_ioapic ioapics[ACPI_IOAPICS_MAX];
    uint32_t override_count;
    struct acpi_irq_override overrides[ACPI_OVERRIDES_MAX];
    bool start_tried;                   /* kernel/smp filled state[] */
    const char *apic_mode;              /* the boot CPU's APIC mode ("xAPIC", "x2APIC"),
                                         * NULL if kernel/smp never set up the APIC */
    uint32_t cpus_in_mode;              /* started CPUs whose own APIC is in that mode */
    uint8_t state[ACPI_CPUS_MAX];       /* enum acpi_cpu_state of apic_ids[i] */
};

/* The CPUs of the MADT: the RSDP, the XSDT (when the RSDP has one below mem->limit and it is
 * valid) or the RSDT, the "APIC" table it lists, its entries. ACPI_OK with out filled (source
 * ACPI_CPUS_MADT), or the first error, logged. */
enum acpi_err acpi_madt_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             struct acpi_cpus *out);

/* The CPUs of the MP configuration table, found through the "_MP_" floating pointer (or the
 * two CPUs of an MP default configuration). ACPI_OK with out filled (source ACPI_CPUS_MP), or
 * the first error, logged. */
enum acpi_err acpi_mp_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                           struct acpi_cpus *out);

/* The MADT's CPUs, else the MP table's, else the boot CPU alone (boot_apic_id, source
 * ACPI_CPUS_NONE, with the message "acpi: no usable MADT or MP table ..."). Returns ACPI_OK
 * when a table gave the list, else the MP table's error; out is always a usable answer. */
enum acpi_err acpi_find_cpus(const struct acpi_mem *mem, const struct acpi_lowmem *low,
                             uint32_t boot_apic_id, struct acpi_cpus *out);

/* Logs the result: "acpi: MADT: 4 CPUs (APIC IDs 0 1 2 3), 1 disabled, local APIC at
 * 0xfee00000", the IO APICs and overrides when there are any, and the JSON line
 * {"cpus": {"source": "madt", "count": 4, "apic_ids": [0,1,2,3], "disabled": 1,
 * "online_capable": 0}}; once start_tried, the JSON also has "started" (CPUs running, the
 * boot CPU included) and the APIC ID lists "started_ids", "no_answer_ids" and
 * "left_out_ids" (enum acpi_cpu_state), and once the APIC was set up "apic_mode" (the boot
 * CPU's: "xAPIC" or "x2APIC") and "cpus_in_mode" (started CPUs whose IA32_APIC_BASE shows
 * that mode). */
void acpi_cpus_log(const struct acpi_cpus *c);

/* "madt", "mp" or "none". */
const char *acpi_cpus_source_name(enum acpi_cpus_source s);

/* A short description of an enum acpi_err value; "unknown acpi error" outside the enum. */
const char *acpi_strerror(enum acpi_err err);

/* The boot stage (kernel/acpi/stage.c): finds and logs the CPUs; always returns true, since
 * a machine whose tables are bad still runs on its boot CPU. */
bool acpi_stage(void);

/* What the stage found (all zero before it ran). */
const struct acpi_cpus *acpi_cpus(void);

#endif
