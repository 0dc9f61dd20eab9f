#!/usr/bin/env python3
"""`make bench-smp`: the inference engine's tokens/s at every thread count, with its share of
the memory roofline (fluid.llm.bench_smp).

usage: bench_smp.py --cli LLM_CLI --membw MEMBW --models DIR --out DIR [--base-cli LLM_CLI]"""
from fluid.llm import bench_smp

if __name__ == "__main__":
    bench_smp.main()
