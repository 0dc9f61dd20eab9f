#!/usr/bin/env python3
"""`make bench-llama`: the inference engine's tokens/s and instructions per token on Linux,
beside the booted kernel's (fluid.llm.bench).

usage: bench_llama.py --cli LLM_CLI --models DIR --out DIR [--kernel-results JSON]
                      [--kernel-code-cli LLM_CLI] [--no-callgrind]"""
from fluid.llm import bench

if __name__ == "__main__":
    bench.main()
