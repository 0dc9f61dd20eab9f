"""The forward pass on several threads (llm_cli --threads, tools/llm/llm_pool_pthread.c)
gives what one thread gives, bit for bit: for 1, 2 and 3 threads, with the scalar and the
fastest SIMD kernels, on an fp32 model with grouped-query attention (stories260K) and a
Q8_0 one with its own classifier (synthetic) and a Q8_0 one with groups of 32 (synthetic),
the generated token ids are equal, greedy and seeded top-p, and so is every byte of every
position's logits. Three threads split 512 classifier rows into parts that are not
multiples of the SIMD kernels' row block unless the split keeps them so, six or eight
heads unevenly, and a hidden_dim of 352 off the groups of 32 unless the FFN job keeps its
parts on them, so a wrong split shows up here."""
import os
import subprocess
import sys
import tempfile
import threading

from fluid import ROOT, shared_models

CLI = os.path.join(ROOT, "build/host/llm/llm_cli")
TOOLS = os.path.join(ROOT, "tools")
TIMEOUT_S = 120
THREADS = (1, 2, 3)
STEPS = 48                  # positions: prompt plus generated, enough for attention to grow
PROMPT = "Once upon a time"
SEED = 42
TOPP = 0.9
TEMPERATURE = 0.8

_tmpdir = tempfile.mkdtemp(prefix="llmthreads-")
_synth_lock = threading.Lock()  # the runner calls cases from several threads


def cli(*args):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=TIMEOUT_S,
                          errors="replace")
    assert proc.returncode == 0, f"llm_cli {' '.join(args)}: {proc.stderr[-2000:]}"
    return proc


def best_kernels():
    proc = cli("-m", shared_models.path("stories260K.bin"), "-z",
               shared_models.path("tok512.bin"), "-n", "2", "-t", "0", "--quiet")
    return proc.stderr.rsplit("(", 1)[1].split(" kernels")[0]


def run(model, kernels, threads, sampled):
    """(ids, logits bytes) of one run."""
    out = os.path.join(_tmpdir, f"logits-{os.path.basename(model)}-{kernels}-{threads}-"
                                f"{int(sampled)}.bin")
    args = ["-m", model, "-z", shared_models.path("tok512.bin"), "-n", str(STEPS),
            "-i", PROMPT, "-k", kernels, "--threads", str(threads), "--ids", "--quiet",
            "--logits-out", out]
    args += ["-t", str(TEMPERATURE), "-p", str(TOPP), "-s", str(SEED)] if sampled \
        else ["-t", "0"]
    proc = cli(*args)
    ids = next(line.split()[1:] for line in proc.stderr.splitlines() if line.startswith("ids:"))
    with open(out, "rb") as f:
        return [int(i) for i in ids], f.read()


def synth_q8(name="synth-q8-unshared", args=("--dims=96,260,2,6,3,512,64", "--unshared")):
    path = os.path.join(_tmpdir, name + ".bin")
    with _synth_lock:       # made once, whole, before any case reads it
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(TOOLS, "synth_model.py"),
                            path + ".tmp", "--format", "v2", *args], check=True,
                           capture_output=True, timeout=TIMEOUT_S)
            os.replace(path + ".tmp", path)
    return path


def synth_q8_gs32():
    """Groups of 32 over a hidden_dim of 352: the FFN job quantizes its own rows of hb, so
    its parts must start on a group (32 rows), not only on the kernels' row block (4)."""
    return synth_q8("synth-q8-gs32", ("--dims=64,352,2,4,2,512,64", "--group-size", "32"))


def check_threads_identical(model, kernels, sampled):
    ids1, logits1 = run(model, kernels, 1, sampled)
    assert len(ids1) == STEPS and len(logits1) > 0, f"{model}: {len(ids1)} ids"
    for n in THREADS[1:]:
        ids, logits = run(model, kernels, n, sampled)
        assert ids == ids1, f"{model} {kernels} {n} threads: ids differ from 1 thread"
        diff = next((i for i in range(len(logits1)) if logits[i] != logits1[i]), None)
        assert logits == logits1, (f"{model} {kernels} {n} threads: logits differ from 1 "
                                   f"thread (first at byte {diff}, {len(logits)} bytes vs "
                                   f"{len(logits1)})")


def cases():
    models = [("stories260K", lambda: shared_models.path("stories260K.bin")),
              ("synth_q8", synth_q8), ("synth_q8_gs32", synth_q8_gs32)]
    for kernels in ("scalar", best_kernels()):
        for name, path in models:
            for sampled in (False, True):
                mode = "topp" if sampled else "greedy"
                yield (f"threads_identical_{name}_{kernels}_{mode}",
                       lambda p=path, k=kernels, s=sampled:
                       check_threads_identical(p(), k, s))


def test_threads_out_of_range_rejected():
    for bad in ("0", "65", "-1"):
        proc = subprocess.run([CLI, "-m", shared_models.path("stories260K.bin"), "-z",
                               shared_models.path("tok512.bin"), "-n", "2", "--threads", bad],
                              capture_output=True, text=True, timeout=TIMEOUT_S)
        assert proc.returncode == 1 and "llm: threads" in proc.stderr, (bad, proc.stderr)
