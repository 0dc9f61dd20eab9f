"""Converts a llama2.c version-0 checkpoint to version 2 (Q8_0 group-wise int8), the layout
llama2.c's runq.c reads (fluid.llm.fmt, docs/llm.md). Python stdlib only, so it is
slow on large models (about 1 M weights per second); the benchmark writes its int8 models
directly with synth_model.py instead.

usage: export_v2.py IN_V0.bin OUT_V2.bin [--group-size N]"""
import argparse
import sys

from fluid.llm import fmt as llmfmt


def convert(src, dst, group=llmfmt.DEFAULT_GROUP):
    c, t = llmfmt.read_v0(src)
    group = llmfmt.pick_group(c, group)
    with open(dst, "wb") as f:
        f.write(llmfmt.v2_header(c, group))
        for name in ("rms_att", "rms_ffn", "rms_final"):
            f.write(llmfmt.f32_bytes(t[name]))
        for name, layer in llmfmt.v2_matrices(c):
            n = llmfmt.layer_numel(c, name)
            q, s = llmfmt.quantize_q80(t[name][layer * n:(layer + 1) * n], group)
            f.write(q)
            f.write(llmfmt.f32_bytes(s))
    return c, group


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--group-size", type=int, default=llmfmt.DEFAULT_GROUP)
    a = ap.parse_args()
    if a.group_size < 1:
        ap.error(f"group size {a.group_size} must be positive")
    c, group = convert(a.src, a.dst, a.group_size)
    print(f"export_v2: {a.dst}: dim {c.dim}, {c.n_layers} layers, group size {group}",
          file=sys.stderr)

