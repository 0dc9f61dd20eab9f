"""Both kernels under Bochs (tools/fluid/bochs.py, docs/bochs.md), with its rombios and a Haswell
CPU model that has x2APIC, which QEMU's TCG lacks. Checked, from the COM1 log:
  - i686 on 2 CPUs with apic=x2apic: the boot CPU switches to x2APIC mode, both CPUs start
    and both run in x2APIC mode by their own IA32_APIC_BASE (the cpus JSON line's "started",
    "apic_mode", "cpus_in_mode"), the suite (one module) passes, the kernel ends "status ok";
  - x86-64 on 2 CPUs with apic=x2apic: the same, and the LLM stage on 2 workers gives run.c's
    reference tokens (the greedy stories260K case, its first STEPS tokens): the wake-up IPIs
    of the worker pool go through the x2APIC ICR;
  - i686 on 2 CPUs with the boot CPU's APIC left in x2APIC mode as firmware may hand it over
    (test.smp_firmware_x2apic=1, before the kernel looks): the kernel finds x2APIC mode by
    itself, says so, and starts the AP and runs both CPUs in it with no apic= option;
  - i686 on 1 CPU with no /CMDLINE.TXT at all: the whole suite, in the firmware's xAPIC mode
    (a PC booted from a stick with no options; the COM1 probe Bochs's UART once failed);
  - with FLUID_BOCHS_ALL=1 (make test-bochs): i686 on 2 CPUs in xAPIC mode, x86-64 in xAPIC
    mode on 2 CPUs and on 1 CPU, i686 on 4 CPUs in x2APIC mode, and an AP's #UD in x2APIC
    mode (test.smp_ap_fault=ud2): the NMI through the x2APIC ICR stops the boot CPU, the
    report names CPU 1, the run ends "status failed".
Every boot also checks that every JSON line is valid JSON. Skipped, with the reason, where
bochs, bochsbios or vgabios is missing (make setup installs them)."""
import json
import os
import tempfile
import threading
import unittest

from fluid import ROOT, bochs, image as disk_image, shared_models
from fluid.qemu import json_lines_strict, save_log

KERNEL64 = os.path.join(ROOT, "build/x86_64/kernel.img")
IMAGE32 = os.path.join(ROOT, "fluid.img")
IMAGE64 = os.path.join(ROOT, "build/test-images/fluid64-bochs.img")
BOOT_TIMEOUT_S = 120
STEPS = 32                      # greedy: the first STEPS tokens of the reference run
SHORT_SUITE = "suite.modules=sum"
SWITCH_BY_OPTION = r"^smp: the local APIC switched from xAPIC to x2APIC mode \(apic=x2apic\)"
FOUND_FROM_FIRMWARE = r"^smp: the local APIC is in x2APIC mode \(firmware's choice\)"
_lock = threading.Lock()


def require_bochs():
    reason = bochs.missing()
    if reason:
        raise unittest.SkipTest(reason)


def greedy_case():
    case = shared_models.reference()["generation"][0]
    assert case["model"] == "stories260K.bin" and case["temperature"] == 0.0, case
    return case


def image64():
    """An x86-64 image with stories260K, tok512 and a greedy STEPS-token LLAMA.CFG."""
    with _lock:
        if not os.path.exists(IMAGE64) or os.path.getmtime(IMAGE64) < os.path.getmtime(KERNEL64):
            case = greedy_case()
            tmp = tempfile.mkdtemp(prefix="fluid-bochs-img-")
            cfg = os.path.join(tmp, "LLAMA.CFG")
            with open(cfg, "w") as f:
                f.write(f"model = S260K.BIN\ntokenizer = TOK512.BIN\nprompt = {case['prompt']}\n"
                        f"steps = {STEPS}\ntemperature = 0.0\ntopp = {case['topp']}\n"
                        f"seed = {case['seed']}\n")
            os.makedirs(os.path.dirname(IMAGE64), exist_ok=True)
            disk_image.build(IMAGE64 + ".tmp", KERNEL64, fat_mib=16, dirs=["/MODELS"], files=[
                (cfg, "/MODELS/LLAMA.CFG"),
                (shared_models.path("tok512.bin"), "/MODELS/TOK512.BIN"),
                (shared_models.path("stories260K.bin"), "/MODELS/S260K.BIN")])
            os.replace(IMAGE64 + ".tmp", IMAGE64)
    return IMAGE64


def json_line(result, key):
    m = result.expect(r'^\{"' + key + r'": .*\}$', key)
    return json.loads(m.group(0))[key]


