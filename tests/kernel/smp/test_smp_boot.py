"""Both kernels with several CPUs under QEMU (kernel/smp, docs/smp.md). Checked:
  - the x86-64 kernel on -M pc and -M q35 with -smp 1, 2, 4 and 8 starts every CPU (the cpus JSON line's
    "started" and "started_ids"), runs the LLM stage on that many workers ("workers" in the
    llm_kernel line) and gives the reference tokens of run.c for the greedy stories260K case;
    -smp 4 also for the seeded top-p case; smp=1 on -smp 4 starts no AP and gives the same
    tokens on one worker; -smp 2 once under multi-threaded TCG, where the CPUs really run
    at the same time;
  - a CPU without a local APIC (-cpu qemu64,-apic): the boot CPU alone gives the reference
    tokens, the heap finding its share through GS all the same;
  - test.smp_withhold=2 on -smp 4: APIC ID 2 gets INIT but no STARTUP, is reported in
    "no_answer_ids" and left out, and the run completes on 3 workers with the right tokens;
  - test.smp_ap_fault=ud2 (x86-64) and =pf (i686) on -smp 4: the exception report names the
    CPU, the other three are stopped, the log ends with the report and the failure line, and
    QEMU exits with the failure status (no hang, no reset); =stack in both kernels: the AP's
    own guard page catches its stack overflow (a #DF on its IST stack, or on its own
    double-fault task in the i686 kernel) and the report names that page;
  - the i686 kernel with -smp 4 starts all four and still runs its whole suite;
  - test=heap on -smp 4, both kernels: the heap's threaded self-test on all four CPUs at once
    (multi-threaded TCG), 0 failures and a clean heap_check.
The boots use single-threaded TCG unless stated: on the 2-core build machine its round-robin
of the vCPUs runs these small models faster than one host thread per vCPU (measured in
docs/smp.md)."""
import json
import os
import re
import tempfile
import threading

from fluid import ROOT, image as disk_image, shared_models
from fluid.qemu import EXIT_FAILURE, EXIT_SUCCESS, boot, check

KERNEL64 = os.path.join(ROOT, "build/x86_64/kernel.img")
IMAGE = os.path.join(ROOT, "build/test-images/fluid64-smp.img")
BOOT_TIMEOUT_S = 180
SINGLE_TCG = ("-accel", "tcg,thread=single")
MULTI_TCG = ("-accel", "tcg,thread=multi")
FILES = [("tok512.bin", "TOK512.BIN"), ("stories260K.bin", "S260K.BIN")]
_lock = threading.Lock()
_tmp = tempfile.mkdtemp(prefix="fluid-smp-")


def reference():
    cases = shared_models.reference()["generation"]
    # The greedy and the seeded top-p stories260K cases (tok512), as the llama tests use them.
    picked = [c for c in cases if c["model"] == "stories260K.bin"][:2]
    assert len(picked) == 2 and picked[0]["temperature"] == 0.0, picked
    return picked


def config_text(case):
    return (f"model = S260K.BIN\ntokenizer = TOK512.BIN\nprompt = {case['prompt']}\n"
            f"steps = {case['steps']}\ntemperature = {case['temperature']}\n"
            f"topp = {case['topp']}\nseed = {case['seed']}\n")


def image():
    """An image with stories260K, tok512 and a config per picked case, built once."""
    with _lock:
        if not os.path.exists(os.path.join(_tmp, "built")):
            files = []
            for i, case in enumerate(reference()):
                path = os.path.join(_tmp, f"GEN{i}.CFG")
                with open(path, "w") as f:
                    f.write(config_text(case))
                files.append((path, f"/MODELS/GEN{i}.CFG"))
            files += [(shared_models.path(src), f"/MODELS/{dst}") for src, dst in FILES]
            os.makedirs(os.path.dirname(IMAGE), exist_ok=True)
            disk_image.build(IMAGE, KERNEL64, fat_mib=16, dirs=["/MODELS"], files=files)
            open(os.path.join(_tmp, "built"), "w").close()
    return IMAGE


def json_line(result, key):
    m = result.expect(r'^\{"' + key + r'": .*\}$', key)
    return json.loads(m.group(0))[key]


def boot64(smp, cmdline, machine="pc64", accel=SINGLE_TCG):
    return boot(image(), machine=machine, memory="512M", cmdline=cmdline,
                timeout=BOOT_TIMEOUT_S, extra=("-smp", str(smp)) + accel)


