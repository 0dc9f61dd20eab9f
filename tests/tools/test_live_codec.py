"""The live line's Python codec (tools/fluid/pgo/live.py) against kernel/bench/live_frame.h:
round trips, the kernel's frame types, each rejection of the host's decoder, the resync
after garbage, and the VARIANT payload layout; the pgo-live helpers that pick flags and
modules (the live search's rounds: tests/tools/test_live_search.py)."""
import struct
import zlib

from fluid.pgo import live

S = live.spec()


def kernel_frame(name, seq, payload=b"", **kw):
    return live.encode(live.type_number(name), seq, payload, **kw)


def test_layout_matches_the_documented_header():
    f = kernel_frame("hello", 0x01020304, b"{}")
    assert f[:4] == b"FLIV" and len(f) == S["HEADER_SIZE"] + 2 + S["CRC_SIZE"]
    magic, version, type_, reserved, seq, length = struct.unpack_from("<IBBHII", f)
    assert (magic, version, type_, reserved, seq, length) == (
        S["MAGIC"], S["VERSION"], S["T_HELLO"], 0, 0x01020304, 2)
    assert f[S["OFF_SEQ"]:S["OFF_SEQ"] + 4] == struct.pack("<I", 0x01020304)
    assert struct.unpack("<I", f[-4:])[0] == zlib.crc32(f[:-4])


def test_round_trip_byte_by_byte_and_whole():
    frames = [kernel_frame("hello", 0, b'{"a": 1}'), kernel_frame("profile", 1, b"x" * 5000),
              kernel_frame("ack", 2, b"{}"), kernel_frame("nak", 3),
              kernel_frame("profile", 4, b"y" * S["MAX_PAYLOAD"])]
    d = live.Decoder()
    got = []
    for b in b"".join(frames):
        got += d.feed(bytes([b]))
    assert [(f.name, f.seq, len(f.payload)) for f in got] == [
        ("hello", 0, 8), ("profile", 1, 5000), ("ack", 2, 2), ("nak", 3, 0),
        ("profile", 4, S["MAX_PAYLOAD"])]
    assert [f.seq for f in live.Decoder().feed(b"".join(frames))] == [0, 1, 2, 3, 4]
    assert got[0].json() == {"a": 1}


def test_encode_refuses_an_oversized_payload():
    try:
        kernel_frame("profile", 0, b"z" * (S["MAX_PAYLOAD"] + 1))
    except ValueError as e:
        assert str(S["MAX_PAYLOAD"]) in str(e)
    else:
        raise AssertionError("an oversized payload was encoded")


def test_garbage_is_skipped_and_counted():
    d = live.Decoder()
    out = d.feed(b"FLIxFL\xff" + kernel_frame("ack", 7) + b"FL")
    assert [f.seq for f in out] == [7] and d.skipped == 7
    out = d.feed(b"IV" + kernel_frame("ack", 8)[4:])     # a magic split across reads
    assert [f.seq for f in out] == [8]


def reason(data):
    out = live.Decoder().feed(data)
    assert len(out) >= 1 and isinstance(out[0], live.FrameError), out
    return out[0].reason, out[0].detail


def test_each_rejection_names_its_value():
    assert reason(kernel_frame("ack", 1, crc=0x1234)) == (
        "bad_crc", f"bad CRC-32 0x00001234 (computed "
                   f"0x{zlib.crc32(kernel_frame('ack', 1)[:-4]):08x})")
    assert reason(kernel_frame("ack", 1, version=7))[1] == "version 7 (supported 1)"
    assert reason(kernel_frame("ack", 1, reserved=0xbeef))[1] == \
        "reserved field 0xbeef (must be 0)"
    r, detail = reason(kernel_frame("ack", 1, length=S["MAX_PAYLOAD"] + 1))
    assert r == "too_long" and str(S["MAX_PAYLOAD"] + 1) in detail
    # the host refuses host -> kernel types, as the kernel refuses kernel -> host ones
    assert reason(live.encode(S["T_VARIANT"], 1))[0] == "bad_type"
    assert reason(live.encode(0x7f, 1))[0] == "bad_type"


def test_decoder_goes_on_after_a_rejection():
    out = live.Decoder().feed(kernel_frame("ack", 1, crc=0) + kernel_frame("ack", 2))
    assert isinstance(out[0], live.FrameError) and out[1].seq == 2


def test_truncated_frame_waits():
    d = live.Decoder()
    f = kernel_frame("profile", 1, b"q" * 100)
    assert d.feed(f[:50]) == [] and [x.seq for x in d.feed(f[50:])] == [1]


def test_variant_payload_layout():
    p = live.variant_payload("sum", b"MODBYTES")
    n = S["VARIANT_NAME_LEN"]
    assert p[:n] == b"sum".ljust(n, b"\0") and p[n:] == b"MODBYTES"
    for bad in ("", "x" * n):
        try:
            live.variant_payload(bad, b"")
        except ValueError:
            continue
        raise AssertionError(f"name {bad!r} accepted")


def test_isa_flags_follow_the_reported_cpu():
    hello = {"features": ["fpu", "sse", "sse2", "sse3", "ssse3"], "sse_enabled": True}
    assert live.isa_flags(hello) == (["-msse3", "-mssse3"], ["sse3", "ssse3"], ["-mssse3"])
    # a gap stops the climb: sse4_1 without ssse3 is not used
    hello["features"] = ["sse2", "sse3", "sse4_1"]
    assert live.isa_flags(hello)[0] == ["-msse3"]
    assert live.isa_flags({"features": ["sse2", "sse3"], "sse_enabled": False})[0] == []


def test_hottest_by_total_cycles():
    prof = {"modules": [{"name": "a", "calls": 5, "median": 10, "status": "ok"},
                        {"name": "b", "calls": 5, "median": 30, "status": "ok"},
                        {"name": "c", "calls": 5, "median": 99, "status": "fault"},
                        {"name": "d", "calls": 1, "median": 40, "status": "ok"}]}
    assert live.hottest(prof, 2) == ["b", "a"]


def test_cpu_variant_without_sse2_is_x87():
    hello = {"features": ["fpu", "sse", "sse2", "sse3"], "sse_enabled": True}
    assert live.cpu_variant("O3-sse2-unroll", hello) == "O3-sse2-unroll"
    x87 = {"features": ["fpu"], "sse_enabled": False}
    assert [live.cpu_variant(v, x87) for v in live.FLAG_ROUND] == ["O3", "O3-unroll", "O2"]
