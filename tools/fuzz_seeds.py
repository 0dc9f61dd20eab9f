#!/usr/bin/env python3
"""Write the seed corpus of one fuzz target (mk/fuzz.mk) into OUTDIR, emptied first: real
inputs plus small hand-made corrupt ones, each at a rule of the reader it feeds.

usage: fuzz_seeds.py module OUTDIR MOD...        built .mod files, then corrupt headers
       fuzz_seeds.py model OUTDIR [--models DIR] shared models, synthetic ones, bad headers
       fuzz_seeds.py tokenizer OUTDIR [--models DIR]
       fuzz_seeds.py bootcfg OUTDIR [--models DIR]  (--models unused: hand-written texts)
       fuzz_seeds.py live OUTDIR MOD...          COM2 byte streams: VARIANT frames of the
                                                 modules, hostile frames, garbage, silences

The tokenizer target's inputs start with int32 vocab_size, u8 text length and the text
(tests/kernel/llm/fuzz_llm_tokenizer.c). Shared models bigger than the target's -max_len
(MODEL_SEED_MAX, TOKENIZER_SEED_MAX) are left out; a missing --models DIR leaves the synthetic
seeds only."""
import argparse
import os
import re
import shutil
import struct
import sys
import tempfile

from fluid import modfmt
from fluid.llm import fmt as llmfmt
from fluid.llm import synth
from fluid.pgo import live

MODEL_SEED_MAX = 1310720        # FUZZ_model_MAX_LEN (mk/llm.mk)
TOKENIZER_SEED_MAX = 65536      # FUZZ_tokenizer_MAX_LEN
TOK_PREFIX = struct.Struct("<iB")   # vocab_size, text length
TEXT_MAX = 255                  # the text length is one byte
INT32_MIN = -2**31
MAX_DIM, MAX_HIDDEN, MAX_SEQ = 16384, 65536, 1 << 16   # kernel/llm/llm_model.c LLM_MAX_*
U32 = 2**32

# Header offsets (kernel/llm/llm_model.c): version-0 fields are int32s in Config.FIELDS
# order; version 1/2 put the shared-classifier byte and the group size after the config.
V0_OFFSET = {name: 4 * i for i, name in enumerate(llmfmt.Config.FIELDS)}
V12_MAGIC_OFFSET = 0
V12_VERSION_OFFSET = 4
V12_SHARED_OFFSET = 36
V12_GROUP_OFFSET = 37
# tokenizer.bin: int32 max_token_length, then entry 0's float32 score, int32 length, bytes.
TOK_MAX_LEN_OFFSET = 0
TOK_SCORE0_OFFSET = 4
TOK_LENGTH0_OFFSET = 8
TOK_PIECE0_OFFSET = 12

# A small shape for synthetic models: dim 8, hidden 16, 2 layers, 2 heads, 1 kv head,
# vocab 8, seq_len 4 (head size 4, kv_dim 4); group size 4 divides dim and hidden.
SMALL = (8, 16, 2, 2, 1, 8, 4)
SMALL_GROUP = 4


class Seeds:
    """Numbered seed files in one directory."""

    def __init__(self, outdir):
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(outdir)
        self.outdir, self.count = outdir, 0

    def add(self, name, data):
        self.count += 1
        with open(os.path.join(self.outdir, f"{self.count:03d}-{name}"), "wb") as f:
            f.write(bytes(data))


# ---- modules --------------------------------------------------------------------------------

def mod_field(blob, field, value):
    """blob with one header field set, both CRCs recomputed (so the field rules see it)."""
    s = modfmt.spec()
    codes = re.findall(r"\d*[A-Za-z]", s.LAYOUT.format)     # one per field, in ORDER
    b = bytearray(blob)
    struct.pack_into("<" + codes[s.ORDER.index(field)], b, s.OFFSETS[field], value)
    return mod_reseal(b)


def mod_reseal(b):
    s = modfmt.spec()
    b = bytearray(b)
    struct.pack_into("<I", b, s.OFFSETS["body_crc32"], modfmt.crc32(bytes(b[s.HEADER_SIZE:])))
    return modfmt.seal_header(bytes(b)) + bytes(b[s.HEADER_SIZE:])


