"""The LLM run of the booted x86-64 kernel under QEMU against llama2.c's run.c
(reference.json beside the models in SHARED_MODELS, default ../shared/models from the repo
root, as in CI). One image holds every model, tokenizer and a config file per case; the kernel
command line picks the config (llm.cfg=...). Checked:
  - every greedy reference case token for token and text for text (IDE disk, qemu64: SSE2),
    the first one also with -cpu max (AVX2+FMA kernels), and on q35 (AHCI: the boot disk
    through the BIOS from long mode) the first and the one whose model lies past the 4 MiB of
    stage2's RAM copy, which is also read from virtio-blk, NVMe and USB (XHCI) disks;
  - the seeded top-p case; the version-1 file giving the version-0 tokens;
  - the tokenizer.bin encodings of the reference strings;
  - synthetic models (fp32 with an unshared classifier and GQA, and Q8_0): the kernel's last
    logits against the host build of the same code (build/host/llm/llm_cli);
  - bad files (a truncated model, a truncated tokenizer, a config naming a missing file, a
    directory entry claiming 4 GiB, a model whose weights are NaN):
    a message saying what is wrong and a failed exit, never an exception.
Missing models fail every test with the missing path named."""
import array
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading

from fluid import ROOT, cache, fatimg, image as disk_image, shared_models
from fluid.qemu import EXIT_FAILURE, EXIT_SUCCESS, boot, check

KERNEL64 = os.path.join(ROOT, "build/x86_64/kernel.img")
IMAGE = os.path.join(ROOT, "build/test-images/fluid64-llama.img")
CLI = os.path.join(ROOT, "build/host/llm/llm_cli")
BOOT_TIMEOUT_S = 120
LOGIT_TOLERANCE = 1e-3          # relative to the largest |logit| shown
SUM_TOLERANCE = 1e-4            # relative to the sum of |logits|
SYNTH_STEPS = 8
SYNTH_PROMPT = "Once upon a time"
# 8.3 names on the partition, in this order: configs, tok512 and stories260K inside the first
# 4 MiB (what stage2's RAM copy holds), aidreams past it.
FILES = [("tok512.bin", "TOK512.BIN"), ("stories260K.bin", "S260K.BIN"),
         ("stories260K_v1.bin", "S260KV1.BIN"), ("babyllama105.bin", "BABY105.BIN"),
         ("tok105.bin", "TOK105.BIN"), ("aidreams260K.bin", "AIDREAMS.BIN"),
         ("aidreams_tok512.bin", "AIDTOK.BIN"), ("tokenizer.bin", "LLAMATOK.BIN")]
NAMES = dict(FILES)
SYNTH = {"SYNTH.BIN": ["--dims=64,176,2,8,4,512,64", "--unshared", "--seed", "7"],
         "SYNTHQ8.BIN": ["--dims=64,192,2,4,4,512,64", "--format", "v2", "--seed", "8"]}
# Damaged copies (name: shared file, fraction kept) and the configs that use them, with the
# message the kernel must print instead of faulting.
BAD_FILES = {"TRUNC.BIN": ("stories260K.bin", 0.5), "BADTOK.BIN": ("tok512.bin", 0.5)}
BAD_CONFIGS = {
    "BADMODEL.CFG": ("TRUNC.BIN", "TOK512.BIN", r"^llm: model: file is \d+ bytes, header implies \d+"),
    "BADTOK.CFG": ("S260K.BIN", "BADTOK.BIN", r"^llm: tokenizer: entry \d+ (truncated|needs)"),
    "MISSING.CFG": ("NOSUCH.BIN", "TOK512.BIN", r"^llm: cannot open /MODELS/NOSUCH\.BIN: "),
    # HUGE.BIN's directory entry claims 0xFFFFFFFF bytes (patched after the image is built):
    # the size must be refused, not wrapped to a zero-byte buffer (size + 1) and overrun.
    "NAN.CFG": ("NAN.BIN", "TOK512.BIN",
                r"^llm: forward: logit \d+ is not finite \(NaN\) at position 0$"),
    "HUGE.CFG": ("HUGE.BIN", "TOK512.BIN",
                 r"^llm: (cannot open /MODELS/HUGE\.BIN: .*chain|no memory for /MODELS/HUGE\.BIN)"),
}
# NAN.BIN: stories260K (version 0: a 7-int header, then the token embedding table) with its
# first NAN_FLOATS weights NaN, so every logit is NaN; it must fail, not "generate".
NAN_SOURCE, NAN_FLOATS = "stories260K.bin", 512 * 64
# Files whose FAT16 directory entry gets a hostile size after the image is built.
HOSTILE_SIZES = {"/MODELS/HUGE.BIN": 0xFFFFFFFF}
_lock = threading.Lock()
_tmp = tempfile.mkdtemp(prefix="fluid-llama-")


