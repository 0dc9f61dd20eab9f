#!/usr/bin/env python3
"""Runs the heap benchmark binaries (tools/bench_heap/bench_heap.c, one per allocator) on the
same workloads in one go and prints a table: ops/s, ratio against glibc, memory overhead
(resident-set growth / bytes still live after the run) and, for Fluid's heap, fragmentation
(1 - largest free block / free bytes). Each (allocator, workload) pair runs in its own process
so resident-set figures do not mix. Timings come from the host wall clock (CLOCK_MONOTONIC),
best of --repeats runs after an untimed warm-up.

Usage: run.py --dir build/bench_heap [--iters N] [--repeats R] ALLOCATOR ..."""
import argparse
import json
import os
import subprocess
import sys

WORKLOADS = ["random-mixed", "large"]


def run_one(path, workload, extra):
    out = subprocess.run([path, workload] + extra, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{path} {workload}: exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--iters", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("allocators", nargs="+")
    args = ap.parse_args()
    extra = ["--repeats", str(args.repeats)] + (["--iters", str(args.iters)] if args.iters else [])

    runs = []   # (label, path, flags)
    for name in args.allocators:
        path = os.path.join(args.dir, "bench_" + name)
        runs.append((name, path, []))
        if name == "fluid":
            runs.append(("fluid+guard", path, ["--guard"]))

    print("clock: CLOCK_MONOTONIC (host wall clock), best of %d runs after a warm-up" % args.repeats)
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
            if r.get("heap_check_problems"):
                print(f"  {label}: heap_check found {r['heap_check_problems']} problems")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