def module_seeds(out, mods):
    for path in mods:
        with open(path, "rb") as f:
            out.add(os.path.basename(path), f.read())
    s = modfmt.spec()
    code, data = b"\xc3" + bytes(63), struct.pack("<I", 0x10) + bytes(28)
    good = modfmt.pack("seed", code, data, 48, [4, len(code)], 8, features=0)
    out.add("good.mod", good)
    out.add("minimal.mod", modfmt.pack("m", b"\xc3", b"", 0, [], 0, align=s.ALIGN_MIN))
    out.add("last-reloc.mod", modfmt.pack("r", code, data, 0, [len(code) + len(data) - 4], 0))
    out.add("max-align.mod", modfmt.pack("a", code, b"", 0, [], 0, align=s.ALIGN_MAX))
    out.add("max-image.mod", modfmt.pack("big", code, b"", s.MAX_IMAGE - len(code), [], 0))
    cases = [
        ("image-too-big", "bss_size", s.MAX_IMAGE),
        ("code-wraps-32", "code_size", U32 - 0x10),
        ("data-wraps-32", "data_size", U32 - len(code)),
        ("bss-wraps-32", "bss_size", U32 - len(code) - len(data)),
        ("relocs-wrap-32", "reloc_count", U32 // 4 + 2),
        ("relocs-max", "reloc_count", s.MAX_RELOCS),
        ("entry-at-end", "entry", len(code)),
        ("entry-last", "entry", len(code) - 1),
        ("header-size", "header_size", s.HEADER_SIZE + 4),
        ("align-odd", "align", 24),
        ("tier", "tier", len(s.TIERS)),
        ("features", "required_features", 1 << 31),
        ("reserved", "reserved0", 1),
    ]
    for name, field, value in cases:
        out.add(name + ".mod", mod_field(good, field, value))
    out.add("truncated.mod", good[:s.HEADER_SIZE - 1])
    out.add("header-only.mod", mod_reseal(good[:s.HEADER_SIZE]))


# ---- models ---------------------------------------------------------------------------------

def v1_model(c):
    """A version-1 file of shape c: header, then zero fp32 tensors."""
    sizes = llmfmt.shapes(c)
    names = ["rms_att", "rms_ffn", "rms_final", "tok_emb"] + llmfmt.MATRICES
    floats = sum(sizes[n] for n in names) + (0 if c.shared else sizes["wcls"])
    head = struct.pack("<Ii7iB", llmfmt.MAGIC, 1, *c.values(), int(c.shared))
    return head + bytes(llmfmt.V12_HEADER - len(head)) + bytes(4 * floats)


def synth_file(write):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.bin")
        write(path)
        with open(path, "rb") as f:
            return f.read()


def patched(blob, offset, fmt, value):
    b = bytearray(blob)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def model_seeds(out, models):
    shared, unshared = llmfmt.Config(*SMALL), llmfmt.Config(*SMALL, shared=False)
    v0 = synth_file(lambda p: synth.write_v0(p, shared, 1))
    v2 = synth_file(lambda p: synth.write_v2(p, shared, 1, SMALL_GROUP))
    out.add("v0-shared.bin", v0)
    out.add("v0-unshared.bin", synth_file(lambda p: synth.write_v0(p, unshared, 1)))
    out.add("v1-shared.bin", v1_model(shared))
    out.add("v1-unshared.bin", v1_model(unshared))
    out.add("v2-shared.bin", v2)
    out.add("v2-unshared.bin", synth_file(lambda p: synth.write_v2(p, unshared, 1, SMALL_GROUP)))
    for path in models:
        with open(path, "rb") as f:
            blob = f.read()
        name = os.path.basename(path)
        out.add(name, blob)
        out.add(name + ".header", blob[:llmfmt.V12_HEADER])
    dim, hidden, vocab, seq = (V0_OFFSET[f] for f in ("dim", "hidden_dim", "vocab_size",
                                                        "seq_len"))
    v1 = v1_model(shared)
    bad = [
        ("v0-vocab-int-min", patched(v0, vocab, "<i", INT32_MIN)),
        ("v0-dim-max", patched(v0, dim, "<i", MAX_DIM)),
        ("v0-products-wrap-32",
         patched(patched(v0, dim, "<i", MAX_DIM), hidden, "<i", MAX_HIDDEN)),
        ("v0-seq-max", patched(v0, seq, "<i", MAX_SEQ)),
        ("v0-short", v0[:-4]),
        ("v0-long", v0 + bytes(4)),
        ("v1-magic-near", patched(v1, V12_MAGIC_OFFSET, "<I", llmfmt.MAGIC ^ 0xFF)),
        ("v1-version-3", patched(v1, V12_VERSION_OFFSET, "<i", 3)),
        ("v1-shared-flag-2", patched(v1, V12_SHARED_OFFSET, "<B", 2)),
        ("v1-padding", patched(v1, llmfmt.V12_HEADER - 1, "<B", 1)),
        ("v1-header-cut", v1[:llmfmt.V12_HEADER - 1]),
        ("v2-group-0", patched(v2, V12_GROUP_OFFSET, "<i", 0)),
        ("v2-group-3", patched(v2, V12_GROUP_OFFSET, "<i", 3)),
        ("v2-group-huge", patched(v2, V12_GROUP_OFFSET, "<i", 1 << 30)),
        # a NaN beside finite activations in one quantization group (llm_forward.c)
        ("v2-nan-norm", patched(v2, llmfmt.V12_HEADER, "<f", float("nan"))),
    ]
    for name, blob in bad:
        out.add(name + ".bin", blob)


# ---- tokenizers -----------------------------------------------------------------------------

def tokenizer_entries(blob):
    """Number of entries of a well-formed tokenizer.bin, or None."""
    if len(blob) < 4:
        return None
    off, n = 4, 0
    while off + 8 <= len(blob):
        length = struct.unpack_from("<i", blob, off + 4)[0]
        if length < 0 or off + 8 + length > len(blob):
            return None
        off, n = off + 8 + length, n + 1
    return n if off == len(blob) else None


def tokenizer_file(pieces, max_len=None):
    """A tokenizer.bin of (score, bytes) pieces."""
    max_len = max_len or max(len(p) for _, p in pieces)
    return struct.pack("<i", max_len) + b"".join(
        struct.pack("<fi", score, len(p)) + p for score, p in pieces)


def tok_input(vocab_size, text, file):
    text = text.encode() if isinstance(text, str) else text
    return TOK_PREFIX.pack(vocab_size, len(text[:TEXT_MAX])) + text[:TEXT_MAX] + file


# <unk> <s> </s>, then pieces whose merges reach the encoder's every branch.
TOY = [(0.0, b"<unk>"), (0.0, b"<s>"), (0.0, b"</s>"), (-1.0, b" "), (-2.0, b"a"), (-2.0, b"b"),
       (-3.0, b" a"), (-1.0, b"ab"), (-0.5, b" ab"), (0.0, b"<0x41>"), (-4.0, "é".encode())]
TEXTS = ["Once upon a time", "ab", "é", "z", "", "<0x41> \t\n", "\u2603 \U0001F600 a\u0301",
         b"\xff\xfe\x80\x80\x80\x80\x80 ab"]


def tokenizer_seeds(out, models):
    toy = tokenizer_file(TOY)
    for i, text in enumerate(TEXTS):
        out.add(f"toy-{i}.tok", tok_input(len(TOY), text, toy))
    for path in models:
        with open(path, "rb") as f:
            blob = f.read()
        n = tokenizer_entries(blob)
        for i, text in enumerate(TEXTS[:2]):
            out.add(f"{os.path.basename(path)}-{i}", tok_input(n, text, blob))
    bad = [
        ("vocab-bigger", tok_input(len(TOY) + 1, "ab", toy)),
        ("vocab-smaller", tok_input(len(TOY) - 1, "ab", toy)),
        ("vocab-0", tok_input(0, "ab", toy)),
        ("vocab-negative", tok_input(-5, "ab", toy)),
        ("vocab-int-max", tok_input(2**31 - 1, "ab", toy)),
        ("cut", tok_input(len(TOY), "ab", toy[:-3])),
        # vocabularies without BOS (id 1) or EOS (id 2), which the target always asks for
        ("vocab-1-no-bos", tok_input(1, " ", tokenizer_file([(0.0, b" ")]))),
        ("vocab-2-no-eos", tok_input(2, "a", tokenizer_file([(0.0, b" "), (0.0, b"a")]))),
    ]
    for name, offset, fmt, value in [("max-len-0", TOK_MAX_LEN_OFFSET, "<i", 0),
                                     ("max-len-1", TOK_MAX_LEN_OFFSET, "<i", 1),
                                     ("length-negative", TOK_LENGTH0_OFFSET, "<i", -1),
                                     ("score-nan", TOK_SCORE0_OFFSET, "<f", float("nan")),
                                     ("nul-in-piece", TOK_PIECE0_OFFSET, "<B", 0)]:
        bad.append((name, tok_input(len(TOY), "ab", patched(toy, offset, fmt, value))))
    for name, blob in bad:
        out.add(name + ".tok", blob)


# ---- boot configuration ---------------------------------------------------------------------

CONFIGS = [
    "model = MODEL.BIN\ntokenizer = TOKENIZ.BIN\nprompt = Once upon a time\nsteps = 256\n"
    "temperature = 0.8\ntopp = 0.9\nseed = 42\n",
    "# comment\r\n\n  model = S260.BIN  \r\ntokenizer=T512.BIN\nprompt = a\\nb\\tc\\\\\n"
    "steps = 0\ntemperature = 0\ntopp = .95\nseed = 18446744073709551615",
    "prompt =\n", "steps = 1048576\ntemperature = 100\ntopp = 1\n",
    "prompt = " + "x" * (1023) + "\n", "model = " + "A" * 63 + "\n",
]
BAD_CONFIGS = [
    "colour = red", "model", "model =", "steps = -1", "steps = 1048577", "topp = 1.5",
    "topp = 0.9.1", "temperature = 1e3", "temperature = 0.0000000000000000001",
    "seed = 18446744073709551616", "prompt = a\\qb", "prompt = a\\", "steps = 1\nsteps = 2",
    "model = " + "A" * 64, "prompt = " + "x" * 1100, "steps = 1\n\0", "\r\r\n=\n",
]


def bootcfg_seeds(out, _models):
    for i, text in enumerate(CONFIGS):
        out.add(f"good-{i}.cfg", text.encode())
    for i, text in enumerate(BAD_CONFIGS):
        out.add(f"bad-{i}.cfg", text.encode())


# ---- command line ---------------------------------------------------------------------------

# ---- the live line ------------------------------------------------------------------------

LIVE_ESCAPE, LIVE_SILENCE = 0xF5, 0x00      # tests/kernel/bench/fuzz_live_frame.c


def live_seeds(out, mods):
    """Streams as the kernel reads them from COM2 (the harness turns F5 00 into a silence)."""
    variant, bye = live.type_number("variant"), live.type_number("bye")
    silence = bytes([LIVE_ESCAPE, LIVE_SILENCE])
    for path in mods:
        with open(path, "rb") as f:
            blob = f.read()
        name = modfmt.parse(blob)["name"]
        frame = live.encode(variant, 1, live.variant_payload(name, blob))
        out.add(f"variant-{name}", frame.replace(bytes([LIVE_ESCAPE]), bytes([LIVE_ESCAPE] * 2)))
    small = live.encode(variant, 2, live.variant_payload("sum", b"\0" * 8))
    out.add("bye", live.encode(bye, 3))
    out.add("garbage-then-bye", b"FLIxFLFL\xff" + live.encode(bye, 4))
    out.add("bad-crc", live.encode(bye, 5, crc=0))
    out.add("too-long", live.encode(variant, 6, b"", length=1 << 20))
    out.add("bad-version", live.encode(bye, 7, version=9))
    out.add("bad-type", live.encode(live.type_number("hello"), 8))
    out.add("bad-reserved", live.encode(bye, 9, reserved=1))
    out.add("truncated", small[:len(small) // 2] + silence + live.encode(bye, 10))
    out.add("short-variant", small)


def shared_files(models_dir, limit, want_tokenizer):
    """Shared model files up to `limit` bytes: the tokenizers or the models."""
    if not models_dir or not os.path.isdir(models_dir):
        print(f"fuzz_seeds: no shared models in {models_dir!r}: synthetic seeds only",
              file=sys.stderr)
        return []
    paths = []
    for name in sorted(os.listdir(models_dir)):
        path = os.path.join(models_dir, name)
        if not name.endswith(".bin") or os.path.getsize(path) > limit:
            continue
        with open(path, "rb") as f:
            is_tokenizer = tokenizer_entries(f.read()) is not None
        if is_tokenizer == want_tokenizer:
            paths.append(path)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("target", choices=("module", "model", "tokenizer", "bootcfg", "live"))
    ap.add_argument("outdir")
    ap.add_argument("mods", nargs="*", help="module and live targets: .mod files")
    ap.add_argument("--models", help="the shared models directory")
    a = ap.parse_args()
    out = Seeds(a.outdir)
    if a.target == "module":
        module_seeds(out, a.mods)
    elif a.target == "model":
        model_seeds(out, shared_files(a.models, MODEL_SEED_MAX, False))
    elif a.target == "live":
        live_seeds(out, a.mods)
    elif a.target == "tokenizer":
        tokenizer_seeds(out, shared_files(a.models, TOKENIZER_SEED_MAX, True))
    else:
        bootcfg_seeds(out, None)
    print(f"fuzz_seeds: {out.count} {a.target} seeds in {a.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
