"""Boot the real fluid.img headless on the machines we claim and check what the kernel reports:
banner, CPU, the E820 map (as the kernel decoded stage2's boot_info), TSC and a clean exit."""
import re

from fluid.qemu import EXIT_SUCCESS, boot, check

# (name, machine, memory, cpu, expected usable RAM in MiB: total; the BIOS keeps a little)
MACHINES = [
    ("pc-i440fx-ide-32M", "pc", "32M", None, 32),
    ("pc-i440fx-ide-2G", "pc", "2G", None, 2048),
    ("q35-ahci-32M", "q35", "32M", None, 32),
    ("q35-ahci-2G", "q35", "2G", None, 2048),
    ("isapc-pentium2-16M", "isapc", "16M", "pentium2", 16),
]
# The BIOS and option ROMs keep some RAM (EBDA, ACPI tables): what E820 calls usable is
# within this many MiB below the -m figure.
BIOS_RESERVED_MAX_MIB = 2
E820_LINE = re.compile(r"^e820: ([0-9a-f]{16})-([0-9a-f]{16}) (\w+)", re.I)


def assert_clean_boot(result, mem_mib):
    result.expect(r"^FLUID stage2: kernel loaded", "stage2 loading the kernel")
    result.expect(r"^fluid: Fluid i686 kernel, build \S+", "kernel banner")
    result.expect(r"^cpu: vendor \S+ family \d+ model \d+ stepping \d+", "CPU identification")
    result.expect(r"^cpu: features .*\bfpu\b", "CPU feature flags")
    stage2 = result.expect(r"^FLUID stage2: E820 map with (\d+) entries", "stage2 E820 count")
    total = result.expect(r"^e820: usable (\d+) KiB in (\d+) entries", "E820 totals")
    entries = [l for l in result.lines("e820: ") if E820_LINE.match(l)]
    usable = [l for l in entries if l.endswith(" usable")]
    assert int(stage2.group(1)) == len(entries) and int(total.group(2)) == len(usable), (
        f"E820 entry counts disagree: stage2 {stage2.group(1)}, kernel listed {len(entries)} "
        f"({len(usable)} usable), kernel total line {total.group(2)}\n{result.tail()}")
    usable_mib = int(total.group(1)) / 1024
    assert mem_mib - BIOS_RESERVED_MAX_MIB <= usable_mib <= mem_mib, (
        f"usable RAM {usable_mib:.1f} MiB does not fit -m {mem_mib}M\n{result.tail()}")
    result.expect(r"^tsc: \d+ Hz \(calibrated against the PIT over \d+ ms\)", "TSC calibration")
    result.expect(r"^fluid: done, status ok", "final status line")
    assert "exception:" not in result.log and "panic" not in result.log, result.tail()
    assert result.status == EXIT_SUCCESS, f"QEMU exit status {result.status}\n{result.tail()}"


def cases():
    for name, machine, memory, cpu, mem_mib in MACHINES:
        def run(name=name, machine=machine, memory=memory, cpu=cpu, mem_mib=mem_mib):
            result = boot(machine=machine, memory=memory, cpu=cpu, timeout=120)
            check(f"boot-{name}", result, lambda r: assert_clean_boot(r, mem_mib))
        yield f"boot[{name}]", run


def test_e820_entries_decode_the_same_in_stage2_and_kernel():
    """Stage2 writes boot_info through the generated asm offsets, the kernel reads it through
    the C struct: the first usable range above 1 MiB must be the same size in both views."""
    result = boot(machine="pc", memory="64M", timeout=120)

    def verify(r):
        stage2_kib = int(r.expect(r"usable above 1 MiB: (\d+) KiB").group(1))
        for line in r.lines("e820: "):
            m = E820_LINE.match(line)
            if m and m.group(3) == "usable" and int(m.group(1), 16) <= 0x100000 < int(m.group(2), 16):
                kernel_kib = (int(m.group(2), 16) + 1 - 0x100000) // 1024
                assert kernel_kib == stage2_kib, f"kernel {kernel_kib} KiB, stage2 {stage2_kib}"
                return
        raise AssertionError(f"no usable E820 range containing 1 MiB in the kernel's list\n{r.tail()}")
    check("boot-e820-views", result, verify)
