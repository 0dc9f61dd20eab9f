#!/usr/bin/env python3
"""`make bench-smp`: the inference engine's tokens/s on 1 and 2 threads (fluid.llm.bench_smp).

usage: bench_smp.py --cli LLM_CLI --models DIR --out DIR"""
from fluid.llm import bench_smp

if __name__ == "__main__":
    bench_smp.main()
