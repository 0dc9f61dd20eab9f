#!/usr/bin/env python3
"""Convert a llama2.c version-0 checkpoint to version 2, Q8_0 (fluid.llm.export_v2).

usage: export_v2.py IN_V0.bin OUT_V2.bin [--group-size N]"""
from fluid.llm import export_v2

if __name__ == "__main__":
    export_v2.main()