def reference():
    return shared_models.reference()


def config_text(model, tokenizer, prompt="", steps=0, temperature=0.0, topp=0.9, seed=1):
    escaped = prompt.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return (f"model = {model}\ntokenizer = {tokenizer}\nprompt = {escaped}\nsteps = {steps}\n"
            f"temperature = {temperature}\ntopp = {topp}\nseed = {seed}\n")


def case_config(case, model=None):
    return config_text(model or NAMES[case["model"]], NAMES[case["tokenizer"]], case["prompt"],
                       case["steps"], case["temperature"], case["topp"], case["seed"])


def build_files(ref):
    """(host path, partition path) of every file the image holds, configs first."""
    out = []

    def add(name, text):
        path = os.path.join(_tmp, name)
        with open(path, "w") as f:
            f.write(text)
        out.append((path, f"/MODELS/{name}"))
    for i, case in enumerate(ref["generation"]):
        add(f"GEN{i}.CFG", case_config(case))
    add("V1.CFG", case_config(ref["generation"][0], model="S260KV1.BIN"))
    add("ENC.CFG", config_text("NONE.BIN", "LLAMATOK.BIN"))
    for name in SYNTH:
        add(name[:-4] + ".CFG", config_text(name, "TOK512.BIN", SYNTH_PROMPT, SYNTH_STEPS))
    texts = "\0".join(c["text"] for c in ref["encoding"])
    with open(os.path.join(_tmp, "ENCODE.TXT"), "w", encoding="utf-8") as f:
        f.write(texts)
    out.append((os.path.join(_tmp, "ENCODE.TXT"), "/MODELS/ENCODE.TXT"))
    for src, name in FILES:
        out.append((shared_models.path(src), f"/MODELS/{name}"))
    for name, args in SYNTH.items():
        path = os.path.join(_tmp, name)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/synth_model.py"), path,
                        *args], check=True, capture_output=True)
        out.append((path, f"/MODELS/{name}"))
    for name, (src, keep) in BAD_FILES.items():
        with open(shared_models.path(src), "rb") as f:
            data = f.read()
        path = os.path.join(_tmp, name)
        with open(path, "wb") as f:
            f.write(data[:int(len(data) * keep)])
        out.append((path, f"/MODELS/{name}"))
    for name, (model, tok, _) in BAD_CONFIGS.items():
        add(name, config_text(model, tok, "", 8))
    add("HUGE.BIN", "a small file whose size the test makes 4 GiB\n")
    with open(shared_models.path(NAN_SOURCE), "rb") as f:
        data = bytearray(f.read())
    header = 7 * 4
    data[header:header + 4 * NAN_FLOATS] = struct.pack("<f", float("nan")) * NAN_FLOATS
    path = os.path.join(_tmp, "NAN.BIN")
    with open(path, "wb") as f:
        f.write(data)
    out.append((path, "/MODELS/NAN.BIN"))
    return out


def image():
    """The test image, built once per run (tests run in parallel threads)."""
    with _lock:
        if not os.path.exists(os.path.join(_tmp, "built")):
            files = build_files(reference())
            os.makedirs(os.path.dirname(IMAGE), exist_ok=True)
            disk_image.build(IMAGE, KERNEL64, fat_mib=32, dirs=["/MODELS"], files=files)
            volume = fatimg.Volume(IMAGE, base=cache.volume_offset(IMAGE))
            for path, size in HOSTILE_SIZES.items():
                volume.set_size(path, size)
            open(os.path.join(_tmp, "built"), "w").close()
    return IMAGE


def run_kernel(name, cmdline, machine="pc64", cpu=None, status=EXIT_SUCCESS,
               attach="default"):
    result = boot(image(), machine=machine, memory="512M", cpu=cpu, cmdline=cmdline,
                  timeout=BOOT_TIMEOUT_S, attach=attach)

    def verify(r):
        assert r.status == status, f"status {r.status}, want {status}"
    check(name, result, verify)
    return result


