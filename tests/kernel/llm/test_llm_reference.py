"""Golden tests of the inference engine against llama2.c's own run.c outputs
(/work/shared/models/reference.json), through the host CLI built with ASan+UBSan
(build/host/llm/llm_cli, from the same kernel/llm sources the kernel compiles):
  - every generation case, token for token and text for text, with the scalar kernels
    (run.c's summation order) and with the fastest SIMD kernels of this CPU;
  - every encoding case (the tokenizer.bin ones are llama2.c test.c's);
  - the version-1 file gives the version-0 file's tokens;
  - a version-2 (Q8_0) conversion from export_v2.py runs, and its SIMD and scalar kernels
    agree; synthetic models (unshared classifier, GQA) give close logits across kernels;
  - bad files and a bad config fail with an "llm:" message and exit status 1, no crash."""
import array
import os
import subprocess
import sys
import tempfile
import threading

from fluid import ROOT, shared_models

CLI = os.path.join(ROOT, "build/host/llm/llm_cli")
TOOLS = os.path.join(ROOT, "tools")
TIMEOUT_S = 120
LOGIT_TOLERANCE = 1e-3      # relative to the largest |logit| of the position


model = shared_models.path
reference = shared_models.reference


def run_cli(*args, ok=True):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=TIMEOUT_S,
                          errors="replace")
    if ok and proc.returncode != 0:
        raise AssertionError(f"llm_cli {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stderr[-2000:]}")
    return proc


def ids_of(stderr):
    for line in stderr.splitlines():
        if line.startswith("ids:"):
            return [int(x) for x in line.split()[1:]]
    raise AssertionError(f"no ids line in:\n{stderr[-2000:]}")


def generate(case, kernels, model_file=None):
    proc = run_cli("-m", model_file or model(case["model"]), "-z", model(case["tokenizer"]),
                   "-t", str(case["temperature"]), "-p", str(case["topp"]),
                   "-s", str(case["seed"]), "-n", str(case["steps"]), "-i", case["prompt"],
                   "-k", kernels, "--ids")
    return ids_of(proc.stderr), proc.stdout


def best_kernels():
    proc = run_cli("-m", model("stories260K.bin"), "-z", model("tok512.bin"), "-n", "2",
                   "-t", "0", "--quiet")
    return proc.stderr.rsplit("(", 1)[1].split(" kernels")[0]


def check_generation(case, kernels):
    ids, text = generate(case, kernels)
    want = case["generated_ids"]
    first_diff = next((i for i, (a, b) in enumerate(zip(ids, want)) if a != b), None)
    assert ids == want, (f"{case['model']} {kernels}: {len(ids)} ids, want {len(want)}; "
                         f"first difference at {first_diff}")
    assert text.rstrip("\n") == case["text"].rstrip("\n"), \
        f"{case['model']} {kernels}: text differs:\n{text!r}\n{case['text']!r}"


def check_encoding(case):
    tok = model(case["tokenizer"])
    # the tokenizer only needs a model with its vocab_size; pick one
    m = {512: "stories260K.bin", 105: "babyllama105.bin"}.get(case["vocab_size"])
    if m is None:
        tmp = synth(f"--dims=64,176,1,8,4,{case['vocab_size']},8")
        m = tmp
    proc = run_cli("-m", model(m), "-z", tok, "--encode", case["text"])
    got = [int(x) for x in proc.stdout.split()[1:]]
    assert got == case["ids"], f"{case['text']!r}: {got} != {case['ids']}"


_synth_cache = {}
_synth_lock = threading.Lock()   # the runner calls tests from several threads
_tmpdir = tempfile.mkdtemp(prefix="llmtest-")


def synth(*args):
    """Path of a synthetic model made by tools/synth_model.py with these arguments.
    Made once, under a lock: two tests asking at once used to pick the same file name, and
    one read the model while the other was still writing it."""
    with _synth_lock:
        if args not in _synth_cache:
            path = os.path.join(_tmpdir, f"synth{len(_synth_cache)}.bin")
            subprocess.run([sys.executable, os.path.join(TOOLS, "synth_model.py"), path,
                            *args], check=True, capture_output=True, timeout=TIMEOUT_S)
            _synth_cache[args] = path
        return _synth_cache[args]


def cases():
    ref = reference()
    kernels = ["scalar", best_kernels()]
    for i, case in enumerate(ref["generation"]):
        for k in kernels:
            name = f"generate_{i}_{case['model']}_t{case['temperature']}_{k}"
            yield name, (lambda c=case, k=k: check_generation(c, k))
    for i, case in enumerate(ref["encoding"]):
        yield f"encode_{i}_{case['tokenizer']}", (lambda c=case: check_encoding(c))


