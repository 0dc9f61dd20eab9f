"""`make bench-smp`: tokens/s of the inference engine at every thread count up to the
machine's CPUs (llm_cli --threads, tools/llm/llm_pool_pthread.c) for stories15M-shaped fp32
and Q8_0 models and a TinyLlama-shaped Q8_0 model, all with synthetic weights (the models
`make bench-llama` writes, reused when present), each row with its share of the memory
roofline.

Clocks: host wall time throughout. Tokens/s is the CLOCK_MONOTONIC rate llm_cli reports
("achieved tok/s", from the first generated token to the end, as run.c times it); greedy
decoding from BOS, best kernels of this CPU. Each setting runs RUNS times, alternating thread
counts so a burst of load from other processes hits all of them, and the fastest run counts:
on a shared machine other work only ever slows a run down. A first run per model warms the
page cache and is not counted.

Roofline (fluid.llm.roofline): the bytes a token reads (weights, one embedding row, the
key/value caches at the run's positions) times tok/s, over the read bandwidth tools/membw
measures at the same thread count on a buffer as large as those weights, in the same
session, interleaved with the model's runs. membw reads each thread's share as one
sequential stream and as MEMBW_STREAMS streams side by side (as the Q8_0 kernel reads its
rows); one core reads several streams faster than one, so the roofline is the better of the
two ("membw", "roofline"), and the share of the one-stream figure, the yardstick before the
kernel read several streams, is printed beside it ("1-stream"). 100% would mean the engine
streams its weights as fast as a plain summing loop reads memory. The last line is the
summary:
  smp: tinyllama q8_0 X.XXx at N threads, stories15M q8_0 Y.YYx at N threads

With --base-cli (make bench-smp BENCH_SMP_BASE=PATH, an llm_cli built from another commit)
each run of llm_cli is paired with a run of the baseline at the same thread count, right
after it, so both see the same load; each row then also prints the baseline's fastest run,
the ratio of the two ("x base") and the baseline's speed-up, and a second summary line
gives the baseline's speed-ups:
  smp base: tinyllama q8_0 X.XXx at N threads, stories15M q8_0 Y.YYx at N threads"""
import argparse
import math
import os
import re
import subprocess
import sys
import time

from fluid.llm import bench, roofline

# name, synth_model.py arguments, positions per run
ROWS = [
    ("stories15M q8_0", ["--shape", "stories15M", "--format", "v2"], 256),
    ("stories15M fp32", ["--shape", "stories15M"], 256),
    ("tinyllama q8_0", ["--shape", "tinyllama", "--format", "v2"], 16),
]
SUMMARY_ROWS = ("tinyllama q8_0", "stories15M q8_0")
RUNS = 5                    # timed runs per (model, threads), fastest counted
MEMBW_PASSES = 3            # passes per bandwidth figure, fastest counted
MEMBW_MIN_MIB = 8           # smallest buffer measured (a model smaller than this is a toy)
MEMBW_STREAMS = 4           # streams per thread of the second figure (kernel/llm Q8_STREAMS)
MEMBW_TIMEOUT_S = 300
MIB = 1 << 20


def thread_counts():
    """1 up to the CPUs this process may run on."""
    return tuple(range(1, len(os.sched_getaffinity(0)) + 1))


def tok_per_s(cli, model, tok, steps, threads):
    """tokens/s of one run, parsed from llm_cli's timing line."""
    args = bench.cli_args(cli, model, tok, steps, "best") + ["--threads", str(threads)]
    proc = subprocess.run(args, capture_output=True, text=True,
                          timeout=bench.RUN_TIMEOUT_S)
    m = re.search(r"achieved tok/s: ([0-9.]+) \(([^ ]+) kernels\)", proc.stderr)
    if proc.returncode or not m:
        raise RuntimeError(f"llm_cli failed: {proc.stderr[-800:]}")
    return float(m.group(1)), m.group(2)


def bandwidth(membw, mib, threads, streams):
    """Read bandwidth in bytes/s with `threads` threads over a buffer of `mib` MiB, each
    thread reading `streams` sequential streams side by side."""
    proc = subprocess.run([membw, "--mib", str(mib), "--passes", str(MEMBW_PASSES),
                           "--streams", str(streams), str(threads)],
                          capture_output=True, text=True,
                          timeout=MEMBW_TIMEOUT_S)
    m = re.search(r"membw: threads \d+: ([0-9.]+) GB/s", proc.stdout)
    if proc.returncode or not m:
        raise RuntimeError(f"membw failed: {proc.stderr[-800:]}")
    return float(m.group(1)) * 1e9


