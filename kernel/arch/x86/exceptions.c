/* Names of the x86 exception vectors (contract in exceptions.h). */
#include "kernel/arch/x86/exceptions.h"

/* SDM vol. 3A table 6-1. */
static const char *const exc_mnemonic[EXCEPTION_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

static const char *const exc_name[EXCEPTION_VECTORS] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint",
    "overflow", "bound range exceeded", "invalid opcode", "device not available",
    "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point",
    "virtualization exception", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved",
};

const char *exception_mnemonic(uint32_t vector)
{
    return vector < EXCEPTION_VECTORS ? exc_mnemonic[vector] : "#??";
}

const char *exception_name(uint32_t vector)
{
    return vector < EXCEPTION_VECTORS ? exc_name[vector] : "not an exception";
}