def check(name, result, verify, ok=True):
    """Every JSON line valid, the run ended at the kernel's last line with status ok (or
    failed, for ok=False), then verify(result); on failure keep the log and say where."""
    try:
        json_lines_strict(result.log)
        assert result.stopped_because == "until", \
            f"stopped by {result.stopped_because}, not at the kernel's last line\n{result.tail()}"
        assert result.ok is ok, f"the kernel's status line says {result.ok}\n{result.tail()}"
        verify(result)
    except AssertionError as e:
        raise AssertionError(f"{e}\n(full log: {save_log('bochs-' + name, result)})")


def expect_cpus(r, cpus, mode):
    c = json_line(r, "cpus")
    assert c["count"] == cpus and c["started"] == cpus, c
    assert c["started_ids"] == list(range(cpus)), c
    assert c["apic_mode"] == mode and c["cpus_in_mode"] == cpus, c


def boot_i686(name, cpus, cmdline, mode, switch=SWITCH_BY_OPTION):
    require_bochs()
    r = bochs.boot(IMAGE32, cpus=cpus, cmdline=cmdline, timeout=BOOT_TIMEOUT_S)

    def verify(r):
        expect_cpus(r, cpus, mode)
        if mode == "x2APIC":
            r.expect(switch, "how x2APIC mode came")
        r.expect(r"^suite: \d+ modules, (\d+) passed, 0 failed", "the suite's summary")
    check(name, r, verify)


def boot_x86_64(name, cpus, cmdline, mode):
    require_bochs()
    case = greedy_case()
    r = bochs.boot(image64(), cpus=cpus, cmdline=cmdline, timeout=BOOT_TIMEOUT_S)

    def verify(r):
        expect_cpus(r, cpus, mode)
        ids = json_line(r, "llm_ids")
        assert ids == case["generated_ids"][:STEPS], f"{ids} != reference"
        assert json_line(r, "llm_kernel")["workers"] == cpus, json_line(r, "llm_kernel")
    check(name, r, verify)


def test_i686_two_cpus_x2apic():
    boot_i686("i686-2-x2apic", 2, f"apic=x2apic {SHORT_SUITE}", "x2APIC")


def test_i686_two_cpus_x2apic_from_firmware():
    boot_i686("i686-2-x2apic-firmware", 2, f"test.smp_firmware_x2apic=1 {SHORT_SUITE}",
              "x2APIC", switch=FOUND_FROM_FIRMWARE)


def test_x86_64_two_cpus_x2apic():
    boot_x86_64("x86_64-2-x2apic", 2, "apic=x2apic", "x2APIC")


def test_i686_one_cpu_no_options():
    """No /CMDLINE.TXT: the whole suite, as a PC booted with no options runs it."""
    require_bochs()
    r = bochs.boot(IMAGE32, cpus=1, cmdline=None, timeout=BOOT_TIMEOUT_S)

    def verify(r):
        r.expect(r"^cmdline: none \(no fw_cfg file opt/fluid/cmdline; no /CMDLINE.TXT\)$",
                 "no options")
        expect_cpus(r, 1, "xAPIC")
        r.expect(r"^suite: 12 modules, 12 passed, 0 failed", "the whole suite")
    check("i686-1-none", r, verify)


def ap_fault_x2apic():
    require_bochs()
    r = bochs.boot(image64(), cpus=2, cmdline="apic=x2apic test.smp_ap_fault=ud2",
                   timeout=BOOT_TIMEOUT_S)

    def verify(r):
        r.expect(r"^smp: cpu 1 stopped 1 of the other 1 CPUs$", "the NMI stop")
        r.expect(r"^exception: on cpu 1 \(APIC ID 1\)$", "the report's CPU")
        r.expect(r"^exception: #UD invalid opcode", "the exception")
    check("x86_64-2-x2apic-ud2", r, verify, ok=False)


def cases():
    if not os.environ.get("FLUID_BOCHS_ALL"):
        return
    yield "i686_two_cpus_xapic", lambda: boot_i686("i686-2-xapic", 2, SHORT_SUITE, "xAPIC")
    yield "x86_64_two_cpus_xapic", lambda: boot_x86_64("x86_64-2-xapic", 2, "", "xAPIC")
    yield "x86_64_one_cpu_xapic", lambda: boot_x86_64("x86_64-1-xapic", 1, "", "xAPIC")
    yield "i686_four_cpus_x2apic", lambda: boot_i686("i686-4-x2apic", 4,
                                                     f"apic=x2apic {SHORT_SUITE}", "x2APIC")
    yield "x86_64_ap_fault_x2apic", ap_fault_x2apic
