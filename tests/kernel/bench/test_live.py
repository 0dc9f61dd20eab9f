"""QEMU tests of the live line (docs/live.md): COM2 on a unix socket this test listens on,
frames sent while the suite runs. A valid variant is ACKed during the suite; hostile frames
(bad CRC, over-long length, garbage, another version or type, another module's code, .mod
files with hostile headers, a module the suite does not run, a truncated frame) are each
NAKed with their reason, logged and counted in the {"live": ...} line, while every module
still answers correctly and the kernel exits cleanly; a host that hangs up mid-frame is
logged and the suite carries on; `live=0` or a machine without COM2 keeps live mode off;
the pgo-live loop builds the hottest module for the CPU the kernel reports and it is ACKed."""
import json
import os
import re

from fluid import ROOT, modbuild, qemu
from fluid.pgo import build as pgo_build
from fluid.pgo import live

SUITE_MODULES = 12
BOOT_TIMEOUT_S = 120
ANSWER_TIMEOUT_S = 60
LINGER_MS = 30000


def mod_bytes(name):
    with open(os.path.join(ROOT, "build", "modules", "O2", name + ".mod"), "rb") as f:
        return f.read()


def variant(seq, module, blob, **kw):
    return live.encode(live.type_number("variant"), seq, live.variant_payload(module, blob),
                       **kw)


def bye(seq):
    return live.encode(live.type_number("bye"), seq)


def live_summary(log):
    lines = [l for l in log.splitlines() if l.startswith('{"live"')]
    assert len(lines) == 1, f"{len(lines)} live JSON lines"
    return json.loads(lines[0])["live"]


def suite_ok(b):
    assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
    b.expect(rf"^suite: {SUITE_MODULES} modules, {SUITE_MODULES} passed, 0 failed", "suite")
    assert "panic:" not in b.log


def during_suite(b, text):
    """text is logged after the suite started and before it ended."""
    at, start, end = b.log.find(text), b.log.find("stage: modules"), b.log.find(
        "stage: live-end")
    assert 0 <= start < at < end, f"{text!r} not logged while the suite ran"


def hello_of(lb):
    h = lb.next_frame(timeout=ANSWER_TIMEOUT_S, want="hello")
    assert h is not None, "no HELLO on COM2"
    return h.json()


def test_valid_variant_acked_while_the_suite_runs():
    with live.LiveBoot(cmdline=f"live.linger={LINGER_MS}", timeout=BOOT_TIMEOUT_S) as lb:
        h = hello_of(lb)
        lb.send(variant(1, "sum", mod_bytes("sum")))
        ack = lb.answer_to(1, timeout=ANSWER_TIMEOUT_S)
        profiles = lb.profiles_until_done(timeout=ANSWER_TIMEOUT_S)
        assert profiles and profiles[-1]["done"], \
            "PROFILE frames stopped before the suite was done"
        lb.send(bye(2))
    b = lb.result
    qemu.check("live_valid", b, suite_ok)
    assert h["vendor"] and h["family"] and "fpu" in h["features"] and h["build_id"]
    assert h["max_payload"] == live.spec()["MAX_PAYLOAD"] and len(h["modules"]) == SUITE_MODULES
    assert ack is not None and ack.name == "ack", ack
    assert ack.json()["module"] == "sum" and ack.json()["reason"] == "ok"
    during_suite(b, "live: accepted frame seq 1: sum")
    last = profiles[-1]["modules"]
    assert len(last) == SUITE_MODULES and all(m["calls"] > 0 and m["median"] > 0 for m in last)
    s = live_summary(b.log)
    assert (s["state"], s["received"], s["accepted"], s["rejected"]) == ("bye", 1, 1, 0), s
    assert lb.errors == [], lb.errors