def json_line(result, key):
    m = result.expect(r'^\{"' + key + r'": .*\}$', key)
    return json.loads(m.group(0))[key]


def generated_text(result):
    log = result.log
    start = log.index("output begins\n") + len("output begins\n")
    return log[start:log.index('\n{"llm": {', start)]


def check_case(name, case, cmdline, machine="pc64", cpu=None, kernels=None, source="ata0",
               attach="default"):
    result = run_kernel(name, cmdline, machine, cpu, attach=attach)

    def verify(r):
        r.expect(rf"^llm: models on {source}$", f"models read from {source}")
        r.expect(r"^llm: loaded /MODELS/\S+\.BIN, \d+ bytes in \d+\.\d s \(\d+\.\d MiB/s\)$",
                 "the model's load line with its time and rate")
        ids = json_line(r, "llm_ids")
        want = case["generated_ids"]
        diff = next((i for i, (a, b) in enumerate(zip(ids, want)) if a != b), None)
        assert ids == want, f"{len(ids)} ids, want {len(want)}; first difference at {diff}"
        assert generated_text(r).rstrip("\n") == case["text"].rstrip("\n"), "text differs"
        summary = json_line(r, "llm")
        assert summary["prompt_tokens"] == len(case["prompt_ids"]), summary
        if kernels:
            assert summary["kernels"] == kernels, f"kernels {summary['kernels']}"
    check(name, result, verify)


def check_bad_file(config):
    message = BAD_CONFIGS[config][2]
    result = run_kernel(f"llama-bad-{config}", f"llm.cfg=/MODELS/{config}", status=EXIT_FAILURE)

    def verify(r):
        reason = r.expect(message, "the reason")
        after = r.log[reason.end():].splitlines()[1:]
        assert after and after[0] == "stage: llm failed", f"after the reason: {after[:3]}"
        assert not r.lines("exception:"), "an exception instead of a message"
    check(f"llama-bad-{config}", result, verify)


def cases():
    ref = reference_or_none()
    n = len(ref["generation"]) if ref else 1
    for i in range(n):
        yield f"generate_{i}", (lambda i=i: check_case(
            f"llama-gen{i}", reference()["generation"][i], f"llm.cfg=/MODELS/GEN{i}.CFG"))
    for config in BAD_CONFIGS:
        yield f"bad_file_{config}", (lambda config=config: check_bad_file(config))


def reference_or_none():
    try:
        return reference()
    except AssertionError:
        return None


def test_greedy_avx2_kernels_cpu_max():
    check_case("llama-avx2", reference()["generation"][0], "llm.cfg=/MODELS/GEN0.CFG",
               cpu="max", kernels="avx2+fma")


RAM_COPY_BYTES = 4 << 20    # include/fluid/memlayout.h: RAMDISK_MAX_SECTORS * 512


def test_q35_ahci_reads_models_through_the_bios():
    case = reference()["generation"][0]
    assert case["model"] == "stories260K.bin", case["model"]
    check_case("llama-q35", case, "llm.cfg=/MODELS/GEN0.CFG", machine="q3564",
               source="bios80")


def past_the_ram_copy():
    """The last reference case, whose model lies past the first 4 MiB of the partition
    (asserted), where only the BIOS path reaches it on a machine without IDE; its config."""
    last = len(reference()["generation"]) - 1
    case = reference()["generation"][last]
    path = image()
    vol = fatimg.Volume(path, base=cache.volume_offset(path))
    start = vol.cluster_offset(vol.first_cluster("/MODELS/" + NAMES[case["model"]]))
    assert start >= RAM_COPY_BYTES, f"{case['model']} at {start}: inside the RAM copy"
    return case, f"llm.cfg=/MODELS/GEN{last}.CFG"


def test_q35_model_past_the_ram_copy_through_the_bios():
    case, cmdline = past_the_ram_copy()
    check_case("llama-q35-past-4m", case, cmdline, machine="q3564", source="bios80")


