"""The live line's Python codec (tools/fluid/pgo/live.py) against kernel/bench/live_frame.h:
round trips, the kernel's frame types, each rejection of the host's decoder, the resync
after garbage, and the VARIANT payload layout; the pgo-live helpers that pick flags and
modules."""
import struct
import zlib

from fluid.pgo import live
from fluid.pgo import params

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


# ---- the live search (LiveSearch): what pgo-live builds for a module while it runs ----

HELLO = {"features": ["fpu", "sse", "sse2", "sse3"], "sse_enabled": True, "max_candidates": 8}
DECLS = [params.Param("UNROLL", 0, [0, 1, 2, 4, 8, 16, 64]), params.Param("TWID", 0, [0, 1])]


class FakeSent:
    def __init__(self, name, variant, setting, answer):
        self.name, self.variant, self.setting, self.answer = name, variant, setting, answer


def running(name, candidates, variant=0, calls=10):
    return {"name": name, "calls": calls, "candidates": candidates, "variant": variant,
            "label": "", "source": "embedded", "median": 1}


def serve(search, name, todo, answers):
    for (variant, setting), answer in zip(todo, answers):
        search.sent(FakeSent(name, variant, setting, answer))


def test_param_order_nearest_values_first():
    assert live.param_order(DECLS) == [("UNROLL", 1), ("TWID", 1), ("UNROLL", 2),
                                       ("UNROLL", 4), ("UNROLL", 8), ("UNROLL", 16),
                                       ("UNROLL", 64)]
    mid = [params.Param("TILE", 16, [4, 8, 16, 32, 64])]
    assert live.param_order(mid) == [("TILE", 8), ("TILE", 32), ("TILE", 4), ("TILE", 64)]


def test_search_rounds_flags_then_parameters_at_the_winner():
    s = live.LiveSearch(HELLO, decls_of=lambda n: DECLS)
    first = s.decide(running("fft_1d", 1))
    assert first == [(v, {}) for v in live.FLAG_ROUND]
    serve(s, "fft_1d", first, ["ack", "nak", "ack"])
    # not yet adopted: the frame still shows one candidate, so nothing more
    assert s.decide(running("fft_1d", 1)) == []
    # adopted (1 + the two ACKed), the slot on candidate 2: the third flag set (seq 3; the
    # NAKed one never became a candidate)
    second = s.decide(running("fft_1d", 3, variant=2))
    assert second == [(live.FLAG_ROUND[2], {n: v}) for n, v in live.param_order(DECLS)][:5]
    assert s.decide(running("fft_1d", 8, variant=4)) == [], "one search per module"
    serve(s, "fft_1d", second, ["ack"] * 5)
    assert s.final("fft_1d", 0) is None, "the baseline was not sent"
    assert s.final("fft_1d", 2).variant == live.FLAG_ROUND[2]
    assert s.final("fft_1d", 3).setting == {"UNROLL": 1}
    assert s.final("fft_1d", 4).setting == {"TWID": 1}


def test_search_baseline_kept_means_the_first_flag_set():
    s = live.LiveSearch(HELLO, decls_of=lambda n: DECLS[1:])
    serve(s, "sum", s.decide(running("sum", 2)), ["ack"] * 3)
    assert s.decide(running("sum", 5, variant=0)) == [(live.FLAG_ROUND[0], {"TWID": 1})]


def test_search_waits_for_every_answer():
    s = live.LiveSearch(HELLO, decls_of=lambda n: DECLS)
    serve(s, "m", s.decide(running("m", 1)), ["ack", None, "ack"])
    assert s.decide(running("m", 3, variant=1)) == [], "an answer is missing"
    s.plan("m").sent[1].answer = "nak"
    assert len(s.decide(running("m", 3, variant=1))) == 5


def test_search_respects_the_slot_room():
    s = live.LiveSearch(dict(HELLO, max_candidates=3), decls_of=lambda n: DECLS)
    first = s.decide(running("m", 1))
    assert len(first) == 2, "8 - 1 candidates would not fit in 3"
    serve(s, "m", first, ["ack", "ack"])
    assert s.decide(running("m", 3, variant=1)) == [], "no room left in the slot"
    assert live.LiveSearch({}).decide(running("m", 1)) == [], "no max_candidates: no room"


def test_cpu_variant_without_sse2_is_x87():
    assert live.cpu_variant("O3-sse2-unroll", HELLO) == "O3-sse2-unroll"
    x87 = {"features": ["fpu"], "sse_enabled": False}
    assert [live.cpu_variant(v, x87) for v in live.FLAG_ROUND] == ["O3", "O3-unroll", "O2"]