def expect_started(r, ids, no_answer=(), left_out=()):
    cpus = json_line(r, "cpus")
    assert cpus["started"] == len(ids), cpus
    assert cpus["started_ids"] == list(ids), cpus
    assert cpus["no_answer_ids"] == list(no_answer), cpus
    assert cpus["left_out_ids"] == list(left_out), cpus


def expect_tokens(r, case, workers):
    ids = json_line(r, "llm_ids")
    assert ids == case["generated_ids"], f"{len(ids)} ids, want {len(case['generated_ids'])}"
    assert json_line(r, "llm_kernel")["workers"] == workers, json_line(r, "llm_kernel")
    assert r.status == EXIT_SUCCESS, f"status {r.status}"


def llm_case(name, smp, machine="pc64", case_index=0, accel=SINGLE_TCG, cmdline=""):
    case = reference()[case_index]
    result = boot64(smp, f"llm.cfg=/MODELS/GEN{case_index}.CFG {cmdline}".strip(), machine,
                    accel)

    def verify(r):
        expect_started(r, range(smp))
        r.expect(rf"^smp: {smp} of {smp} CPUs run \(limit 16\)$", "the summary line")
        expect_tokens(r, case, smp)
    check(name, result, verify)


def cases():
    for machine in ("pc64", "q3564"):
        for n in (1, 2, 4, 8):
            yield f"matrix_{machine}_smp{n}_reference_tokens", (
                lambda m=machine, n=n: llm_case(f"smp-matrix-{m}-{n}", n, m))


def test_seeded_topp_case_on_four_cpus():
    llm_case("smp-topp-4", 4, case_index=1)


def test_two_cpus_under_multithreaded_tcg():
    llm_case("smp-mttcg-2", 2, accel=MULTI_TCG)


def test_smp_1_option_runs_one_worker():
    case = reference()[0]
    result = boot64(4, "llm.cfg=/MODELS/GEN0.CFG smp=1")

    def verify(r):
        expect_started(r, [0], left_out=[1, 2, 3])
        expect_tokens(r, case, 1)
    check("smp-option-1", result, verify)


def test_no_local_apic_runs_on_the_boot_cpu():
    """A CPU without a local APIC (CPUID.1:EDX bit 9 clear): only the boot CPU runs, and the
    heap, which finds the CPU's share through GS from arch init on (not from smp_start, which
    gives up here), serves the whole LLM run."""
    case = reference()[0]
    result = boot(image(), machine="pc64", memory="512M", cmdline="llm.cfg=/MODELS/GEN0.CFG",
                  timeout=BOOT_TIMEOUT_S, extra=("-smp", "1", "-cpu", "qemu64,-apic") + SINGLE_TCG)

    def verify(r):
        r.expect(r"^smp: no usable local APIC: only the boot CPU runs$", "the fallback line")
        cpus = json_line(r, "cpus")
        assert cpus["started"] == 1 and cpus["started_ids"] == [], cpus
        assert "GS does not address" not in r.log
        expect_tokens(r, case, 1)
    check("smp-no-lapic", result, verify)


def test_withheld_ap_is_reported_and_left_out():
    case = reference()[0]
    result = boot64(4, "llm.cfg=/MODELS/GEN0.CFG test.smp_withhold=2")

    def verify(r):
        r.expect(r"^smp: APIC ID 2: no answer within \d+ ms \(it never reached the "
                 r"trampoline, STARTUP withheld by test\.smp_withhold\); left out$",
                 "the AP reported")
        expect_started(r, [0, 1, 3], no_answer=[2])
        expect_tokens(r, case, 3)
    check("smp-withhold", result, verify)


def expect_ap_fault(r, vector_line, last_report_line=r"exception: cr0 "):
    r.expect(r"^test: CPU 3 raises ", "the test hook")
    r.expect(r"^smp: cpu 3 stopped 3 of the other 3 CPUs$", "the other CPUs stopped")
    r.expect(r"^exception: on cpu 3 \(APIC ID 3\)$", "the CPU named")
    r.expect(vector_line, "the exception")
    lines = r.log.rstrip("\n").splitlines()
    assert lines[-1] == "fluid: done, status failed", f"last line {lines[-1]!r}"
    assert re.match(last_report_line, lines[-2]), f"the report cut short: {lines[-3:]}"
    assert r.stopped_because == "exit" and r.status == EXIT_FAILURE, \
        f"{r.stopped_because}, status {r.status}"