def test_v1_matches_v0():
    case = reference()["generation"][0]
    assert case["model"] == "stories260K.bin"
    for k in ("scalar", best_kernels()):
        ids, _ = generate(case, k, model_file=model("stories260K_v1.bin"))
        assert ids == case["generated_ids"], f"version-1 file differs ({k})"


def logits(model_file, kernels, steps=8, tok="tok512.bin"):
    fd, path = tempfile.mkstemp(prefix=f"logits-{os.path.basename(model_file)}-{kernels}-",
                                dir=_tmpdir)     # one file per call: tests run in parallel
    os.close(fd)
    run_cli("-m", model_file, "-z", model(tok), "-t", "0", "-n", str(steps), "-k", kernels,
            "-i", "Once upon a time", "--quiet", "--logits-out", path)
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return a


def assert_close(a, b, vocab, what):
    assert len(a) == len(b) and len(a) > 0 and len(a) % vocab == 0, what
    for p in range(0, len(a), vocab):
        scale = max(abs(v) for v in a[p:p + vocab]) or 1.0
        worst = max(abs(x - y) for x, y in zip(a[p:p + vocab], b[p:p + vocab]))
        assert worst <= LOGIT_TOLERANCE * scale, \
            f"{what}: position {p // vocab}: max difference {worst} vs scale {scale}"


def test_synthetic_kernels_agree():
    best = best_kernels()
    for args in (("--unshared",), ("--unshared", "--format", "v2"), ("--format", "v2")):
        m = synth(*args)
        ref = logits(m, "scalar")
        for k in ("sse2", best):
            assert_close(ref, logits(m, k), 512, f"synth {args} {k}")


def test_synthetic_unshared_classifier_used():
    """The unshared file's classifier is its own tensor: logits must differ from the
    shared-classifier model with the same seed and body."""
    a = logits(synth("--unshared"), "scalar")
    b = logits(synth(), "scalar")
    assert a != b


def test_v2_conversion_runs_and_kernels_agree():
    out = os.path.join(_tmpdir, "stories260K_v2.bin")
    subprocess.run([sys.executable, os.path.join(TOOLS, "export_v2.py"),
                    model("stories260K.bin"), out], check=True, capture_output=True,
                   timeout=TIMEOUT_S)
    case = reference()["generation"][0]
    scalar, text = generate(case, "scalar", model_file=out)
    simd, _ = generate(case, best_kernels(), model_file=out)
    assert scalar == simd
    assert text.startswith("Once upon a time"), text[:80]
    # int8 weights stay close to the fp32 model: most of the greedy story survives
    same = sum(a == b for a, b in zip(scalar, case["generated_ids"]))
    assert same >= 20, f"only {same} of 200 tokens equal to the fp32 model's"


def test_bad_files_fail_cleanly():
    good = open(model("stories260K.bin"), "rb").read()
    cases = {
        "truncated": good[:len(good) - 4],
        "extra": good + b"\0" * 4,
        "header_only": good[:20],
        "zero_dim": b"\0" * 4 + good[4:],
    }
    for name, data in cases.items():
        path = os.path.join(_tmpdir, f"bad-{name}.bin")
        with open(path, "wb") as f:
            f.write(data)
        proc = run_cli("-m", path, "-z", model("tok512.bin"), "-n", "4", ok=False)
        assert proc.returncode == 1, f"{name}: exit {proc.returncode}\n{proc.stderr[-1500:]}"
        assert "llm: model:" in proc.stderr, f"{name}: {proc.stderr[-500:]}"
        assert "Sanitizer" not in proc.stderr, f"{name}: {proc.stderr[-1500:]}"   # no leak


def test_tokenizer_vocab_mismatch_fails_cleanly():
    """tok105.bin has 105 entries; stories260K needs 512: truncated-entry error."""
    proc = run_cli("-m", model("stories260K.bin"), "-z", model("tok105.bin"), ok=False)
    assert proc.returncode == 1 and "llm: tokenizer:" in proc.stderr, proc.stderr[-500:]
    assert "Sanitizer" not in proc.stderr, proc.stderr[-1500:]


def test_boot_config_drives_run():
    cfg = os.path.join(_tmpdir, "boot.cfg")
    for name in ("stories260K.bin", "tok512.bin"):
        dst = os.path.join(_tmpdir, name)
        if not os.path.exists(dst):
            os.symlink(model(name), dst)
    case = reference()["generation"][1]  # the seeded top-p case
    with open(cfg, "w") as f:
        f.write("# seeded top-p run from reference.json\n"
                "model = stories260K.bin\ntokenizer = tok512.bin\n"
                f"prompt = {case['prompt']}\nsteps = {case['steps']}\n"
                f"temperature = {case['temperature']}\ntopp = {case['topp']}\n"
                f"seed = {case['seed']}\n")
    proc = run_cli("-c", cfg, "--ids")
    assert ids_of(proc.stderr) == case["generated_ids"]
