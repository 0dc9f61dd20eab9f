"""fluid.llm.roofline (make bench-smp's roofline): bytes per token derived from the header
must agree with the bytes the model file actually holds, for fp32 (version 0) and Q8_0
(version 2), shared and unshared classifiers; the key/value term and the share arithmetic
on fixed numbers; bad headers refused with the field named."""
import os
import struct
import subprocess
import sys
import tempfile

from fluid import ROOT
from fluid.llm import fmt, roofline

SYNTH = os.path.join(ROOT, "tools", "synth_model.py")
TIMEOUT_S = 120
_tmpdir = tempfile.mkdtemp(prefix="roofline-")


def synth(*args):
    path = os.path.join(_tmpdir, "m-" + "-".join(a.strip("-") for a in args) + ".bin")
    if not os.path.exists(path):
        subprocess.run([sys.executable, SYNTH, path, "--shape", "tiny", *args], check=True,
                       timeout=TIMEOUT_S, capture_output=True)
    return path


def file_weight_bytes(path, shape):
    """Weight bytes per token as the file's own size gives them: every stored tensor once,
    minus what a token does not read (all but one embedding row; fp32 RoPE tables), plus
    the classifier again when it is the embedding table (shared)."""
    c, sizes = shape.config, fmt.shapes(shape.config)
    size = os.path.getsize(path)
    if shape.version == 2:
        emb = roofline.matrix_bytes(shape, sizes["tok_emb"])
        stored = size - fmt.V12_HEADER
    else:
        emb = sizes["tok_emb"] * roofline.F32
        freq = (sizes["freq_real"] + sizes["freq_imag"]) * roofline.F32
        stored = size - fmt.V0_HEADER.size - freq
    wcls_again = emb if c.shared else 0
    return stored - emb + roofline.matrix_bytes(shape, c.dim) + wcls_again


def cases():
    for args in ([], ["--unshared"], ["--format", "v2"], ["--format", "v2", "--unshared"]):
        def check(args=args):
            path = synth(*args)
            shape = roofline.read_shape(path)
            assert shape.version == (2 if "v2" in args else 0)
            assert shape.config.shared == ("--unshared" not in args)
            assert roofline.weight_bytes_per_token(shape) == file_weight_bytes(path, shape)
        yield "weights_match_file_" + ("_".join(a.strip("-") for a in args) or "v0"), check


def test_kv_term_grows_with_position():
    shape = roofline.Shape(fmt.Config(64, 176, 2, 8, 4, 512, 64), 0)
    # kv_dim = 64 * 4 / 8 = 32: 2 caches x 2 layers x positions x 32 x 4 bytes
    assert roofline.kv_bytes_at(shape, 0) == 2 * 2 * 1 * 32 * 4
    assert roofline.kv_bytes_at(shape, 9) == 2 * 2 * 10 * 32 * 4
    w = roofline.weight_bytes_per_token(shape)
    assert roofline.bytes_per_token(shape, 2) == w + (512 + 1024) / 2


def test_share_of_roofline_on_fixed_numbers():
    assert roofline.share_of_roofline(10.0, 1e9, 20e9) == 0.5
    for bad in (0, -1.0):
        try:
            roofline.share_of_roofline(1.0, 1.0, bad)
        except ValueError as e:
            assert "bandwidth" in str(e)
        else:
            raise AssertionError(f"bandwidth {bad} accepted")


def test_bad_headers_are_named():
    path = os.path.join(_tmpdir, "v3.bin")
    with open(path, "wb") as f:
        f.write(struct.pack("<Ii", fmt.MAGIC, 3) + bytes(fmt.V12_HEADER - 8))
    try:
        roofline.read_shape(path)
    except ValueError as e:
        assert "version 3" in str(e)
    else:
        raise AssertionError("a version-3 file was read")
    with open(path, "wb") as f:
        f.write(b"\0" * 10)
    try:
        roofline.read_shape(path)
    except ValueError as e:
        assert "shorter than a version-0 header" in str(e)
    else:
        raise AssertionError("a 10-byte file was read")