def measure_row(a, tok, name, args, steps, threads):
    """Runs (and the baseline's, empty without one), one-stream and best bandwidths per
    thread count, for one model."""
    model = bench.make_model(a.out, args)
    shape = roofline.read_shape(model)
    mib = max(MEMBW_MIN_MIB, math.ceil(roofline.weight_bytes_per_token(shape) / MIB))
    tok_per_s(a.cli, model, tok, steps, 1)              # warm-up, not counted
    runs = {n: [] for n in threads}
    base = {n: [] for n in threads}
    one = {n: 0.0 for n in threads}
    best = {n: 0.0 for n in threads}
    for _ in range(RUNS):
        for n in threads:
            rate, kname = tok_per_s(a.cli, model, tok, steps, n)
            runs[n].append(rate)
            if a.base_cli:
                base[n].append(tok_per_s(a.base_cli, model, tok, steps, n)[0])
            one[n] = max(one[n], bandwidth(a.membw, mib, n, 1))
            best[n] = max(best[n], one[n], bandwidth(a.membw, mib, n, MEMBW_STREAMS))
    return shape, mib, kname, runs, base, one, best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="optimised llm_cli (build/llm/fast)")
    ap.add_argument("--membw", required=True, help="the bandwidth probe (tools/membw)")
    ap.add_argument("--models", required=True, help="directory with tokenizer.bin")
    ap.add_argument("--out", required=True, help="where synthetic models are written")
    ap.add_argument("--base-cli", help="a baseline llm_cli run beside --cli (optional)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = os.path.join(a.models, "tokenizer.bin")
    threads = thread_counts()
    start = time.monotonic()
    print(f"bench-smp: clock: host wall time (llm_cli CLOCK_MONOTONIC tok/s; membw bytes "
          f"per second); fastest of {RUNS} runs; {len(threads)} CPUs usable; load average "
          f"{os.getloadavg()[0]:.2f} at start" +
          (f"; baseline {a.base_cli}" if a.base_cli else ""))
    fmt = "{:<16} {:>7} {:>10} {:>9} {:>10} {:>9} {:>8} {:>8} {:>8}  {}"
    print(fmt.format("model", "threads", "kernels", "tok/s", "MB/token", "read GB/s",
                     "membw", "roofline", "1-stream", "all runs"))
    speedup, base_speedup = {}, {}
    above_roofline = []
    for name, args, steps in ROWS:
        load = os.getloadavg()[0]
        shape, mib, kname, runs, base, one, bws = measure_row(a, tok, name, args, steps,
                                                              threads)
        per_token = roofline.bytes_per_token(shape, steps)
        for n in threads:
            best = max(runs[n])
            share = roofline.share_of_roofline(best, per_token, bws[n])
            share1 = roofline.share_of_roofline(best, per_token, one[n])
            if share > 1:
                above_roofline.append(f"{name} at {n} threads")
            print(fmt.format(name, n, kname, f"{best:.1f}", f"{per_token / 1e6:.1f}",
                             f"{best * per_token / 1e9:.2f}", f"{bws[n] / 1e9:.2f}",
                             f"{share * 100:.0f}%", f"{share1 * 100:.0f}%",
                             " ".join(f"{r:.1f}" for r in runs[n])))
            if a.base_cli:
                print(f"{'':<16} {n:>7} {'base':>10} {max(base[n]):>9.1f}  x base "
                      f"{best / max(base[n]):.2f}  all runs "
                      + " ".join(f"{r:.1f}" for r in base[n]))
        speedup[name] = max(runs[threads[-1]]) / max(runs[threads[0]])
        if a.base_cli:
            base_speedup[name] = max(base[threads[-1]]) / max(base[threads[0]])
        first, last = threads[0], threads[-1]
        print(f"bench-smp: {name}: membw over {mib} MiB (the weights read per token), 1 and "
              f"{MEMBW_STREAMS} streams per thread, {bws[last] / bws[first]:.2f}x as much at "
              f"{last} threads as at {first} (what a bandwidth-bound row can gain); load "
              f"average {load:.2f} before the row, {os.getloadavg()[0]:.2f} after")
    if above_roofline:
        print("bench-smp: above 100% of the roofline (" + ", ".join(above_roofline) + "): "
              "the fastest run read faster than any membw pass beside it; the machine's "
              "bandwidth moved between them, so that share is noise, not a ceiling broken")
    print(f"bench-smp: {time.monotonic() - start:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f} at the end", file=sys.stderr)
    print("smp: " + ", ".join(f"{name} {speedup[name]:.2f}x at {threads[-1]} threads"
                              for name in SUMMARY_ROWS))
    if a.base_cli:
        print("smp base: " + ", ".join(f"{name} {base_speedup[name]:.2f}x at {threads[-1]} "
                                       f"threads" for name in SUMMARY_ROWS))


if __name__ == "__main__":
    main()
