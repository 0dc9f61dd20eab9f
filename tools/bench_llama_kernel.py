#!/usr/bin/env python3
"""`make bench-llama-kernel`: instructions per token of the booted x86-64 kernel under QEMU
-icount, for bench_llama.py's rows (fluid.llm.bench_kernel).

usage: bench_llama_kernel.py --models DIR --out DIR --json FILE [--rows NAME ...]"""
from fluid.llm import bench_kernel

if __name__ == "__main__":
    bench_kernel.main()