MEMBW = os.path.join(ROOT, "build", "host", "membw", "membw")


def test_membw_reads_at_each_thread_count():
    proc = subprocess.run([MEMBW, "--mib", "64", "--passes", "1", "1", "2"],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [l.split(":")[1].strip() for l in lines] == ["threads 1", "threads 2"], lines
    for line in lines:
        rate = float(line.split(":")[2].split()[0])
        assert rate > 0.1, line     # a real machine reads far more than 0.1 GB/s


def test_membw_counts_the_span_of_a_pass_not_each_threads_own_time():
    """Two threads whose reads do not overlap (the second starts STAGGER_MS after the first,
    as when it waits for a core) did not read at twice one thread's rate: the pass's figure
    is its bytes over the span from the first start to the last end, so it can be no more
    than the bytes over the stagger. Measured by each thread's own time, the figure would
    be a normal two-thread rate, hundreds of times that."""
    stagger_ms, mib = 400, 16
    proc = subprocess.run([MEMBW, "--mib", str(mib), "--passes", "1", "--stagger-ms",
                           str(stagger_ms), "2"], capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    rate_gb_s = float(proc.stdout.split(":")[2].split()[0])
    bound_gb_s = (mib << 20) / (stagger_ms / 1000) / 1e9
    assert rate_gb_s <= bound_gb_s, f"{proc.stdout.strip()}: above {bound_gb_s:.3f} GB/s"


def test_membw_names_a_bad_thread_count():
    proc = subprocess.run([MEMBW, "--mib", "64", "0"], capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    assert proc.returncode == 1 and "thread count '0'" in proc.stderr, proc.stderr


def test_membw_reads_every_byte_of_several_streams():
    """membw exits 1 when a thread's sum shows bytes it did not read; 3 and 16 streams do
    not divide the shares evenly into 128-byte steps unless the split rounds right."""
    for streams in ("3", "16"):
        proc = subprocess.run([MEMBW, "--mib", "9", "--passes", "1", "--streams", streams,
                               "1", "3"], capture_output=True, text=True, timeout=TIMEOUT_S)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert len(lines) == 2 and all(f"{streams} streams)" in l for l in lines), lines


def test_membw_names_a_bad_stream_count():
    for bad in ("0", "17"):
        proc = subprocess.run([MEMBW, "--mib", "8", "--streams", bad, "1"],
                              capture_output=True, text=True, timeout=TIMEOUT_S)
        assert proc.returncode == 1 and f"--streams '{bad}'" in proc.stderr, proc.stderr
    proc = subprocess.run([MEMBW, "--mib", "8", "--stagger-ms", "0", "1"],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 1 and "--stagger-ms '0'" in proc.stderr, proc.stderr


Q8BW = os.path.join(ROOT, "build", "llm", "fast", "q8bw")


def test_q8bw_times_every_kernel_set_against_the_read_loop():
    proc = subprocess.run([Q8BW, "--mib", "2", "--reps", "3"], capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    summary = [l for l in proc.stdout.splitlines() if "median ratio" in l]
    names = [l.split()[1] for l in summary]
    assert names[:2] == ["sse2", "avx2+fma"] or names == ["sse2"], names
    for line in summary:
        kernel = float(line.split("kernel ")[1].split()[0])
        ratio = float(line.split("median ratio ")[1].split()[0])
        assert kernel > 0.1 and 0 < ratio < 10, line


def test_q8bw_names_an_unknown_kernel_set_and_a_bad_row_length():
    proc = subprocess.run([Q8BW, "--mib", "1", "--reps", "1", "avx9000"], capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 1 and "no kernel set 'avx9000'" in proc.stderr, proc.stderr
    proc = subprocess.run([Q8BW, "--n", "100", "--gs", "32", "sse2"], capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 1 and "row length 100" in proc.stderr, proc.stderr
