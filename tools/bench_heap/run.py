#!/usr/bin/env python3
"""Runs the heap benchmark binaries (tools/bench_heap/bench_heap.c and bench_threads.c, one of
each per allocator) on the same workloads in one go and prints tables.

Single thread: ops/s, ratio against glibc, memory overhead (resident-set growth / bytes still
live after the run) and, for Fluid's heap, fragmentation (1 - largest free block / free bytes).
Threaded (larson, xmalloc, cache-scratch, random-mixed at 1, 2 and 4 threads): ops/s and the
ratios against glibc and against mimalloc at the same thread count, and for cache-scratch the
threads whose objects shared a cache line with another thread's (false sharing).

Timings come from the host wall clock (CLOCK_MONOTONIC) after an untimed warm-up. Single
thread: each (allocator, workload) in its own process, best of --repeats runs. Threaded: each
(allocator, workload, threads) best of --repeats processes of one run each, the allocators
taking turns round by round, so the shared machine's slow minutes fall on all of them. Every binary must
report that its allocator owns a block it allocated (alloc_check); Fluid's must also count
exactly the mallocs the benchmark made, end with no live block and pass heap_check. A result
that fails these is reported and makes the exit status 1.

With --instructions, the threaded workloads instead run once each under valgrind's callgrind
and the table gives the instructions each binary executed (the benchmark's own loop included,
as in its wall time): exact and repeatable whatever else the machine runs, but callgrind runs
the threads one at a time, so it counts work, not contention or waiting. The ratios are then
Fluid's instructions over the other allocator's: below 1.30 against mimalloc is the
instruction-count form of the goal "within 1.3x of mimalloc".

Usage: run.py --dir build/bench_heap [--iters N] [--repeats R] [--threads 1,2,4]
              [--scale F] [--no-single] [--no-threads] [--instructions] ALLOCATOR ...
(--iters: steps of the single-thread workloads; --scale: multiplies the threaded workloads'
default work.)"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

WORKLOADS = ["random-mixed", "large"]
THREAD_WORKLOADS = ["larson", "xmalloc", "cache-scratch", "random-mixed"]


def run_one(path, workload, extra):
    out = subprocess.run([path, workload] + extra, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{path} {workload}: exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_result(label, r):
    """Problems with a result that make it untrustworthy (empty list: none)."""
    problems = []
    if not r.get("alloc_check"):
        problems.append("the allocator does not own a block the binary allocated")
    if "heap_mallocs" in r and r["heap_mallocs"] != r["bench_mallocs"]:
        problems.append(f"heap counted {r['heap_mallocs']} mallocs, the benchmark made "
                        f"{r['bench_mallocs']}")
    if r.get("heap_live_blocks"):
        problems.append(f"{r['heap_live_blocks']} blocks still live after the run")
    if r.get("heap_check_problems"):
        problems.append(f"heap_check found {r['heap_check_problems']} problems")
    return [f"{label}: {p}" for p in problems]


def single_thread(args, extra):
    runs = []   # (label, path, flags)
    for name in args.allocators:
        path = os.path.join(args.dir, "bench_" + name)
        runs.append((name, path, []))
        if name == "fluid":
            runs.append(("fluid+guard", path, ["--guard"]))
    print("single thread; clock: CLOCK_MONOTONIC (host wall clock), best of %d runs after a "
          "warm-up" % args.repeats)
    failed = False
    for workload in WORKLOADS:
        results = {}
        for label, path, flags in runs:
            try:
                results[label] = run_one(path, workload, extra + flags)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
                print(f"bench-heap: {label}: {e}", file=sys.stderr)
                failed = True
        base = results.get("glibc", {}).get("ops_per_s")
        print(f"\nworkload {workload}:")
        print(f"  {'allocator':<12} {'Mops/s':>8} {'vs glibc':>9} {'overhead':>9} {'frag':>6}  version")
        for label, r in results.items():
            ratio = f"{r['ops_per_s'] / base:8.2f}x" if base else "      n/a"
            overhead = r["rss_growth_bytes"] / r["live_bytes"] if r["live_bytes"] else 0.0
            frag = f"{r['heap_fragmentation']:6.3f}" if "heap_fragmentation" in r else "   n/a"
            print(f"  {label:<12} {r['ops_per_s'] / 1e6:8.1f} {ratio} {overhead:8.2f}x {frag}  "
                  f"{r['version']}")
            for p in check_result(label, r):
                print(f"  {p}")
                failed = True
    return failed


def best_of_rounds(args, workload, n):
    """Each allocator's fastest of args.repeats runs of (workload, n threads), one process a
    run, the allocators in turn within each round: a minute when the shared machine is slow
    then costs every allocator a run rather than all of one allocator's. Returns the results
    by allocator and whether a run failed (reported)."""
    extra = ["--repeats", "1", "--scale", str(args.scale), "--threads", str(n)]
    best, failed = {}, False
    for _ in range(args.repeats):
        for name in args.allocators:
            path = os.path.join(args.dir, "bench_threads_" + name)
            try:
                r = run_one(path, workload, extra)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
                print(f"bench-heap: {name} {workload} {n} threads: {e}", file=sys.stderr)
                failed = True
                continue
            problems = check_result(name, r)
            for p in problems:
                print(f"  {p}")
            failed |= bool(problems)
            if name not in best or r["ops_per_s"] > best[name]["ops_per_s"]:
                best[name] = r
    return best, failed


def threaded(args):
    counts = [int(t) for t in args.threads.split(",")]
    cores = os.cpu_count() or 1
    print(f"\nthreaded; clock: CLOCK_MONOTONIC (host wall clock, threads released together, "
          f"stopped when the last is joined; thread i pinned to CPU i mod the CPUs), best of "
          f"{args.repeats} runs, one process each "
          f"after its warm-up, the allocators taking turns; "
          f"the same total work at every thread count. This machine has {cores} cores"
          + (f": {', '.join(str(t) for t in counts if t > cores)} threads are oversubscribed"
             if any(t > cores for t in counts) else "")
          + "; other jobs running on it show up as noise.")
    failed = False
    for workload in THREAD_WORKLOADS:
        print(f"\nworkload {workload} (threaded):")
        shared = "  shared" if workload == "cache-scratch" else ""
        print(f"  {'threads':>7} {'allocator':<10} {'Mops/s':>9} {'vs glibc':>9} "
              f"{'vs mimalloc':>11}{shared}")
        for n in counts:
            results, round_failed = best_of_rounds(args, workload, n)
            failed |= round_failed
            glibc = results.get("glibc", {}).get("ops_per_s")
            mi = results.get("mimalloc", {}).get("ops_per_s")
            for name, r in results.items():
                ops = r["ops_per_s"]
                vs_g = f"{ops / glibc:8.2f}x" if glibc else "      n/a"
                vs_m = f"{ops / mi:10.2f}x" if mi else "        n/a"
                extra_col = f"  {r['shared_lines']:6d}" if shared else ""
                print(f"  {n:>7} {name:<10} {ops / 1e6:9.2f} {vs_g} {vs_m}{extra_col}")
    if any(w == "cache-scratch" for w in THREAD_WORKLOADS):
        print("\n  shared: threads whose objects shared a 64-byte cache line with another "
              "thread's (false sharing); 0 is the goal")
    return failed


INSTRUCTION_WORKLOADS = ["larson", "xmalloc", "random-mixed"]
COLLECTED = re.compile(r"==\d+== Collected : (\d+)")


def instructions_of(path, workload, n, scale):
    """Instructions callgrind counted for one run of (workload, n threads): its warm-up and one
    timed run. Debug info is stripped first: Debian 12's valgrind 3.19 cannot read DWARF 5."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = os.path.join(tmp, os.path.basename(path))
        subprocess.run(["strip", "-g", "-o", bare, path], check=True)
        proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                               bare, workload, "--threads", str(n), "--repeats", "1",
                               "--scale", str(scale)],
                              capture_output=True, text=True, timeout=1800)
    m = COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"callgrind {path} {workload} {n} threads: exit {proc.returncode}: "
                           f"{proc.stderr.strip()[-600:]}")
    return int(m.group(1)), json.loads(proc.stdout.strip().splitlines()[-1])


