#!/usr/bin/env python3
"""Write a llama2.c checkpoint with deterministic pseudo-random weights (fluid.llm.synth).

usage: synth_model.py OUT.bin [--shape tiny|stories15M|tinyllama | --dims D,H,L,NH,NKV,V,S]
                      [--format v0|v2] [--unshared] [--seed N] [--group-size N]"""
from fluid.llm import synth

if __name__ == "__main__":
    synth.main()
