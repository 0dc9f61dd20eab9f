"""Instructions per token of the booted x86-64 kernel under QEMU -icount shift=0, for the
rows of fluid.llm.bench (same synthetic models, same tokenizer.bin). Each row boots an
image holding the model, the tokenizer and a greedy config; the kernel runs with clock=icount,
where its TSC counts one per guest instruction (tsc_hz 1e9, checked), and reports the
generation's cycles in its {"llm_kernel": ...} line (loading is outside the timed span). As
the Linux benchmark does under callgrind, each row is run to n1 and to n2 positions (the
row's own pair) and the difference divided by n2 - n1, so both columns count the same
positions. Writes the JSON tools/bench_llama.py reads with --kernel-results:
{"<row name>": instructions_per_token, ...}. Rows whose model does not fit the kernel's heap
or boot time are left out with a note.

Usage: tools/bench_llama_kernel.py --models DIR --out DIR --json FILE [--rows NAME ...]"""
import argparse
import json
import os
import subprocess
import sys
import time

from fluid import ROOT
from fluid import image as disk_image
from fluid.llm import bench
from fluid.qemu import EXIT_SUCCESS, boot

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
    disk_image.build(image, os.path.join(ROOT, "build/x86_64/kernel.img"), fat_mib=fat_mib,
                     dirs=["/MODELS"], files=[(cfg, "/MODELS/LLAMA.CFG"),
                                              (tok, "/MODELS/TOKENIZ.BIN"),
                                              (model, "/MODELS/MODEL.BIN")])
    return image


def kernel_generation_instructions(image, memory, cpu):
    """Boots image under -icount shift=0; returns the generation's cycles (= instructions)."""
    r = boot(image, machine="pc64", memory=memory, cpu=cpu, icount=True,
             timeout=BOOT_TIMEOUT_S)
    line = next((l for l in r.log.splitlines() if l.startswith('{"llm_kernel"')), None)
    if r.status != EXIT_SUCCESS or line is None:
        raise RuntimeError("kernel run failed:\n" + r.tail(15))
    k = json.loads(line)["llm_kernel"]
    if k["clock"] != "icount" or abs(k["tsc_hz"] - ICOUNT_TSC_HZ) > HZ_TOLERANCE * ICOUNT_TSC_HZ:
        raise RuntimeError(f"TSC does not count instructions here: {k}")
    return k["cycles"]


def instructions_per_token(out_dir, name, model, tok, positions, memory, cpu):
    """(instructions to n2 positions - to n1) / (n2 - n1), as fluid.llm.bench measures callgrind."""
    n1, n2 = positions
    counts = [kernel_generation_instructions(make_image(out_dir, name, model, tok, n), memory, cpu)
              for n in (n1, n2)]
    return (counts[1] - counts[0]) // (n2 - n1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", required=True, help="directory with tokenizer.bin")
    ap.add_argument("--out", required=True, help="where models and images are written")
    ap.add_argument("--json", required=True, help="results file for bench_llama.py --kernel-results")
    ap.add_argument("--rows", nargs="*", default=[r[0] for r in bench.ROWS])
    ap.add_argument("--memory", default="2G")
    ap.add_argument("--cpu", default="max", help="QEMU CPU (max: AVX2+FMA kernels)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = os.path.join(a.models, "tokenizer.bin")
    results = {}
    for name, args, _, positions in bench.ROWS:
        if name not in a.rows:
            continue
        start = time.monotonic()
        model = bench.make_model(a.out, args)
        try:
            results[name] = instructions_per_token(a.out, name, model, tok, positions,
                                                   a.memory, a.cpu)
            print(f"bench-kernel: {name}: {results[name]:,} instructions/token "
                  f"({time.monotonic() - start:.0f} s)", file=sys.stderr)
        except (RuntimeError, subprocess.CalledProcessError, disk_image.ImageError) as e:
            print(f"bench-kernel: {name}: left out: {e}", file=sys.stderr)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results))

