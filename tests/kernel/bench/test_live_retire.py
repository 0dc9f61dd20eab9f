"""QEMU test of candidate retirement (docs/adaptive.md, "Offers at run time"): more builds of a
running module arrive on COM2 than its dispatch slot's table holds, and the module ends on the
best of them with every answer checked.

adapt_probe (a cheap test module) runs 3 s under -icount (suite.seconds=3; the TSC counts
guest instructions, so the run is short in real time). When its first mid-run PROFILE frame
arrives, the test sends twelve VARIANT frames, more than the 7 entries free beside the
baseline: first a wrong build (fibonacci's code under adapt_probe's name) and six copies of
the -O0 and -O2 builds, then five more, three of them copies of the -O3 -msse2 build (the one
with the fewest instructions a call; each copy relabelled, so every file has a CRC-32 of its
own). The kernel ACKs all twelve; the planner demotes the wrong build when it measures it,
retires it first and then the slowest measured builds, one per newcomer; the profile's
`retired` records say so, a later mid-run frame lists the final candidates by CRC-32, and the
slot ends on an -O3 -msse2 copy whose median is the smallest measured. Every call's answer
is checked. The boot has a timeout and is killed by its pid (fluid.qemu)."""
import os

from fluid import ROOT, modfmt, qemu
from fluid import profiles as fprofile
from fluid.pgo import live

BOOT_TIMEOUT_S = 240
ANSWER_TIMEOUT_S = 60
PROBE = "adapt_probe"
SECONDS = 3
MODS = os.path.join(ROOT, "build", "modules")


def mod(variant, name):
    with open(os.path.join(MODS, variant, name + ".mod"), "rb") as f:
        return f.read()


def relabelled(blob, label, name=None):
    """blob with another flags label (its hash to match) and, if given, another module name,
    the header CRC resealed: the same code in a file of its own."""
    s = modfmt.spec()
    b = bytearray(blob)
    if name:
        off = s.OFFSETS["name"]
        b[off:off + s.NAME_LEN] = name.encode().ljust(s.NAME_LEN, b"\0")
    off = s.OFFSETS["cflags"]
    b[off:off + s.CFLAGS_LEN] = label.encode().ljust(s.CFLAGS_LEN, b"\0")
    b[s.OFFSETS["cflags_hash"]:s.OFFSETS["cflags_hash"] + 4] = \
        modfmt.crc32(label.encode()).to_bytes(4, "little")
    return modfmt.seal_header(bytes(b[:s.HEADER_SIZE])) + bytes(b[s.HEADER_SIZE:])


def builds():
    """[(label, bytes)]: the first seven fill the table, the other five need retirements."""
    slow, mid, fast = mod("O0", PROBE), mod("O2", PROBE), mod("O3-sse2", PROBE)
    first = [("wrong", relabelled(mod("O2", "fibonacci"), "wrong", PROBE))]
    first += [(f"-O0 copy {i}", relabelled(slow, f"-O0 copy {i}")) for i in range(3)]
    first += [(f"-O2 copy {i}", relabelled(mid, f"-O2 copy {i}")) for i in range(3)]
    later = [(f"-O3 -msse2 copy {i}", relabelled(fast, f"-O3 -msse2 copy {i}"))
             for i in range(3)]
    later.insert(1, ("-O0 copy 3", relabelled(slow, "-O0 copy 3")))
    later.insert(3, ("-O2 copy 3", relabelled(mid, "-O2 copy 3")))
    return first + later


def key(blob):
    """A build's key as the kernel names it (wisdom's): its file's CRC-32 and its header's
    flags hash (relabelled copies of the same code differ in the second alone: the header's
    own CRC makes the file's CRC the same)."""
    return f"0x{modfmt.crc32(blob):08x}", f"0x{modfmt.parse(blob)['cflags_hash']:08x}"


def test_more_offers_than_the_table_holds_end_on_the_best():
    sent = builds()
    cmdline = f"suite.modules={PROBE} test=bad-modules suite.seconds={SECONDS}"
    with live.LiveBoot(cmdline=cmdline, timeout=BOOT_TIMEOUT_S, icount=True,
                       memory="64M") as lb:
        hello = lb.next_frame(timeout=ANSWER_TIMEOUT_S, want="hello")
        assert hello is not None, "no HELLO on COM2"
        max_candidates = hello.json()["max_candidates"]
        assert len(sent) > max_candidates, "the test must overflow the table"
        first = lb.next_frame(timeout=BOOT_TIMEOUT_S, want="profile",
                              match=lambda f: "running" in f.json())
        assert first is not None, "no mid-run PROFILE frame"
        for seq, (_, blob) in enumerate(sent, 1):
            lb.send(live.encode(live.type_number("variant"), seq,
                                live.variant_payload(PROBE, blob)))
        answers = [lb.answer_to(seq, timeout=ANSWER_TIMEOUT_S) for seq in
                   range(1, len(sent) + 1)]
        frames = lb.profiles_until_done(timeout=BOOT_TIMEOUT_S)
    b = lb.result
    keys = {key(blob): label for label, blob in sent}

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        assert [a.name if a else None for a in answers] == ["ack"] * len(sent), \
            [a.json() if a else None for a in answers]
        qemu.json_lines_strict(b.log)
        (m,) = [m for m in fprofile.extract(b.log)["modules"] if m["name"] == PROBE]
        ad = m["adaptive"]
        assert m["passed"] and m["status"] == "ok", m["error"]
        # every call's answer checked: the wrong build's one wrong answer was a planner call
        assert ad["answers_checked"] == ad["calls"] + ad["planner_calls"], ad
        assert ad["wrong_answers"] == 1 and ad["reruns"] == 0, ad
        n_retired = len(sent) - (max_candidates - 1)
        assert ad["retirements"] == n_retired == len(ad["retired"]), ad["retired"]
        assert ad["retired"][0]["label"] == "wrong", ad["retired"]
        assert ad["retired"][0]["demoted_for"] == "wrong_result", ad["retired"]
        assert all(r["demoted_for"] is None and r["median_cycles"] > 0
                   for r in ad["retired"][1:]), ad["retired"]
        assert sum(h["reason"] == "retired" for h in ad["history"]) == n_retired, ad["history"]
        said = [l for l in b.lines(f"planner: {PROBE}: call ") if "retired for a newcomer" in l]
        assert len(said) == n_retired, said
        variants = ad["variants"]
        assert len(variants) == max_candidates, variants
        cur = variants[ad["current"]]
        assert cur["label"].startswith("-O3 -msse2 copy"), cur
        measured = [v["median_cycles"] for v in variants if not v["demoted"]] + \
                   [r["median_cycles"] for r in ad["retired"][1:]]
        assert cur["median_cycles"] == min(measured), (cur, measured)
        # the final candidates: the baseline and offers the test sent, the ones the last
        # mid-run frame (after the retirements) lists by key in the same order
        last = [f["running"] for f in frames if "running" in f][-1]
        assert last["retired"] == n_retired and last["candidates"] == max_candidates, last
        present = [(p["crc32"], p["flags_hash"]) for p in last["present"]]
        assert [keys.get(k) for k in present[1:]] == [v["label"] for v in variants[1:]], \
            (present, variants)
        # room: every measured offer but the slot's, the fallback being the baseline
        assert last["room"] == max_candidates - 2, last
    qemu.check("live_retire", b, check)
    assert lb.errors == [], lb.errors