# (seq, what, frame bytes, NAK reason, text the kernel's log line must hold)
def hostile_frames():
    good = mod_bytes("sum")
    too_long = live.encode(live.type_number("variant"), 2, b"", length=1 << 20)[:16]
    return [
        (1, "bad CRC", variant(1, "sum", good, crc=0xDEADBEEF), "bad_crc",
         "bad CRC-32 0xdeadbeef"),
        (2, "over-long length", too_long, "too_long",
         f"payload length {1 << 20} over the maximum {live.spec()['MAX_PAYLOAD']}"),
        (3, "another version", variant(3, "sum", good, version=2), "bad_version", "version 2"),
        (4, "a kernel frame type", live.encode(live.type_number("hello"), 4), "bad_type",
         "type 0x01"),
        (5, "another module's code", variant(5, "fft_1d", good), "other_module",
         "variant for fft_1d holds module sum's code"),
        (6, "hostile header: sizes", variant(6, "sum", modbuild.corrupt(good, "size")),
         "bad_module", "variant for sum"),
        (7, "hostile header: AVX2", variant(7, "sum", modbuild.corrupt(good, "features")),
         "bad_module", "missing CPU features"),
        (8, "a module not run", variant(8, "bad_crc", mod_bytes("bad_crc")), "bad_module_name",
         "module bad_crc is not one this suite runs"),
    ]


GARBAGE = b"\x00\xffnot a frame FLI FL"


def test_hostile_frames_rejected_while_the_suite_runs():
    frames = hostile_frames()
    answers = {}
    with live.LiveBoot(cmdline=f"live.linger={LINGER_MS}", timeout=BOOT_TIMEOUT_S) as lb:
        hello_of(lb)
        lb.send(GARBAGE + b"".join(f[2] for f in frames) + variant(9, "sum", mod_bytes("sum")))
        for seq in [f[0] for f in frames] + [9]:
            answers[seq] = lb.answer_to(seq, timeout=ANSWER_TIMEOUT_S)
        cut = variant(10, "sum", mod_bytes("sum"))[:40]
        lb.send(cut)                # then silence: the kernel must call it truncated
        answers[10] = lb.answer_to(10, timeout=ANSWER_TIMEOUT_S)
        lb.send(bye(11))
    b = lb.result
    qemu.check("live_hostile", b, suite_ok)
    for seq, what, _, reason, text in frames:
        a = answers[seq]
        assert a is not None and a.name == "nak", f"{what}: answer {a}"
        assert a.json()["reason"] == reason, f"{what}: {a.json()}"
        assert text in a.json()["detail"], f"{what}: {a.json()['detail']!r} lacks {text!r}"
        b.expect(rf"^live: rejected frame seq {seq}: {reason}: .*{text}", what)
    during_suite(b, "live: rejected frame seq 1: bad_crc")
    assert answers[9] is not None and answers[9].name == "ack", "the valid frame after them"
    assert answers[10] is not None and answers[10].json()["reason"] == "truncated"
    b.expect(r"^live: rejected frame seq 10: truncated: line silent after 40 of \d+ bytes")
    b.expect(rf"^live: skipped {len(GARBAGE)} bytes of garbage before a frame")
    s = live_summary(b.log)
    assert s["received"] == 5 and s["accepted"] == 1 and s["rejected"] == 9, s
    # the garbage, then the payload and CRC of frames refused at their header
    assert s["garbage_bytes"] > len(GARBAGE), s
    assert s["reasons"] == {"bad_crc": 1, "too_long": 1, "bad_version": 1, "bad_type": 1,
                            "other_module": 1, "bad_module": 2, "bad_module_name": 1,
                            "truncated": 1}, s


def test_host_hanging_up_mid_frame():
    with live.LiveBoot(timeout=BOOT_TIMEOUT_S) as lb:
        hello_of(lb)
        lb.send(variant(1, "sum", mod_bytes("sum"))[:2000])
        lb.close()
    b = lb.result
    qemu.check("live_hangup", b, suite_ok)
    # QEMU drops what it had not read from the socket yet: the kernel has a FIFO's worth or more
    b.expect(r"^live: rejected frame seq 1: truncated: line silent after \d+ ")
    s = live_summary(b.log)
    assert s["state"] == "on" and s["reasons"] == {"truncated": 1} and s["accepted"] == 0, s


def test_live_option_off_sends_nothing():
    with live.LiveBoot(cmdline="live=0", timeout=BOOT_TIMEOUT_S) as lb:
        first = lb.next_frame(timeout=BOOT_TIMEOUT_S)      # None once QEMU has exited
    b = lb.result

    def check(b):
        suite_ok(b)
        assert first is None, f"the kernel sent {first} with live=0"
        assert len(b.lines("live: off (live=0)")) == 1
        assert live_summary(b.log)["state"] == "off"
    qemu.check("live_off", b, check)


