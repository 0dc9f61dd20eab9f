"""Boot-chain paths QEMU's BIOS never takes on its own, through test builds of stage1/stage2
(mk/boot.mk BOOT_VARIANTS): CHS reads as on a BIOS without INT 13h extensions, and each way of
enabling A20 after starting with it off. Each must still boot the real kernel to a clean exit."""
import os

from fluid import ROOT
from fluid.qemu import EXIT_SUCCESS, boot, check

IMAGES = os.path.join(ROOT, "build", "test-images")

# variant -> the stage2 line that proves the path was taken
PATHS = {
    "chs": r"^FLUID stage2: no INT 13h extensions, using CHS",
    "a20bios": r"^FLUID stage2: A20 enabled by the BIOS \(INT 15h 2401h\)",
    "a20port92": r"^FLUID stage2: A20 enabled through port 92h",
    "a20kbc": r"^FLUID stage2: A20 enabled through the keyboard controller",
}


def cases():
    for variant, proof in PATHS.items():
        def run(variant=variant, proof=proof):
            image = os.path.join(IMAGES, f"fluid-{variant}.img")
            assert os.path.exists(image), f"{image} missing: run make test"
            result = boot(image=image, machine="pc", memory="32M", timeout=120)

            def verify(r):
                r.expect(proof, f"the {variant} path")
                r.expect(r"^FLUID stage2: kernel loaded, \d+ bytes", "kernel loaded")
                r.expect(r"^fluid: done, status ok")
                assert r.status == EXIT_SUCCESS, f"status {r.status}"
            check(f"boot-{variant}", result, verify)
        yield f"boot-path[{variant}]", run