def matrix_case(attach):
    """The boot matrix for the x86-64 kernel: SeaBIOS boots the image from this device and
    the kernel reads the model past 4 MiB through the BIOS, giving the reference tokens."""
    def case():
        ref, cmdline = past_the_ram_copy()
        check_case(f"llama-{attach}", ref, cmdline + " clock=tcg", source="bios80",
                   attach=attach)
    case.__name__ = f"test_model_from_{attach.replace('-', '_')}_through_the_bios"
    return case


# virtio-scsi and USB behind EHCI are covered by the i686 matrix
# (tests/kernel/drivers/test_bios_boot.py); here EHCI alone takes about a minute under TCG.
for _attach in ("virtio-blk", "nvme", "usb-xhci"):
    _case = matrix_case(_attach)
    globals()[_case.__name__] = _case


def test_version1_file_gives_version0_tokens():
    check_case("llama-v1", reference()["generation"][0], "llm.cfg=/MODELS/V1.CFG")


def test_tokenizer_encodings():
    ref = reference()
    result = run_kernel("llama-encode", "llm.cfg=/MODELS/ENC.CFG llm.encode=ENCODE.TXT "
                        "llm.vocab=32000")

    def verify(r):
        got = [json.loads(l)["llm_encode"] for l in r.lines('{"llm_encode"')]
        want = [c["ids"] for c in ref["encoding"]]
        assert got == want, f"encodings differ:\n{got}\n{want}"
    check("llama-encode", result, verify)


def test_encoder_out_of_memory_says_so():
    """An arena larger than the guest's memory is reported as such, not as a bad argument."""
    result = run_kernel("llama-encode-nomem", "llm.cfg=/MODELS/ENC.CFG llm.encode=ENCODE.TXT "
                        "llm.vocab=16000000", status=EXIT_FAILURE)

    def verify(r):
        r.expect(r"^llm: no memory for the encoder \(\d+ bytes of arena", "the reason")
        assert not r.lines("llm: encode needs"), "reported as a missing argument"
        assert not r.lines("exception:"), "an exception instead of a message"
    check("llama-encode-nomem", result, verify)


def test_encoder_rejects_a_bad_vocab_option():
    result = run_kernel("llama-encode-badvocab", "llm.cfg=/MODELS/ENC.CFG llm.encode=ENCODE.TXT "
                        "llm.vocab=32k", status=EXIT_FAILURE)

    def verify(r):
        r.expect(r"^llm: encode needs llm\.vocab=N, N in 1\.\.16777216 \(got 32k\)$",
                 "the reason")
    check("llama-encode-badvocab", result, verify)


def host_last_logits(model_path):
    out = os.path.join(_tmp, os.path.basename(model_path) + ".logits")
    subprocess.run([CLI, "-m", model_path, "-z", shared_models.path("tok512.bin"), "-t", "0",
                    "-n", str(SYNTH_STEPS), "-k", "sse2", "-i", SYNTH_PROMPT, "--quiet",
                    "--logits-out", out], check=True, capture_output=True, timeout=60)
    a = array.array("f")
    with open(out, "rb") as f:
        a.frombytes(f.read())
    vocab = 512
    return a[len(a) - vocab:], (len(a) // vocab) - 1


def check_synthetic(name):
    image()
    result = run_kernel(f"llama-{name}", f"llm.cfg=/MODELS/{name[:-4]}.CFG")
    want, position = host_last_logits(os.path.join(_tmp, name))

    def verify(r):
        got = json_line(r, "llm_logits")
        assert got["position"] == position, f"position {got['position']}, host {position}"
        scale = max(abs(v) for v in want)
        for i, v in enumerate(got["first"]):
            assert abs(v - want[i]) <= LOGIT_TOLERANCE * scale, f"logit {i}: {v} vs {want[i]}"
        abs_sum = sum(abs(v) for v in want)
        assert abs(got["sum"] - sum(want)) <= SUM_TOLERANCE * abs_sum, \
            f"sum {got['sum']} vs host {sum(want)}"
        assert abs(got["abs_sum"] - abs_sum) <= SUM_TOLERANCE * abs_sum, \
            f"abs_sum {got['abs_sum']} vs host {abs_sum}"
    check(f"llama-{name}", result, verify)


def test_synthetic_fp32_logits_match_host_build():
    check_synthetic("SYNTH.BIN")


def test_synthetic_q8_logits_match_host_build():
    check_synthetic("SYNTHQ8.BIN")
