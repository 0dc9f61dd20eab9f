"""Bad disks and faulting kernels: each must end in a clear message, never a hang, silent halt
or reboot loop, and a defect the boot can go on without (a bad partition entry) must not stop
it. Images are derived from the real fluid.img (or a test build of it), one defect each, in
build/."""
import os
import struct

from fluid import ROOT, kernel_image, layout
from fluid.qemu import EXIT_FAILURE, EXIT_SUCCESS, IMAGE, boot, check

L = layout.load(os.path.join(ROOT, "build", "gen", "asm-offsets.inc"))
SECTOR = L["SECTOR_SIZE"]
KERNEL = L["KERNEL_LBA"] * SECTOR
OUT_DIR = os.path.join(ROOT, "build", "test-images")


def derived_image(name, mutate, truncate_to=None, source=IMAGE):
    """Write build/test-images/<name>.img: source (fluid.img) with mutate(bytearray) applied."""
    with open(source, "rb") as f:
        data = bytearray(f.read())
    mutate(data)
    if truncate_to is not None:
        del data[truncate_to:]
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name + ".img")
    with open(path, "wb") as f:
        f.write(data)
    return path


def kernel_field(data, offset, fmt="<I"):
    return struct.unpack_from(fmt, data, KERNEL + offset)[0]


def image_size(data):
    return kernel_field(data, L["KH_IMAGE_SIZE"])


