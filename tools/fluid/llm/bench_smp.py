"""`make bench-smp`: tokens/s of the inference engine on 1 and 2 threads (llm_cli --threads,
tools/llm/llm_pool_pthread.c) for stories15M-shaped fp32 and Q8_0 models with synthetic
weights (the models `make bench-llama` writes, reused when present).

Clock: host wall time, the CLOCK_MONOTONIC rate llm_cli reports ("achieved tok/s", from the
first generated token to the end, as run.c times it). Greedy decoding from BOS, best kernels
of this CPU. Each setting runs RUNS times, alternating thread counts so a burst of load from
other processes hits both, and the fastest run counts: on a shared machine other work only
ever slows a run down. A first run per model warms the page cache and is not counted. The
last line is the summary:
  smp: stories15M q8_0 X.XXx at 2 threads, stories15M fp32 Y.YYx at 2 threads"""
import argparse
import os
import re
import subprocess
import sys
import time

from fluid.llm import bench

ROWS = [
    ("stories15M q8_0", ["--shape", "stories15M", "--format", "v2"]),
    ("stories15M fp32", ["--shape", "stories15M"]),
]
STEPS = 256                 # positions per run: the model's whole sequence
THREADS = (1, 2)
RUNS = 5                    # timed runs per (model, threads), fastest counted


def tok_per_s(cli, model, tok, threads):
    """tokens/s of one run, parsed from llm_cli's timing line."""
    args = bench.cli_args(cli, model, tok, STEPS, "best") + ["--threads", str(threads)]
    proc = subprocess.run(args, capture_output=True, text=True,
                          timeout=bench.RUN_TIMEOUT_S)
    m = re.search(r"achieved tok/s: ([0-9.]+) \(([^ ]+) kernels\)", proc.stderr)
    if proc.returncode or not m:
        raise RuntimeError(f"llm_cli failed: {proc.stderr[-800:]}")
    return float(m.group(1)), m.group(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="optimised llm_cli (build/llm/fast)")
    ap.add_argument("--models", required=True, help="directory with tokenizer.bin")
    ap.add_argument("--out", required=True, help="where synthetic models are written")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = os.path.join(a.models, "tokenizer.bin")
    start = time.monotonic()
    print(f"bench-smp: clock: host wall time (llm_cli CLOCK_MONOTONIC tok/s), {STEPS} "
          f"positions, fastest of {RUNS} runs; {os.cpu_count()} CPUs online; "
          f"load average {os.getloadavg()[0]:.2f} at start")
    fmt = "{:<16} {:>8} {:>10} {:>10} {:>28}"
    print(fmt.format("model", "threads", "kernels", "tok/s", "all runs"))
    speedup = {}
    for name, args in ROWS:
        model = bench.make_model(a.out, args)
        tok_per_s(a.cli, model, tok, 1)                 # warm-up, not counted
        runs = {n: [] for n in THREADS}
        for _ in range(RUNS):
            for n in THREADS:
                rate, kname = tok_per_s(a.cli, model, tok, n)
                runs[n].append(rate)
        for n in THREADS:
            print(fmt.format(name, n, kname, f"{max(runs[n]):.1f}",
                             " ".join(f"{r:.0f}" for r in runs[n])))
        speedup[name] = max(runs[THREADS[-1]]) / max(runs[THREADS[0]])
    print(f"bench-smp: {time.monotonic() - start:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f} at the end", file=sys.stderr)
    print("smp: " + ", ".join(f"{name} {speedup[name]:.2f}x at {THREADS[-1]} threads"
                              for name, _ in ROWS))


if __name__ == "__main__":
    main()
