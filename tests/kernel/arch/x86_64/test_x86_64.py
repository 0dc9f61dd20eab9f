"""The x86-64 kernel booted by the same stage1/stage2 chain: long mode entry (and the clear
refusal on a CPU without it), SSE/AVX state, the 64-bit exception reports, the stack guard
page, and the heap over all free RAM (above 4 GiB too) with its self-test. The image holds the
64-bit kernel and an empty /MODELS; `test=heap` stops before the LLM stage."""
import os
import threading

from fluid import ROOT, image as disk_image
from fluid.qemu import EXIT_FAILURE, EXIT_SUCCESS, boot, check

KERNEL64 = os.path.join(ROOT, "build/x86_64/kernel.img")
IMAGE = os.path.join(ROOT, "build/test-images/fluid64-plain.img")
BOOT_TIMEOUT_S = 90
KIB_PER_GIB = 1 << 20
_lock = threading.Lock()


def image():
    """The 64-bit image without models, built once (tests run in parallel threads)."""
    with _lock:
        if not os.path.exists(IMAGE) or os.path.getmtime(IMAGE) < os.path.getmtime(KERNEL64):
            os.makedirs(os.path.dirname(IMAGE), exist_ok=True)
            disk_image.build(IMAGE, KERNEL64, fat_mib=16, dirs=["/MODELS"])
    return IMAGE


def boot64(cmdline, machine="pc64", memory="512M", cpu=None, **kw):
    return boot(image(), machine=machine, memory=memory, cpu=cpu, cmdline=cmdline,
                timeout=BOOT_TIMEOUT_S, **kw)


def test_long_mode_boot_heap_selftest():
    result = boot64("test=heap")

    def verify(r):
        r.expect(r"^FLUID stage2: entering the kernel", "stage2 jump")
        r.expect(r"^fluid: Fluid x86-64 kernel", "64-bit banner")
        r.expect(r"^fpu: x87 and SSE on", "SSE enabled before C")
        r.expect(r"^arch: GDT, TSS .*guard page 0x[0-9a-f]*[1-9a-f]", "GDT/IDT and guard page")
        r.expect(r"^heap: self-test, \d+ steps, seed 0x[0-9a-f]+: 0 failures", "heap self-test")
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("x86_64-heap", result, verify)


def test_avx_state_enabled_with_cpu_max():
    result = boot64("test=heap", cpu="max")

    def verify(r):
        r.expect(r"^fpu: .*XCR0 0x[0-9a-f]+: AVX state on", "XCR0 with AVX")
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("x86_64-avx", result, verify)


def test_heap_takes_memory_above_4gib():
    """6 GiB: stage2 maps it all (1 GiB pages with -cpu max), the heap gets nearly all of it
    and writes its chunk headers there (an unmapped page would be a reported #PF)."""
    result = boot64("test=heap", memory="6G", cpu="max")

    def verify(r):
        kib = int(r.expect(r"^heap: (\d+) KiB in free RAM ranges", "heap size").group(1))
        assert kib > 5 * KIB_PER_GIB + KIB_PER_GIB // 2, f"heap only {kib} KiB of 6 GiB"
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("x86_64-6g", result, verify)


def test_divide_error_report():
    result = boot64("test=divide-error")

    def verify(r):
        r.expect(r"^exception: #DE divide error \(vector 0\) error code 0x0{16}$", "#DE line")
        r.expect(r"^exception: rip 0x[0-9a-f]{16} cs 0x0008 rflags", "RIP/CS line")
        r.expect(r"^exception: r12 0x", "extended registers")
        r.expect(r"^exception: cr0 0x[0-9a-f]+ cr2", "control registers")
        assert r.status == EXIT_FAILURE, f"status {r.status}"
    check("x86_64-divide-error", result, verify)


def test_stack_overflow_hits_the_guard_page():
    result = boot64("test=stack-overflow")

    def verify(r):
        r.expect(r"^exception: #(DF double fault|PF page fault)", "fault report")
        r.expect(r"hit the stack guard page 0x[0-9a-f]+: kernel stack overflow", "overflow named")
        assert r.status == EXIT_FAILURE, f"status {r.status}"
    check("x86_64-stack-overflow", result, verify)


def test_cpu_without_long_mode_is_refused():
    """qemu32 has no CPUID long-mode bit: stage2 must say so and stop, not jump."""
    result = boot(image(), machine="pc64", memory="128M", cpu="qemu32", timeout=30,
                  until=r"CPU has no long mode")

    def verify(r):
        r.expect(r"x86-64 kernel but the CPU has no long mode", "stage2 message")
        assert "fluid: Fluid x86-64 kernel" not in r.log, "the kernel ran anyway"
    check("x86_64-no-lm", result, verify)
