#!/usr/bin/env python3
"""Instructions per token of the booted x86-64 kernel under QEMU -icount shift=0, for the
rows of tools/llm/bench.py (same synthetic models, same tokenizer.bin). Each row boots an
image holding the model, the tokenizer and a greedy config; the kernel runs with clock=icount,
where its TSC counts one per guest instruction (tsc_hz 1e9, checked), and reports
cycles_per_token in its {"llm_kernel": ...} line (generation only: loading and the first
position are outside the timed span, as in run.c). Writes the JSON bench.py reads with
--kernel-results: {"<row name>": instructions_per_token, ...}. Rows whose model does not fit
the kernel's heap or boot time are left out with a note.

Usage: bench_kernel.py --models DIR --out DIR --json FILE [--rows NAME ...] [--steps N]"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import bench  # noqa: E402  (ROWS, make_model)
from qemu import EXIT_SUCCESS, boot  # noqa: E402

ICOUNT_TSC_HZ = 1_000_000_000       # shift=0: one instruction per virtual nanosecond
HZ_TOLERANCE = 0.01
BOOT_TIMEOUT_S = 1800
MIB = 1 << 20


def make_image(out_dir, name, model, tok, steps):
    cfg = os.path.join(out_dir, "bench.cfg")
    with open(cfg, "w") as f:
        f.write(f"model = MODEL.BIN\ntokenizer = TOKENIZ.BIN\nsteps = {steps}\n"
                "temperature = 0\nseed = 1\n")
    fat_mib = max(64, (os.path.getsize(model) + os.path.getsize(tok)) // MIB + 16)
    image = os.path.join(out_dir, "bench-" + name.replace(" ", "-") + ".img")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/mkimage.py"),
                    "--offsets", os.path.join(ROOT, "build/gen/asm-offsets.inc"),
                    "--stage1", os.path.join(ROOT, "build/boot/stage1.bin"),
                    "--stage2", os.path.join(ROOT, "build/boot/stage2.bin"),
                    "--kernel", os.path.join(ROOT, "build/x86_64/kernel.img"),
                    "--fat-mib", str(fat_mib), "--dir", "/MODELS",
                    "--file", f"{cfg}=/MODELS/LLAMA.CFG", "--file", f"{tok}=/MODELS/TOKENIZ.BIN",
                    "--file", f"{model}=/MODELS/MODEL.BIN", image], check=True)
    return image


def kernel_instructions_per_token(image, memory, cpu):
    """Boots image under -icount shift=0; returns cycles_per_token (= instructions)."""
    r = boot(image, machine="pc64", memory=memory, cpu=cpu, icount=True,
             timeout=BOOT_TIMEOUT_S)
    line = next((l for l in r.log.splitlines() if l.startswith('{"llm_kernel"')), None)
    if r.status != EXIT_SUCCESS or line is None:
        raise RuntimeError("kernel run failed:\n" + r.tail(15))
    k = json.loads(line)["llm_kernel"]
    if k["clock"] != "icount" or abs(k["tsc_hz"] - ICOUNT_TSC_HZ) > HZ_TOLERANCE * ICOUNT_TSC_HZ:
        raise RuntimeError(f"TSC does not count instructions here: {k}")
    return k["cycles_per_token"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", required=True, help="directory with tokenizer.bin")
    ap.add_argument("--out", required=True, help="where models and images are written")
    ap.add_argument("--json", required=True, help="results file for bench.py --kernel-results")
    ap.add_argument("--rows", nargs="*", default=[r[0] for r in bench.ROWS])
    ap.add_argument("--steps", type=int, default=6, help="positions per run (BOS included)")
    ap.add_argument("--memory", default="2G")
    ap.add_argument("--cpu", default="max", help="QEMU CPU (max: AVX2+FMA kernels)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = os.path.join(a.models, "tokenizer.bin")
    results = {}
    for name, args, _, _ in bench.ROWS:
        if name not in a.rows:
            continue
        start = time.monotonic()
        model = bench.make_model(a.out, args)
        try:
            image = make_image(a.out, name, model, tok, a.steps)
            results[name] = kernel_instructions_per_token(image, a.memory, a.cpu)
            print(f"bench-kernel: {name}: {results[name]:,} instructions/token "
                  f"({time.monotonic() - start:.0f} s)", file=sys.stderr)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print(f"bench-kernel: {name}: left out: {e}", file=sys.stderr)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
