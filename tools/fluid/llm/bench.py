"""`make bench-llama`: speed of the inference engine (kernel/llm) on model shapes that matter.

For a stories15M-shaped model (dim 288, 6 layers, 6 heads, vocab 32000, seq 256) in fp32
and Q8_0, and a TinyLlama-shaped Q8_0 model (dim 2048, hidden 5632, 22 layers, 32 heads,
4 kv heads; fewer steps), all with synthetic weights (tools/synth_model.py), it prints one table:
  - tokens/s of the optimised Linux build (real time, best kernels of this CPU, and the
    scalar kernels, whose summation order is llama2.c run.c's plain -O3 loop);
  - instructions per token of the same Linux build under valgrind --tool=callgrind,
    measured as the difference of two runs (n1 and n2 positions) so loading is excluded;
  - the same for llm_cli linked with the kernel's own inference objects and libs/llvmlibc
    (--kernel-code-cli): the kernel's code without the kernel around it;
  - instructions per token of the booted kernel under QEMU -icount, read from a JSON file
    the kernel-side benchmark writes ({"<row name>": instructions_per_token, ...}, passed
    with --kernel-results); "-" until that exists; and its ratio to the Linux build.
Greedy decoding from BOS, so every run does the same work. Each run is capped in time."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

from fluid import ROOT

SYNTH_MODEL = os.path.join(ROOT, "tools", "synth_model.py")
RUN_TIMEOUT_S = 150

# name, tools/synth_model.py arguments, steps for tokens/s, (n1, n2) positions for callgrind
ROWS = [
    ("stories15M fp32", ["--shape", "stories15M"], 256, (8, 24)),
    ("stories15M q8_0", ["--shape", "stories15M", "--format", "v2"], 256, (8, 24)),
    ("tinyllama q8_0", ["--shape", "tinyllama", "--format", "v2"], 12, (2, 4)),
]


def make_model(out_dir, args):
    name = "bench-" + "-".join(a.strip("-") for a in args) + ".bin"
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        print(f"bench: writing {path}", file=sys.stderr)
        subprocess.run([sys.executable, SYNTH_MODEL, path + ".tmp",
                        *args], check=True, timeout=RUN_TIMEOUT_S * 4)
        os.replace(path + ".tmp", path)
    return path


def cli_args(cli, model, tok, steps, kernels):
    return [cli, "-m", model, "-z", tok, "-t", "0", "-n", str(steps), "-k", kernels, "--quiet"]


def tok_per_s(cli, model, tok, steps, kernels):
    proc = subprocess.run(cli_args(cli, model, tok, steps, kernels), capture_output=True,
                          text=True, timeout=RUN_TIMEOUT_S)
    m = re.search(r"achieved tok/s: ([0-9.]+) \(([^ ]+) kernels\)", proc.stderr)
    if proc.returncode or not m:
        raise RuntimeError(f"llm_cli failed: {proc.stderr[-800:]}")
    return float(m.group(1)), m.group(2)


def callgrind_instructions(cli, model, tok, steps, kernels):
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           *cli_args(cli, model, tok, steps, kernels)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    m = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    if proc.returncode or not m:
        raise RuntimeError(f"callgrind failed: {proc.stderr[-800:]}")
    return int(m.group(1))


def per_token(cli, model, tok, span, kernels):
    n1, n2 = span
    a = callgrind_instructions(cli, model, tok, n1, kernels)
    b = callgrind_instructions(cli, model, tok, n2, kernels)
    return (b - a) / (n2 - n1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="optimised llm_cli (build/llm/fast)")
    ap.add_argument("--models", required=True, help="directory with tokenizer.bin")
    ap.add_argument("--out", required=True, help="where synthetic models are written")
    ap.add_argument("--kernel-results", help="JSON from the QEMU -icount kernel run")
    ap.add_argument("--kernel-code-cli", help="llm_cli linked with the kernel's objects")
    ap.add_argument("--no-callgrind", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = os.path.join(a.models, "tokenizer.bin")
    kernel = {}
    if a.kernel_results and os.path.exists(a.kernel_results):
        with open(a.kernel_results) as f:
            kernel = json.load(f)
    results = []
    start = time.monotonic()
    for name, args, steps, span in ROWS:
        model = make_model(a.out, args)
        best, kname = tok_per_s(a.cli, model, tok, steps, "best")
        scalar = tok_per_s(a.cli, model, tok, min(steps, 64), "scalar")[0] \
            if "tinyllama" not in name else None
        ir = None if a.no_callgrind else per_token(a.cli, model, tok, span, "best")
        kcode = None if a.no_callgrind or not a.kernel_code_cli else \
            per_token(a.kernel_code_cli, model, tok, span, "best")
        results.append((name, steps, kname, best, scalar, ir, kcode, kernel.get(name)))
    fmt = "{:<16} {:>6} {:>10} {:>8} {:>12} {:>18} {:>18} {:>18} {:>13}"
    print(fmt.format("model", "steps", "kernels", "tok/s", "scalar tok/s", "Linux instr/token",
                     "kernel code, Linux", "kernel instr/token", "kernel/Linux"))

    def count(v):
        return "-" if v is None else f"{v:,.0f}"
    for name, steps, kname, best, scalar, ir, kcode, kir in results:
        ratio = "-" if ir is None or kir is None else f"{kir / ir:.4f}"
        print(fmt.format(name, steps, kname, f"{best:.1f}",
                         "-" if scalar is None else f"{scalar:.1f}",
                         count(ir), count(kcode), count(kir), ratio))
    print(f"bench: {time.monotonic() - start:.0f} s; tok/s: host CPU, real time; scalar = "
          f"llama2.c run.c's loop order (-O3, no fast-math); Linux and kernel-code instr/token: "
          f"callgrind; kernel instr/token: QEMU -icount shift=0 (a guest instruction count); "
          f"all over positions "
          + ", ".join(f"{r[0]} {r[3][0]}-{r[3][1]}" for r in ROWS), file=sys.stderr)

