"""Writes llama2.c checkpoints with deterministic pseudo-random weights, for shapes the real
models in /work/shared/models do not cover: an unshared classifier, stories15M's and
TinyLlama's sizes. Weights are int8 values from random.Random(seed) times a per-tensor
amplitude (2 / sqrt(fan_in) for matrices, 1 for embeddings, RMSNorm weights 1), so the same
seed gives the same file on every machine. Version 0 (fp32) or version 2 (Q8_0, written
directly: TinyLlama in fp32 would be 4.4 GB). Formats: fluid.llm.fmt.

usage: synth_model.py OUT.bin [--shape tiny|stories15M|tinyllama | --dims D,H,L,NH,NKV,V,S]
                      [--format v0|v2] [--unshared] [--seed N] [--group-size N]"""
import argparse
import array
import math
import random
import sys

from fluid.llm import fmt as llmfmt

SHAPES = {
    # dim, hidden, layers, heads, kv_heads, vocab, seq_len
    "tiny": (64, 176, 2, 8, 4, 512, 64),
    "stories15M": (288, 768, 6, 6, 6, 32000, 256),
    "tinyllama": (2048, 5632, 22, 32, 4, 32000, 2048),
}
CHUNK = 1 << 22                 # bytes of random data per step
INT8_FIX = bytes(range(128)) + bytes([129]) + bytes(range(129, 256))  # -128 -> -127


def amplitude(c, name):
    if name in ("tok_emb", "wcls"):
        return 1.0
    fan_in = c.hidden_dim if name == "w2" else c.dim
    return 2.0 / math.sqrt(fan_in)


def int8_stream(rng, n):
    """n pseudo-random int8 values in [-127, 127], as bytes, in chunks."""
    while n > 0:
        k = min(n, CHUNK)
        yield rng.randbytes(k).translate(INT8_FIX)
        n -= k


def write_f32_random(f, rng, n, amp):
    # table[b ^ 0x80]: the fp32 bytes of the int8 value whose two's-complement byte is b
    table = [llmfmt.f32_bytes([v * amp / llmfmt.Q8_MAX]) for v in range(-128, 128)]
    for chunk in int8_stream(rng, n):
        f.write(b"".join(table[b ^ 0x80] for b in chunk))


def write_v0(path, c, seed):
    rng = random.Random(seed)
    sizes = llmfmt.shapes(c)
    with open(path, "wb") as f:
        vals = c.values()
        vals[5] = c.vocab_size if c.shared else -c.vocab_size
        f.write(llmfmt.V0_HEADER.pack(*vals))
        for name in llmfmt.V0_ORDER + ([] if c.shared else ["wcls"]):
            if name.startswith("rms"):
                f.write(llmfmt.f32_bytes([1.0] * sizes[name]))
            elif name.startswith("freq"):
                f.write(bytes(4 * sizes[name]))  # unused by run.c and by us
            else:
                write_f32_random(f, rng, sizes[name], amplitude(c, name))


def write_v2(path, c, seed, group):
    rng = random.Random(seed)
    group = llmfmt.pick_group(c, group)
    sizes = llmfmt.shapes(c)
    with open(path, "wb") as f:
        f.write(llmfmt.v2_header(c, group))
        for name in ("rms_att", "rms_ffn", "rms_final"):
            f.write(llmfmt.f32_bytes([1.0] * sizes[name]))
        for name, _ in llmfmt.v2_matrices(c):
            n = llmfmt.layer_numel(c, name)
            for chunk in int8_stream(rng, n):
                f.write(chunk)
            scale = amplitude(c, name) / llmfmt.Q8_MAX
            f.write(llmfmt.f32_bytes(array.array("f", [scale]) * (n // group)))
    return group


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    ap.add_argument("--dims", help="dim,hidden,layers,heads,kv_heads,vocab,seq_len")
    ap.add_argument("--format", choices=("v0", "v2"), default="v0")
    ap.add_argument("--unshared", action="store_true", help="separate classifier weights")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--group-size", type=int, default=llmfmt.DEFAULT_GROUP)
    a = ap.parse_args()
    dims = tuple(int(x) for x in a.dims.split(",")) if a.dims else SHAPES[a.shape]
    if len(dims) != 7 or min(dims) < 1:
        ap.error(f"--dims needs 7 positive integers, got {a.dims}")
    c = llmfmt.Config(*dims, shared=not a.unshared)
    if a.format == "v0":
        write_v0(a.out, c, a.seed)
    else:
        write_v2(a.out, c, a.seed, a.group_size)
    print(f"synth_model: {a.out}: {a.format}, dims {dims}, "
          f"{'unshared' if a.unshared else 'shared'} classifier", file=sys.stderr)

