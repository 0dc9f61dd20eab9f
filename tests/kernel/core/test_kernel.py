"""Kernel core behaviour beyond a plain boot: the fault guard, a machine without a UART,
interactive mode, and the clock option."""
from fluid.qemu import EXIT_SUCCESS, boot, check

INTERACTIVE_WAIT_S = 8


def test_fault_guard_selftest_recovers_every_case():
    result = boot(cmdline="test=guard", timeout=60)

    def verify(r):
        r.expect(r"6 of 6 cases behaved", "guard self-test summary")
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("kernel-guard", result, verify)


def test_missing_uart_does_not_hang_the_kernel():
    """No COM1 at all: every serial write must time out quickly and the run still end."""
    result = boot(serial=False, timeout=60)
    assert result.status == EXIT_SUCCESS, f"no clean exit without a UART: {result.stopped_because}"


def test_interactive_mode_waits_for_a_key():
    result = boot(cmdline="interactive", timeout=INTERACTIVE_WAIT_S)

    def verify(r):
        r.expect(r"^interactive: press a key", "the prompt")
        assert r.stopped_because == "timeout", "the kernel went on without a key"
        assert "fluid: done" not in r.log, "the kernel finished without a key"
    check("kernel-interactive", result, verify)


def test_clock_option_is_reported():
    result = boot(cmdline="clock=icount", icount=True, timeout=120)

    def verify(r):
        r.expect(r"^tsc: clock mode icount", "clock mode line")
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("kernel-clock", result, verify)


def test_heap_selftest_in_the_booted_kernel():
    """The host stress workload (kernel/mm/heap_selftest.c), run by the kernel on its real heap,
    in guard mode, then the heap's counters in the JSON profile."""
    import json
    result = boot(cmdline="test=heap heap=guard", memory="64M", timeout=120)

    def verify(r):
        r.expect(r"^heap: \d+ KiB in free RAM ranges, guard mode on", "heap stage")
        r.expect(r"^heap: self-test, \d+ steps, seed 0x[0-9a-f]+: 0 failures", "self-test")
        begin = r.log.index("=====BEGIN FLUID PROFILE JSON=====")
        end = r.log.index("=====END FLUID PROFILE JSON=====")
        heap = json.loads(r.log[begin:end].split("\n", 1)[1])["heap"]
        assert heap["guard_mode"] is True and heap["failed"] == 0, heap
        assert heap["total_bytes"] > 32 * 1024 * 1024, heap
        assert heap["mallocs"] >= heap["frees"] and heap["peak_held_bytes"] > 0, heap
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("kernel-heap", result, verify)
