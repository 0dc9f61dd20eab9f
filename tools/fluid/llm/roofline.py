"""The memory roofline of token generation: bytes the engine must read per generated token.

Generating one token at position p streams every weight matrix once (kernel/llm/llm_forward.c:
wq, wk, wv, wo, w1, w2, w3 of every layer, then the classifier), one row of the token
embedding, the RMS-norm weights, and the key and value caches of positions 0..p of every
layer. With the read bandwidth B of the machine (tools/membw), no engine can generate more
than B / bytes_per_token tokens per second; `make bench-smp` prints each row's share of that.

Sizes are those of the files kernel/llm/llm_model.c reads (fluid.llm.fmt): version 0 holds
fp32 tensors; version 2 holds each matrix as int8 values plus one fp32 scale per group
(Q8_0). Python stdlib only."""
import struct

from fluid.llm import fmt

F32 = 4                     # bytes of an fp32 value
I8 = 1                      # bytes of a Q8_0 value


class Shape:
    """What the roofline needs of a model file: its Config, format version and group size."""

    def __init__(self, config, version, group=0):
        self.config, self.version, self.group = config, version, group


def read_shape(path):
    """The Shape of a llama2.c checkpoint (version 0 or 2). Raises ValueError naming the bad
    field for anything else."""
    with open(path, "rb") as f:
        head = f.read(fmt.V12_HEADER)
    if len(head) >= 8 and struct.unpack_from("<I", head)[0] == fmt.MAGIC:
        version = struct.unpack_from("<i", head, 4)[0]
        if version != 2:
            raise ValueError(f"{path}: format version {version}; the roofline knows 0 and 2")
        if len(head) < fmt.V12_HEADER:
            raise ValueError(f"{path}: {len(head)} header bytes, version 2 needs "
                             f"{fmt.V12_HEADER}")
        vals = list(struct.unpack_from("<7i", head, 8))
        shared, group = struct.unpack_from("<Bi", head, 36)
        if group <= 0:
            raise ValueError(f"{path}: group size {group}")
        return Shape(fmt.Config(*vals, shared=bool(shared)), 2, group)
    if len(head) < fmt.V0_HEADER.size:
        raise ValueError(f"{path}: {len(head)} bytes, shorter than a version-0 header")
    vals = list(fmt.V0_HEADER.unpack_from(head, 0))
    shared = vals[5] > 0
    vals[5] = abs(vals[5])
    return Shape(fmt.Config(*vals, shared=shared), 0)


def matrix_bytes(shape, numel):
    """Bytes of a matrix of numel values as the file stores it."""
    if shape.version == 2:
        return numel * I8 + numel // shape.group * F32
    return numel * F32


def weight_bytes_per_token(shape):
    """Bytes of weights read for one token, whatever its position."""
    c, sizes = shape.config, fmt.shapes(shape.config)
    total = sum(matrix_bytes(shape, sizes[name]) for name in fmt.MATRICES)
    total += matrix_bytes(shape, sizes["wcls"])                 # the classifier
    total += matrix_bytes(shape, c.dim)                         # one embedding row
    total += (sizes["rms_att"] + sizes["rms_ffn"] + sizes["rms_final"]) * F32
    return total


def kv_bytes_at(shape, pos):
    """Bytes of the key and value caches read at position pos (0-based): every layer's
    keys and values of positions 0..pos, fp32."""
    c = shape.config
    return 2 * c.n_layers * (pos + 1) * c.kv_dim * F32


def bytes_per_token(shape, steps):
    """Mean bytes read per token over a run generating positions 0..steps-1."""
    if steps <= 0:
        raise ValueError(f"steps {steps}: a run generates at least one token")
    kv = sum(kv_bytes_at(shape, p) for p in range(steps)) / steps
    return weight_bytes_per_token(shape) + kv


def share_of_roofline(tok_per_s, bytes_token, bandwidth):
    """tok/s x bytes/token / bandwidth (bytes/s): 1.0 means the engine reads at the
    machine's streaming bandwidth."""
    if bandwidth <= 0:
        raise ValueError(f"bandwidth {bandwidth}: must be positive")
    return tok_per_s * bytes_token / bandwidth