def test_exception_on_an_ap_stops_every_cpu_x86_64():
    result = boot64(4, "test=cpus test.smp_ap_fault=ud2")
    check("smp-ap-ud2", result, lambda r: expect_ap_fault(
        r, r"^exception: #UD invalid opcode \(vector 6\) error code 0x0{16}$"))


def test_exception_on_an_ap_stops_every_cpu_i686():
    result = boot(machine="pc", cmdline="test.smp_ap_fault=pf", timeout=BOOT_TIMEOUT_S,
                  extra=("-smp", "4") + SINGLE_TCG)

    def verify(r):
        expect_ap_fault(r, r"^exception: #PF page fault \(vector 14\) error code 0x00000002$")
        r.expect(r"^exception: cr0 0x[0-9a-f]{8} cr2 0x00000010 ", "the address in CR2")
    check("smp-ap-pf-i686", result, verify)


def test_i686_four_cpus_and_the_whole_suite():
    result = boot(machine="pc", timeout=BOOT_TIMEOUT_S, extra=("-smp", "4") + SINGLE_TCG)

    def verify(r):
        expect_started(r, range(4))
        r.expect(r"^stage: modules$", "the suite ran")
        assert "stage: modules failed" not in r.log
        assert r.status == EXIT_SUCCESS, f"status {r.status}"
    check("smp-i686-4", result, verify)


HEAP_THREADED = re.compile(r"^heap: threaded self-test on (\d+) of (\d+) CPUs, \d+ steps each, "
                           r"seed 0x[0-9a-f]+: (\d+) failures$", re.M)


def expect_threaded_heap(r, cpus):
    """The heap stage's test=heap: the one-CPU self-test, then the threaded one on every CPU
    (kernel/mm/memory_stage.c): blocks handed between CPUs, all checked, heap_check clean."""
    r.expect(r"^heap: self-test, \d+ steps, seed 0x[0-9a-f]+: 0 failures$", "one-CPU self-test")
    m = HEAP_THREADED.search(r.log)
    assert m, "no threaded self-test line"
    assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (cpus, cpus, 0), m.group(0)
    assert "consistency check after the threaded self-test" not in r.log
    assert r.status == EXIT_SUCCESS, f"status {r.status}"


def test_threaded_heap_selftest_on_four_cpus_x86_64():
    """Under multi-threaded TCG, so the four CPUs really are in the heap at once."""
    result = boot64(4, "test=heap", accel=MULTI_TCG)
    check("smp-heap-x86_64", result, lambda r: expect_threaded_heap(r, 4))


def test_threaded_heap_selftest_on_four_cpus_i686():
    result = boot(machine="pc", cmdline="test=heap", timeout=BOOT_TIMEOUT_S,
                  extra=("-smp", "4") + MULTI_TCG)
    check("smp-heap-i686", result, lambda r: expect_threaded_heap(r, 4))


def guard_of_cpu3(r):
    return r.expect(r"^smp: CPU 3 \(APIC ID 3\) started: stack top 0x[0-9a-f]+, guard page "
                    r"0x([0-9a-f]+)$", "CPU 3's guard page").group(1)


def test_stack_overflow_on_an_ap_hits_its_guard_page_x86_64():
    result = boot64(4, "test=cpus test.smp_ap_fault=stack")

    def verify(r):
        guard = int(guard_of_cpu3(r), 16)
        expect_ap_fault(r, r"^exception: #DF double fault \(vector 8\)",
                        rf"exception: the fault hit the stack guard page 0x0*{guard:x}: ")
    check("smp-ap-stack", result, verify)


def test_stack_overflow_on_an_ap_hits_its_guard_page_i686():
    result = boot(machine="pc", cmdline="test.smp_ap_fault=stack", timeout=BOOT_TIMEOUT_S,
                  extra=("-smp", "4") + SINGLE_TCG)

    def verify(r):
        guard = guard_of_cpu3(r)
        expect_ap_fault(r, r"^exception: #DF double fault \(vector 8\) error code 0x00000000, "
                        r"caught on the double-fault task",
                        rf"exception: esp is at the stack guard page 0x{guard}: ")
    check("smp-ap-stack-i686", result, verify)