def flip_body_byte(data):
    data[KERNEL + image_size(data) // 2] ^= 0xFF


def zero_kernel_tail(data):
    """The kernel's tail missing (here: zeroed) while the disk reads fine: only the CRC tells."""
    size = image_size(data)
    start = KERNEL + size * 3 // 4
    data[start:KERNEL + size] = bytes(KERNEL + size - start)


def oversize_header(data):
    struct.pack_into("<I", data, KERNEL + L["KH_IMAGE_SIZE"], L["KERNEL_MAX_SECTORS"] * SECTOR + 1)


def bad_magic(data):
    struct.pack_into("<I", data, KERNEL + L["KH_MAGIC"], 0x12345678)


def wrong_entry(data):
    """An entry point inside the image (every range check passes) but not the real one; the
    rest of the image untouched, so a CRC of the body alone would still match."""
    load = kernel_field(data, L["KH_LOAD_ADDR"])
    struct.pack_into("<I", data, KERNEL + L["KH_ENTRY"], load + image_size(data) - 1)


def wrong_arch(data):
    """An i686 kernel whose header asks for long mode: a supported value, the wrong one."""
    struct.pack_into("<I", data, KERNEL + L["KH_ARCH"], L["KH_ARCH_X86_64"])


def no_stage2(data):
    start = L["STAGE2_LBA"] * SECTOR
    data[start:start + 4] = b"\0\0\0\0"


def zero_stage2_tail(data):
    """Every stage2 sector after the first zeroed: stage1's magic check still passes."""
    start = (L["STAGE2_LBA"] + 1) * SECTOR
    end = (L["STAGE2_LBA"] + L["STAGE2_MAX_SECTORS"]) * SECTOR
    data[start:end] = bytes(end - start)


def flip_stage2_last_sector(data):
    """One bit in stage2's last sector (zero padding today), just before its stored CRC."""
    data[L["STAGE2_LBA"] * SECTOR + L["STAGE2_CRC_OFFSET"] - 1] ^= 0x01


def expect_stage2_message(name, mutate, message, truncate_to=None, machine="pc",
                          no_banner=False):
    """Boot the image mutate makes until the boot chain prints message; no_banner: it must
    come before stage2's first line (stage2 refused itself)."""
    def run():
        path = derived_image(name, mutate, truncate_to=truncate_to)
        result = boot(image=path, machine=machine, timeout=30, until=message)

        def verify(r):
            assert r.stopped_because == "until", f"no message {message!r}: {r.stopped_because}"
            r.expect(message)
            assert "FLUID stage2: entering the kernel" not in r.log, "jumped to a bad kernel"
            if no_banner:
                assert "FLUID stage2: started" not in r.log, f"stage2 ran on\n{r.tail()}"
        check(f"fail-{name}", result, verify)
    return run


def expect_kernel_exception(name, cmdline, pattern):
    def run():
        result = boot(cmdline=cmdline, timeout=60)

        def verify(r):
            m = r.expect(pattern, "exception report")
            tail = r.log[m.start():]
            for reg in ("eip", "eflags", "eax", "esp", "cr2"):
                assert reg in tail.lower(), f"report lacks {reg}\n{r.tail()}"
            assert r.status == EXIT_FAILURE, f"exit status {r.status}, wanted failure\n{r.tail()}"
        check(f"fail-{name}", result, verify)
    return run


def huge_bss(bss):
    """A header that asks for bss bytes of bss, its CRC made consistent again."""
    def mutate(data):
        struct.pack_into("<I", data, KERNEL + L["KH_BSS_SIZE"], bss)
        size = image_size(data)
        crc = kernel_image.image_crc(data[KERNEL:KERNEL + size], L)
        struct.pack_into("<I", data, KERNEL + L["KH_CRC32"], crc)
    return mutate


def expect_no_room_report(name, bss):
    """The refusal names the size asked for (KiB needed and the header's bss_size) and the
    RAM there is, the figure stage2 reported from E820; the sum is wide (bss up to 4 GiB - 1
    plus the image passes 32 bits)."""
    message = (r"^FLUID: kernel: image and bss need (\d+) KiB \(bss_size (\d+) bytes\), "
               r"the usable RAM above 1 MiB is (\d+) KiB")

    def run():
        path = derived_image(name, huge_bss(bss))
        with open(path, "rb") as f:
            size = image_size(f.read(KERNEL + SECTOR))
        sectors = -(-size // SECTOR)
        need_kib = -(-(sectors * SECTOR + bss) // 1024)
        result = boot(image=path, timeout=30, until=message + r"\r?$")

        def verify(r):
            assert r.stopped_because == "until", f"no report of the bss asked for\n{r.tail()}"
            m = r.expect(message)
            usable = int(r.expect(r"usable above 1 MiB: (\d+) KiB").group(1))
            got = tuple(int(g) for g in m.groups())
            assert got == (need_kib, bss, usable), f"reported {got}, wanted {(need_kib, bss, usable)}"
            assert "FLUID stage2: entering the kernel" not in r.log
        check(f"fail-{name}", result, verify)
    return run


# Partition 1's MBR entry made to lie past the disk end. Stage2 must skip its RAM copy, say
# why with the bad value, and boot; the kernel must give the entry the same verdict on every
# path (ATA, BIOS, the RAM copy), in the same words, and run its embedded modules.
CHS_IMAGE = os.path.join(OUT_DIR, "fluid-chs.img")     # stage2 without AH=48h: size unknown


def partition_entry(lba, sectors):
    def mutate(data):
        struct.pack_into("<II", data, L["MBR_TABLE_OFFSET"] + L["PE_LBA_START"], lba, sectors)
    return mutate


def expect_boot_past_bad_partition(name, lba, sectors, stage2_says, source=IMAGE,
                                   copy_refused=False):
    """stage2_says: the regex of stage2's line about the entry ({verdict} stands for the
    verdict's words). Without AH=48h (source CHS_IMAGE) stage2 cannot judge the end; if its
    copy succeeds, the kernel must refuse it (copy_refused) since the ATA path rejected it."""
    def run():
        assert os.path.exists(source), f"{source} missing: run make test"
        disk = os.path.getsize(source) // SECTOR
        path = derived_image(name, partition_entry(lba, sectors), source=source)
        result = boot(image=path, timeout=60)
        verdict = (f"partition 1 starts at sector {lba}" if lba >= disk else
                   f"partition 1 ends at sector {lba + sectors - 1}") + \
            f", past the disk end \\({disk} sectors\\)"

        def verify(r):
            r.expect("^FLUID stage2: " + stage2_says.replace("{verdict}", verdict),
                     "stage2's verdict")
            r.expect(f"^mbr: ata0: {verdict}$", "the ATA path's verdict, in the same words")
            r.expect(f"^mbr: bios80: {verdict}$", "the BIOS path's verdict, in the same words")
            if copy_refused:
                r.expect(r"^cache: not using stage2's RAM copy of partition 1: ata0's MBR entry "
                         r"for it is invalid \(partition outside the disk\)", "the copy refused")
            r.expect(r"^cache: the suite runs the embedded modules", "embedded modules")
            assert "trying stage2's RAM copy" not in r.log, f"RAM copy of a rejected entry\n{r.tail()}"
            assert "BPB_" not in r.log, f"an unrelated boot-sector error\n{r.tail()}"
            r.expect(r"^fluid: done, status ok")
            assert r.status == EXIT_SUCCESS, f"status {r.status}\n{r.tail()}"
        check(f"partition-{name}", result, verify)
    return run


def partition_cases():
    no_copy = r"{verdict}; no RAM copy"
    yield "partition-starts-past-the-disk-end-boots", expect_boot_past_bad_partition(
        "part-start", 70000, 100, no_copy)
    yield "partition-ends-past-the-disk-end-boots", expect_boot_past_bad_partition(
        "part-end", 2048, 65537, no_copy)
    yield "partition-end-passes-32-bits-boots", expect_boot_past_bad_partition(
        "part-wrap", 2048, 0xFFFFFFFF, no_copy)
    # Stage2 cannot size the disk: its copy's read fails, which must not stop the boot ...
    yield "partition-starts-past-the-disk-end-boots-chs", expect_boot_past_bad_partition(
        "part-start-chs", 70000, 100, r"partition 1 not copied to RAM: disk read error "
        r"0x[0-9A-F]{8} at LBA 70000; booting without the copy", source=CHS_IMAGE)
    # ... or the copy succeeds, and the kernel must not use what the ATA path rejected.
    yield "partition-ends-past-the-disk-end-no-ram-copy-chs", expect_boot_past_bad_partition(
        "part-end-chs", 2048, 65537, r"partition 1 copied to RAM", source=CHS_IMAGE,
        copy_refused=True)


def cases():
    yield from partition_cases()
    yield "bad-crc", expect_stage2_message(
        "bad-crc", flip_body_byte, r"FLUID: kernel: bad CRC-32")
    yield "truncated-kernel-tail", expect_stage2_message(
        "truncated-tail", zero_kernel_tail, r"FLUID: kernel: bad CRC-32")
    yield "truncated-disk-file", expect_stage2_message(
        "truncated-disk", lambda d: None, r"FLUID: disk read error 0x[0-9A-F]+ at LBA \d+",
        truncate_to=KERNEL + SECTOR * 4)
    # A disk that ends inside stage2: stage1's LBA read fails, its CHS retries fail, and it
    # must say so with the BIOS status instead of jumping into a half-read stage2.
    yield "stage1-disk-error", expect_stage2_message(
        "stage1-disk-error", lambda d: None, r"FLUID: disk error 0x[0-9A-F]{2}",
        truncate_to=SECTOR * 8)
    # Fields in range but wrong: only the CRC, which covers the header, can tell. Before it
    # did, the jump went to the wrong place (reset) or into long mode with a 32-bit kernel.
    yield "kernel-header-wrong-entry", expect_stage2_message(
        "wrong-entry", wrong_entry, r"FLUID: kernel: bad CRC-32 of header and body")
    yield "kernel-header-wrong-arch", expect_stage2_message(
        "wrong-arch", wrong_arch, r"FLUID: kernel: bad CRC-32 of header and body", machine="pc64")
    yield "kernel-larger-than-boot-area", expect_stage2_message(
        "oversize", oversize_header, r"FLUID: kernel: image larger than the boot area")
    yield "bss-3GiB-reported-as-asked", expect_no_room_report("bss-3g", 3 << 30)
    yield "bss-4GiB-less-1-sum-passes-32-bits", expect_no_room_report("bss-4g", 0xFFFFFFFF)
    yield "bad-kernel-magic", expect_stage2_message(
        "bad-magic", bad_magic, r"FLUID: kernel: bad header magic")
    yield "missing-stage2", expect_stage2_message(
        "no-stage2", no_stage2, r"FLUID: bad stage2")
    # Stage2's own check, by code in its first sector, before its banner.
    yield "stage2-sectors-after-the-first-zeroed", expect_stage2_message(
        "stage2-zeroed-tail", zero_stage2_tail,
        r"^FLUID: bad stage2: its sectors give CRC-32 0x[0-9A-F]{8}, the image tool stored "
        r"0x00000000\r?$", no_banner=True)
    yield "stage2-last-sector-corrupt", expect_stage2_message(
        "stage2-bit-flip", flip_stage2_last_sector,
        r"^FLUID: bad stage2: its sectors give CRC-32 0x[0-9A-F]{8}, the image tool stored "
        r"0x[0-9A-F]{8}\r?$", no_banner=True)
    yield "divide-error-report", expect_kernel_exception(
        "divide-error", "test=divide-error", r"exception: #DE divide error \(vector 0\)")
    yield "stack-overflow-double-fault", expect_kernel_exception(
        "stack-overflow", "test=stack-overflow", r"exception: #DF double fault \(vector 8\)")
