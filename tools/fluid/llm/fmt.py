"""llama2.c checkpoint layouts for the host tools (fluid.llm.export_v2, fluid.llm.synth).

The same formats kernel/llm/llm_model.c reads (docs/llm.md); Python stdlib only.
  version 0: 7 x int32 header (vocab_size < 0: unshared classifier), fp32 tensors
             tok_emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final,
             freq_cis_real, freq_cis_imag, [wcls]
  version 2: 256-byte header (u32 magic, i32 2, 7 x i32, u8 shared, i32 group_size, zeros);
             fp32 rms_att, rms_ffn, rms_final; then per matrix (tok_emb, per layer wq, wk,
             wv, wo, w1, w2, w3, [wcls]) its int8 values followed by its fp32 scales, the
             order llama2.c's runq.c reads.
Origin: karpathy/llama2.c export.py (legacy_export, version2_export, quantize_q80)."""
import array
import struct
import sys

MAGIC = 0x616B3432
V0_HEADER = struct.Struct("<7i")
V12_HEADER = 256
Q8_MAX = 127.0
DEFAULT_GROUP = 64

# (name, per-layer?) in version-0 order; shapes come from shapes().
V0_ORDER = ["tok_emb", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3",
            "rms_final", "freq_real", "freq_imag"]
MATRICES = ["wq", "wk", "wv", "wo", "w1", "w2", "w3"]


class Config:
    FIELDS = ("dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len")

    def __init__(self, dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len,
                 shared=True):
        self.dim, self.hidden_dim, self.n_layers = dim, hidden_dim, n_layers
        self.n_heads, self.n_kv_heads = n_heads, n_kv_heads
        self.vocab_size, self.seq_len, self.shared = vocab_size, seq_len, shared

    @property
    def head_size(self):
        return self.dim // self.n_heads

    @property
    def kv_dim(self):
        return self.dim * self.n_kv_heads // self.n_heads

    def values(self):
        return [getattr(self, f) for f in self.FIELDS]


def shapes(c):
    """Element count of each tensor family (all layers together)."""
    L = c.n_layers
    return {
        "tok_emb": c.vocab_size * c.dim, "rms_att": L * c.dim, "rms_ffn": L * c.dim,
        "wq": L * c.dim * c.dim, "wk": L * c.kv_dim * c.dim, "wv": L * c.kv_dim * c.dim,
        "wo": L * c.dim * c.dim, "w1": L * c.hidden_dim * c.dim,
        "w2": L * c.dim * c.hidden_dim, "w3": L * c.hidden_dim * c.dim, "rms_final": c.dim,
        "freq_real": c.seq_len * c.head_size // 2, "freq_imag": c.seq_len * c.head_size // 2,
        "wcls": c.vocab_size * c.dim,
    }


def read_v0(path):
    """Returns (Config, {name: array('f')}) for a version-0 file."""
    with open(path, "rb") as f:
        data = f.read()
    vals = list(V0_HEADER.unpack_from(data, 0))
    shared = vals[5] > 0
    vals[5] = abs(vals[5])
    c = Config(*vals, shared=shared)
    floats = array.array("f")
    floats.frombytes(data[V0_HEADER.size:])
    if sys.byteorder != "little":
        floats.byteswap()
    tensors, off = {}, 0
    order = V0_ORDER + ([] if shared else ["wcls"])
    sizes = shapes(c)
    for name in order:
        tensors[name] = floats[off:off + sizes[name]]
        off += sizes[name]
    if off != len(floats):
        raise ValueError(f"{path}: {len(floats)} floats, header implies {off}")
    if shared:
        tensors["wcls"] = tensors["tok_emb"]
    return c, tensors


def f32_bytes(a):
    a = array.array("f", a)
    if sys.byteorder != "little":
        a.byteswap()
    return a.tobytes()


def write_v0(path, c, tensors):
    with open(path, "wb") as f:
        vals = c.values()
        vals[5] = c.vocab_size if c.shared else -c.vocab_size
        f.write(V0_HEADER.pack(*vals))
        for name in V0_ORDER + ([] if c.shared else ["wcls"]):
            f.write(f32_bytes(tensors[name]))


def v2_header(c, group):
    head = struct.pack("<Ii7iBi", MAGIC, 2, *c.values(), int(c.shared), group)
    return head + b"\0" * (V12_HEADER - len(head))


def pick_group(c, group=DEFAULT_GROUP):
    """export.py's back-off (halve until it divides dim), extended to hidden_dim: runq.c
    quantizes activations of both widths in whole groups."""
    while c.dim % group or c.hidden_dim % group:
        group //= 2
    return group


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def quantize_q80(w, group):
    """export.py quantize_q80: per group scale = max|w| / 127, q = round(w / scale) (half to
    even, as torch.round). Returns (int8 bytes, array('f') scales)."""
    q = array.array("b", bytes(len(w)))
    scales = array.array("f")
    for g in range(0, len(w), group):
        chunk = w[g:g + group]
        scale = f32(max(abs(v) for v in chunk) / Q8_MAX)
        scales.append(scale)
        if scale > 0:
            for i, v in enumerate(chunk):
                q[g + i] = max(-127, min(127, round(v / scale)))
    return q.tobytes(), scales


def v2_matrices(c):
    """(name, layer) for every quantized matrix, in file order."""
    out = [("tok_emb", 0)]
    for name in MATRICES:
        out += [(name, l) for l in range(c.n_layers)]
    if not c.shared:
        out.append(("wcls", 0))
    return out


def layer_numel(c, name):
    per = shapes(c)[name]
    return per if name in ("tok_emb", "wcls") else per // c.n_layers