def test_no_com2_keeps_live_mode_off():
    b = qemu.boot(timeout=BOOT_TIMEOUT_S)

    def check(b):
        suite_ok(b)
        assert len(b.lines("live: no UART answers at COM2")) == 1
        assert live_summary(b.log)["state"] == "no_port"
    qemu.check("live_no_port", b, check)


def test_pgo_live_loop_builds_for_the_reported_cpu_and_is_acked():
    said = []
    res = live.run_loop(hot=1, linger_ms=LINGER_MS, timeout=BOOT_TIMEOUT_S, log=said.append)
    acks, naks, b = res.acks, res.naks, res.boot
    qemu.check("live_pgo_loop", b, suite_ok)
    assert len(acks) == 1 and naks == [], said
    hello = next(l for l in said if l.startswith("pgo-live: HELLO"))
    sent = next(l for l in said if l.startswith("pgo-live: VARIANT seq 1"))
    # the reported CPU has SSE3 (QEMU's default CPU): the variant is built for it, with the
    # instrumented profile when the PGO loop left one for that module
    module = re.match(r"pgo-live: VARIANT seq 1: (\w+) ", sent).group(1)
    pgo = " -fprofile-use" if os.path.exists(pgo_build.profdata_path(module)) else ""
    assert "sse3" in hello and f'"-O3 -msse3{pgo} -march=pentium2"' in sent, said
    assert live_summary(b.log)["state"] == "bye"


PROBE = "adapt_probe"
PROBE_CALLS = 1000000


def probe_bytes(variant):
    with open(os.path.join(ROOT, "build", "modules", variant, PROBE + ".mod"), "rb") as f:
        return f.read()


def test_variant_joins_the_running_module_and_is_measured():
    """Only the test module adapt_probe runs, 1,000,000 calls through its dispatch slot (a
    few seconds, far longer than the host takes to answer HELLO), so the only chance the
    kernel has to hear the host before the module ends is between two of its calls
    (live_poll_between_calls): the -O3 -msse2 build sent after HELLO is ACKed while the
    module runs, handed to the planner (planner_offer), placed as one more candidate,
    measured at once with every answer checked, and the JSON lists it as an offer. Plain
    TCG, whose timings are not a clock: the test asks that it was measured, not which won."""
    cmdline = (f"suite.modules={PROBE} test=bad-modules suite.calls={PROBE_CALLS} "
               f"live.linger={LINGER_MS}")
    with live.LiveBoot(cmdline=cmdline, timeout=BOOT_TIMEOUT_S) as lb:
        hello_of(lb)
        lb.send(variant(1, PROBE, probe_bytes("O3-sse2")))
        ack = lb.answer_to(1, timeout=ANSWER_TIMEOUT_S)
        profiles = lb.profiles_until_done(timeout=ANSWER_TIMEOUT_S)
        assert profiles and profiles[-1]["done"], \
            "PROFILE frames stopped before the suite was done"
        lb.send(bye(2))
    b = lb.result

    def check(r):
        assert r.status == qemu.EXIT_SUCCESS, f"exit status {r.status}"
        r.expect(r"^suite: 1 modules, 1 passed, 0 failed", "suite")
        prof = json.loads(r.log.split("=====BEGIN FLUID PROFILE JSON=====")[1]
                          .split("=====END FLUID PROFILE JSON=====")[0])
        (m,) = [m for m in prof["modules"] if m["name"] == PROBE]
        assert m["passed"] and m["result"] == f"0x{85344:08x}", m
        offers = [v for v in m["adaptive"]["variants"] if v["source"] == "offer"]
        assert len(offers) == 1, m["adaptive"]["variants"]
        assert offers[0]["placed"] and not offers[0]["demoted"], offers[0]
        assert offers[0]["label"].startswith("-O3 -msse2"), offers[0]
        # Measured with the baseline at once (the planner's calls, answers checked); which
        # one wins is TCG's timing, not a clock, so the test does not ask.
        ad = m["adaptive"]
        assert ad["measurements"] >= 1 and ad["planner_calls"] > 0, ad
        assert ad["calls"] >= PROBE_CALLS and ad["wrong_answers"] == 0, ad
    qemu.check("live_offer_joins", b, check)
    assert ack is not None and ack.name == "ack", ack
    during_suite(b, "live: accepted frame seq 1: adapt_probe")
    s = live_summary(b.log)
    assert (s["handler"], s["accepted"], s["rejected"]) == ("planner", 1, 0), s
