"""The CPU count of both kernels booted under QEMU: the `cpus` stage must report, in its JSON
line, exactly the CPUs QEMU was given (-smp N: APIC IDs 0..N-1) on -M pc and -M q35, through
the MADT; the disabled ones of -smp N,maxcpus=M; and through the MP table when QEMU gives no
ACPI tables. Every boot must also end cleanly: finding the CPUs never stops a boot.

The i686 kernel boots fluid.img as it is; its benchmark suite takes most of a boot, so with
more than one CPU the boot is stopped once the next stage starts (the single-CPU boots and
the other tests run to the end). The x86-64 kernel boots an image without models with
test=cpus, which ends the run after the heap stage."""
import json
import os
import threading

from fluid import ROOT, image as disk_image
from fluid.qemu import EXIT_SUCCESS, boot, check

KERNEL64 = os.path.join(ROOT, "build/x86_64/kernel.img")
IMAGE64 = os.path.join(ROOT, "build/test-images/fluid64-acpi.img")
BOOT_TIMEOUT_S = 90
SMP_COUNTS = (1, 2, 4)
NEXT_STAGE = r"^stage: heap$"     # the i686 stage after cpus
# (machine name for fluid.qemu.boot, which kernel); "pc64"/"q3564" run qemu-system-x86_64.
MACHINES = (("pc", "i686"), ("q35", "i686"), ("pc64", "x86_64"), ("q3564", "x86_64"))
_lock = threading.Lock()


def image64():
    """The 64-bit image without models, built once (tests run in parallel threads)."""
    with _lock:
        if not os.path.exists(IMAGE64) or os.path.getmtime(IMAGE64) < os.path.getmtime(KERNEL64):
            os.makedirs(os.path.dirname(IMAGE64), exist_ok=True)
            disk_image.build(IMAGE64, KERNEL64, fat_mib=16, dirs=["/MODELS"])
    return IMAGE64


def boot_kernel(machine, smp, extra=(), to_the_end=True):
    """Boots the kernel the machine name selects with -smp smp, with the other tests'
    defaults (32 MiB for i686, 512 MiB for x86-64); to_the_end=False stops an i686 boot at
    the stage after cpus."""
    args = ("-smp", smp) + tuple(extra)
    if machine.endswith("64"):
        return boot(image64(), machine=machine, memory="512M", cmdline="test=cpus",
                    timeout=BOOT_TIMEOUT_S, extra=args)
    return boot(machine=machine, timeout=BOOT_TIMEOUT_S, extra=args,
                until=None if to_the_end else NEXT_STAGE)


def cpus_json(result):
    """The one {"cpus": ...} line of the log, parsed."""
    lines = [l for l in result.log.splitlines() if l.startswith('{"cpus"')]
    assert len(lines) == 1, f"{len(lines)} cpus lines\n{result.tail()}"
    return json.loads(lines[0])["cpus"]


def expect_cpus(name, result, source, count, disabled=0):
    def verify(r):
        r.expect(r"^stage: cpus$", "the cpus stage")
        cpus = cpus_json(r)
        assert cpus["source"] == source, cpus
        assert cpus["count"] == count, cpus
        assert cpus["apic_ids"] == list(range(count)), cpus
        assert cpus["disabled"] == disabled, cpus
        r.expect(rf"^acpi: {'MADT' if source == 'madt' else 'MP table'}: {count} CPUs? "
                 rf"\(APIC IDs? {' '.join(map(str, range(count)))}\), {disabled} disabled, "
                 r"local APIC at 0xfee00000$", "the summary line")
        if r.stopped_because == "until":
            r.expect(NEXT_STAGE, "the boot going on after the cpus stage")
        else:
            assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check(name, result, verify)


def smp_case(machine, n):
    def run():
        result = boot_kernel(machine, str(n), to_the_end=n == 1)
        expect_cpus(f"acpi-{machine}-smp{n}", result, "madt", n)
    return run


def cases():
    for machine, kernel in MACHINES:
        for n in SMP_COUNTS:
            yield f"{kernel}_{machine}_smp{n}", smp_case(machine, n)


def test_hotpluggable_cpus_are_disabled_entries():
    """-smp 2,maxcpus=4: QEMU's MADT lists four processors, two of them not enabled."""
    result = boot_kernel("pc", "2,maxcpus=4", to_the_end=False)
    expect_cpus("acpi-maxcpus", result, "madt", 2, disabled=2)


def test_mp_table_without_acpi():
    """acpi=off: SeaBIOS writes no ACPI tables, so the MP table gives the CPUs. SeaBIOS lists
    one processor per package in it, hence one socket per CPU."""
    result = boot_kernel("pc", "4,sockets=4", extra=("-machine", "acpi=off"), to_the_end=False)

    def verify(r):
        r.expect(r"^acpi: no valid RSDP in ", "the RSDP search failing")
        r.expect(r"^acpi: MP floating pointer at 0x[0-9a-f]+ in the ", "the MP pointer")
    check("acpi-mp", result, verify)
    expect_cpus("acpi-mp", result, "mp", 4)
