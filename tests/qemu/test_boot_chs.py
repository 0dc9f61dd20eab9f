"""The CHS path of stage1 and stage2 (BIOSes without INT 13h extensions): a test build of the
boot chain that never asks for the extensions must still load stage2, the kernel, its CRC and
the partition copy, and boot to a clean exit."""
import os

from qemu import EXIT_SUCCESS, ROOT, boot, check

CHS_IMAGE = os.path.join(ROOT, "build", "test-images", "fluid-chs.img")


def test_boot_through_chs_reads():
    assert os.path.exists(CHS_IMAGE), f"{CHS_IMAGE} missing: run make test"
    result = boot(image=CHS_IMAGE, machine="pc", memory="32M", timeout=120)

    def verify(r):
        r.expect(r"^FLUID stage2: no INT 13h extensions, using CHS", "CHS mode")
        r.expect(r"^FLUID stage2: kernel loaded, \d+ bytes", "kernel read through CHS")
        r.expect(r"^FLUID stage2: partition 1 copied to RAM", "partition copy through CHS")
        r.expect(r"^fluid: done, status ok")
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("boot-chs", result, verify)