def instructions(args):
    if not shutil.which("valgrind"):
        print("bench-heap: --instructions needs valgrind (apt-get install --no-install-recommends "
              "valgrind)", file=sys.stderr)
        return True
    counts = [int(t) for t in args.threads.split(",")]
    print(f"threaded; clock: instructions counted by valgrind --tool=callgrind (exact; the "
          f"threads run one at a time, so work, not contention), one run each after the "
          f"warm-up (both counted), --scale {args.scale}")
    failed = False
    for workload in INSTRUCTION_WORKLOADS:
        print(f"\nworkload {workload} (threaded, instructions):")
        print(f"  {'threads':>7} {'allocator':<10} {'Minstr':>9} {'/ glibc':>9} {'/ mimalloc':>11}")
        for n in counts:
            found = {}
            for name in args.allocators:
                path = os.path.join(args.dir, "bench_threads_" + name)
                try:
                    found[name], r = instructions_of(path, workload, n, args.scale)
                except (RuntimeError, subprocess.TimeoutExpired, subprocess.CalledProcessError,
                        ValueError) as e:
                    print(f"bench-heap: {e}", file=sys.stderr)
                    failed = True
                    continue
                for p in check_result(name, r):
                    print(f"  {p}")
                    failed = True
            glibc, mi = found.get("glibc"), found.get("mimalloc")
            for name, count in found.items():
                vs_g = f"{count / glibc:8.2f}x" if glibc else "      n/a"
                vs_m = f"{count / mi:10.2f}x" if mi else "        n/a"
                print(f"  {n:>7} {name:<10} {count / 1e6:9.1f} {vs_g} {vs_m}")
    print("\n  / glibc, / mimalloc: this allocator's instructions over that one's (lower is "
          "fewer); the goal's form in instructions is Fluid / mimalloc at most 1.30")
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--iters", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="1,2,4")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--no-single", action="store_true")
    ap.add_argument("--no-threads", action="store_true")
    ap.add_argument("--instructions", action="store_true",
                    help="the threaded workloads under callgrind: instructions, not time")
    ap.add_argument("allocators", nargs="+")
    args = ap.parse_args()
    if args.instructions:
        return 1 if instructions(args) else 0
    extra = ["--repeats", str(args.repeats)] + (["--iters", str(args.iters)] if args.iters else [])
    failed = False
    if not args.no_single:
        failed |= single_thread(args, extra)
    if not args.no_threads:
        failed |= threaded(args)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
