"""The BIOS disk under QEMU and SeaBIOS: the i686 kernel reads the boot disk through INT 13h
from protected mode (kernel/arch/x86/bios.h, kernel/drivers/biosdisk.h). A cache module whose
data lies past the first 4 MiB of the partition (a filler file comes first), where stage2's
RAM copy ends, is loaded and run from the cache on `-M q35` (AHCI: no ATA path) and on
`-M pc` with `disk=bios` (the ATA disks not probed); the disk's size comes from AH=48h.
The boot matrix: the same image attached as virtio-blk, virtio-scsi, NVMe and USB mass storage
behind EHCI and XHCI, where SeaBIOS boots it and the kernel reaches it only through the BIOS:
the cache module past 4 MiB runs, and the profile saved to the disk reads back on the host."""
import os
import re
import shutil
import threading

from fluid import ROOT
from fluid import cache as mkcache
from fluid import fatimg, profile_store, qemu
from fluid import profiles as fprofile
from fluid.pgo import build as pgo_build

WORK = os.path.join(ROOT, "build", "test-images", "bios")
RAM_COPY_BYTES = 4 << 20            # include/fluid/memlayout.h: RAMDISK_MAX_SECTORS * 512
FILLER_BYTES = 6 << 20
MODULE, VARIANT = "sum", "O3"
_image = []
_image_lock = threading.Lock()     # tests/run.py may run the tests in threads


def image():
    """fluid.img with /FILLER.BIN first, then MODULE's O3 build in the cache (built once)."""
    with _image_lock:
        return _make_image()


def _make_image():
    if not _image:
        os.makedirs(WORK, exist_ok=True)
        path = os.path.join(WORK, "beyond4m.img")
        shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
        base = mkcache.volume_offset(path)
        fatimg.add_files(path, {"/FILLER.BIN": bytes(FILLER_BYTES)}, offset=base)
        mkcache.write(path, [pgo_build.build(MODULE, VARIANT)], clear=True)
        vol = fatimg.Volume(path, base=base)
        start = vol.cluster_offset(   # from the volume's first byte
            vol.first_cluster(f"/CACHE/I686/{MODULE.upper()}.MOD"))
        assert start >= RAM_COPY_BYTES, "the test module must lie past the RAM copy"
        _image.append(path)
    return _image[0]


def boot_and_check(name, machine, cmdline=None, attach="default", writable_copy=False,
                   icount=True):
    path = image()
    if writable_copy:
        shutil.copyfile(path, path := os.path.join(WORK, f"{name}.img"))
    b = qemu.boot(image=path, machine=machine, memory="64M", icount=icount, timeout=90,
                  cmdline=cmdline, attach=attach, writable=writable_copy)

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        b.expect(r"^cache: trying the boot disk \(BIOS drive 0x80\) through the BIOS")
        m = b.expect(r"^biosdisk: bios80: INT 13h extensions, (\d+) sectors")
        assert int(m.group(1)) == os.path.getsize(path) // 512, m.group(0)
        b.expect(r"^cache: bios80p1: 1 modules in /CACHE/I686, 0 rejected")
        mods = {m["name"]: m for m in fprofile.extract(b.log)["modules"]}
        assert mods[MODULE]["source"] == "cache" and mods[MODULE]["passed"], mods[MODULE]
        assert re.search(r"-O3\b", mods[MODULE]["flags"]), mods[MODULE]["flags"]
        assert all(m["passed"] for m in mods.values())
        if writable_copy:
            b.expect(r"^profile: saved to bios80p1:/PROFILE/RUN0\.JSN, seq 1")
            assert profile_store.newest(path)[0] == fprofile.extract(b.log)
    qemu.check(name, b, check)
    if writable_copy:
        os.unlink(path)
    return b


def test_q35_reads_the_cache_past_the_ram_copy_through_the_bios():
    boot_and_check("bios_q35", "q35")


SEABIOS_CYLINDER_SECTORS = 16 * 63     # the geometry SeaBIOS gives a disk of this size


def test_pc_with_disk_bios_chs_reads_with_chs_calls():
    """The path of a BIOS without INT 13h extensions: AH=08h's geometry, AH=02h reads. CHS
    reaches whole cylinders only, less the last one, which AH=08h leaves out (SeaBIOS, like
    the BIOSes before it), so the image is padded by a cylinder and a partial one (a disk whose
    partition ran into them would be refused: partition outside the disk)."""
    path = image()
    padded = os.path.join(WORK, "chs.img")
    shutil.copyfile(path, padded)
    cylinder = SEABIOS_CYLINDER_SECTORS * 512
    with open(padded, "r+b") as f:
        f.truncate((-(-os.path.getsize(path) // cylinder) + 1) * cylinder)
    b = qemu.boot(image=padded, machine="pc", memory="64M", icount=True, timeout=90,
                  cmdline="disk=bios-chs clock=icount")

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        b.expect(r"^biosdisk: bios80: CHS calls, \d+ cylinders x 16 heads x 63 sectors")
        b.expect(r"^cache: bios80p1: 1 modules in /CACHE/I686, 0 rejected")
        mods = {m["name"]: m for m in fprofile.extract(b.log)["modules"]}
        assert mods[MODULE]["source"] == "cache" and mods[MODULE]["passed"], mods[MODULE]
    qemu.check("bios_chs", b, check)
    os.unlink(padded)


def test_pc_with_disk_bios_skips_ata():
    b = boot_and_check("bios_pc", "pc", cmdline="disk=bios clock=icount")
    b.expect(r"^cache: disk=bios: ATA disks not probed")


def matrix_case(attach):
    def case():
        # Plain TCG: under -icount, emulated USB controllers crawl (their timers run on
        # instruction counts), and nothing here is timed.
        boot_and_check(f"bios_{attach}", "pc", attach=attach, writable_copy=True,
                       icount=False)
    case.__name__ = f"test_boots_from_{attach.replace('-', '_')}_through_the_bios"
    return case


for _attach in ("virtio-blk", "virtio-scsi", "nvme", "usb-ehci", "usb-xhci"):
    _case = matrix_case(_attach)
    globals()[_case.__name__] = _case
