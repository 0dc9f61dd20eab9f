"""The live search (LiveSearch in tools/fluid/pgo/live.py), what `make pgo-live` builds for a
module while it runs, driven with fake mid-run PROFILE frames and fake answers: the flag sets
first; then every parameter value at every flag set the kernel measured, fastest flag set
first; then each flag set's best values together; batches no larger than the frame's room,
the next one only once every build sent was answered and its median seen (found by key in the
frame's `present` list); failed and refused builds left out of every choice; the build budget
with room kept for the combinations; a build the compiler refused skipped, not waited for; a
build retired before any frame showed it settled as lost; the build a module finished on named
by CRC-32 and label."""
from fluid.pgo import live
from fluid.pgo import params

HELLO = {"features": ["fpu", "sse", "sse2", "sse3"], "sse_enabled": True, "max_candidates": 8}
DECLS = [params.Param("UNROLL", 0, [0, 1, 2, 4]), params.Param("TWID", 0, [0, 1])]
ONE = [params.Param("TILE", 16, [4, 8, 16, 32, 64])]
BASE_KEY = ("0x00000000", "0x00000000")


def fake_sent(name, variant, setting, answer, n):
    """A live.Sent without a file: key and CRC made from n."""
    s = live.Sent.__new__(live.Sent)
    s.name, s.variant, s.setting, s.answer = name, variant, dict(setting), answer
    s.path, s.label, s.seq, s.blob = f"/build/{n}.mod", f"label {n}", n, b""
    s.crc = 0x1000 + n
    s.key = (f"0x{s.crc:08x}", f"0x{n:08x}")
    s.median, s.failed, s.lost = None, False, False
    return s


class Kernel:
    """What the kernel would report: a table of keys with medians; cost(variant, setting)
    gives each build's median, None a build that fails."""

    def __init__(self, search, name, cost):
        self.search, self.name, self.cost = search, name, cost
        self.present = [{"crc32": BASE_KEY[0], "flags_hash": BASE_KEY[1], "median": 1000,
                         "measured": True, "demoted": False}]
        self.n = 0
        self.retired = 0
        self.builds = []            # every [(variant, setting)] decide() returned, in order

    def frame(self, room=None):
        r = {"name": self.name, "calls": 10, "candidates": len(self.present), "variant": 0,
             "retired": self.retired,
             "label": "", "source": "embedded", "median": 1, "present": self.present,
             "room": live.LiveSearch(HELLO).max - 2 if room is None else room}
        return r

    def step(self, room=None, answer="ack", measure=True):
        """One frame to the search; the builds it asks for are answered and (if measure)
        measured, as the next frame will show them. Returns the builds."""
        todo = self.search.decide(self.frame(room))
        for variant, setting in todo:
            self.n += 1
            s = fake_sent(self.name, variant, setting, answer, self.n)
            self.search.sent(s)
            cost = self.cost(variant, setting)
            if answer == "ack" and measure:
                self.retired += len(self.present) == 8
                self.present = self.present[-7:] + [{
                    "crc32": s.key[0], "flags_hash": s.key[1], "median": cost or 0,
                    "measured": cost is not None, "demoted": cost is None}]
        self.builds += todo
        return todo

    def run(self, steps=20, room=None):
        for _ in range(steps):
            self.step(room)
        return self.builds


def gemm_like(variant, setting):
    """Flags: O3-sse2 fewest, then O3-sse2-unroll, then O2-sse2; TILE 8 best at O2-sse2
    only, where it beats everything."""
    flags = {"O3-sse2": 800, "O3-sse2-unroll": 850, "O2-sse2": 900}[variant]
    tile = setting.get("TILE", 16)
    if variant == "O2-sse2" and tile == 8:
        return 500
    return flags + abs(tile - 64)


def test_flag_sets_first_at_the_default_parameters():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "gemm_tile", gemm_like)
    assert k.step() == [(v, {}) for v in live.FLAG_ROUND]
    assert s.stage("gemm_tile") == "flags"


def test_parameters_at_every_measured_flag_set_fastest_first():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "gemm_tile", gemm_like)
    k.step()
    second = k.step(room=6)
    assert s.stage("gemm_tile") == "params"
    ranking = ["O3-sse2", "O3-sse2-unroll", "O2-sse2"]
    want = [(f, {"TILE": t}) for t in (8, 32, 4, 64) for f in ranking]
    assert second == want[:6], "nearest values first, each at every flag set, best flags first"
    assert k.step(room=6) == want[6:]
    assert k.step() == [] and s.stage("gemm_tile") == "done", "one parameter: no combination"
    # the build the offline search found at other flags than the slot's was sent
    assert ("O2-sse2", {"TILE": 8}) in k.builds


def test_a_batch_waits_for_every_answer_and_measurement():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", gemm_like)
    k.step(measure=False)
    assert k.step() == [], "ACKed but no frame showed the medians yet"
    for p in s.plan("m").sent:
        p.answer = None
    assert k.step() == [], "an answer is missing"
    for i, p in enumerate(s.plan("m").sent):
        k.present.append({"crc32": p.key[0], "flags_hash": p.key[1], "median": 100 + i,
                          "measured": True, "demoted": False})
        p.answer = "ack"
    assert len(k.step()) == 6


def test_room_bounds_each_batch():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", gemm_like)
    assert len(k.step(room=2)) == 2
    assert len(k.step(room=0)) == 0
    assert k.step(room=5) == [("O2-sse2", {})], "the rest of the flag stage"
    legacy = live.LiveSearch(dict(HELLO, max_candidates=3), decls_of=lambda n: ONE)
    run = {"name": "m", "candidates": 1, "variant": 0}
    assert len(legacy.decide(run)) == 2, "no room field: the table's free entries"
    assert live.LiveSearch({}).decide(run) == [], "no max_candidates: no room"


def test_failed_and_refused_builds_are_left_out():
    def cost(variant, setting):
        return None if variant == "O3-sse2" else gemm_like(variant, setting)
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", cost)
    k.step()
    s.plan("m").sent[1].answer = "nak"          # O3-sse2-unroll refused
    k.present = [p for p in k.present if p["crc32"] != s.plan("m").sent[1].key[0]]
    second = k.step(room=8)
    assert {f for f, _ in second} == {"O2-sse2"}, "only the flag set measured and correct"


def test_combination_of_each_parameters_best_value():
    def cost(variant, setting):
        base = {"O3-sse2": 1000, "O3-sse2-unroll": 1100, "O2-sse2": 1200}[variant]
        u, t = setting.get("UNROLL", 0), setting.get("TWID", 0)
        if variant == "O3-sse2":
            return base - 50 * (u == 2) - 30 * t
        return base - 10 * (u == 4)
    s = live.LiveSearch(HELLO, decls_of=lambda n: DECLS)
    k = Kernel(s, "fft_1d", cost)
    builds = k.run()
    combos = [b for b in builds if len(b[1]) >= 2]
    assert combos == [("O3-sse2", {"UNROLL": 2, "TWID": 1})], combos
    assert builds[-1] == combos[0] and s.stage("fft_1d") == "done"
    assert len(builds) == 3 + 3 * 4 + 1
    assert len({(f, tuple(sorted(st.items()))) for f, st in builds}) == len(builds), \
        "no build twice"


def test_budget_keeps_room_for_the_combinations():
    def cost(variant, setting):
        return 1000 - 10 * setting.get("UNROLL", 0) - 5 * setting.get("TWID", 0)
    s = live.LiveSearch(HELLO, decls_of=lambda n: DECLS, budget=10)
    k = Kernel(s, "m", cost)
    builds = k.run()
    # 3 flag sets, then 10 - 3 - 3 parameter builds (3 kept for the combinations: one a flag
    # set), then the one combination that two improved parameters make (at the first flag
    # set, the only one where both were tried)
    singles = [b for b in builds if len(b[1]) == 1]
    assert singles == [(f, {"UNROLL": 1}) for f in live.FLAG_ROUND] + \
                      [(live.FLAG_ROUND[0], {"TWID": 1})], singles
    assert builds[-1] == (live.FLAG_ROUND[0], {"UNROLL": 1, "TWID": 1}), builds
    assert len(builds) == 3 + 4 + 1 <= 10


def test_final_names_the_sent_build_by_crc_and_label():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", gemm_like)
    k.step()
    sent = s.plan("m").sent[2]
    assert s.final("m", f"0x{sent.crc:08x}", sent.label) is sent
    assert s.final("m", f"0x{sent.crc:08x}", "other label") is None
    assert s.final("other", "0x00000000", "") is None


def test_param_order_nearest_values_first():
    assert live.param_order(DECLS) == [("UNROLL", 1), ("TWID", 1), ("UNROLL", 2),
                                       ("UNROLL", 4)]
    assert live.param_order(ONE) == [("TILE", 8), ("TILE", 32), ("TILE", 4), ("TILE", 64)]


def test_a_build_the_compiler_refused_is_settled_and_skipped():
    def refuse(name, hello, variant, setting, profile):
        raise live.build.BuildError("flags label '-O3 -msse2 ...' is 48 bytes; the .mod "
                                    "header's cflags field holds 47\nmore")
    saved = live.build_variant
    live.build_variant = refuse
    try:
        assert live._build_one("sum", HELLO, "O3-sse2", {"FUSE": 1}, None) == \
            (None, "flags label '-O3 -msse2 ...' is 48 bytes; the .mod header's cflags "
                   "field holds 47")
    finally:
        live.build_variant = saved
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", gemm_like)
    k.step()
    s.plan("m").sent.append(live.Sent.unbuilt("m", "O2-sse2", {"TILE": 8}))
    assert s.plan("m").sent[-1].settled(), "an unbuilt build waits for no answer"
    second = k.step()
    assert second and ("O2-sse2", {"TILE": 8}) not in second, "the search goes on without it"


def test_a_build_retired_before_a_frame_showed_it_is_settled_as_lost():
    s = live.LiveSearch(HELLO, decls_of=lambda n: ONE)
    k = Kernel(s, "m", gemm_like)
    k.step(measure=False)
    sent = s.plan("m").sent
    # the kernel adopted the first two and measured them, then retired the first for a
    # newcomer before any frame: the frame shows two (baseline + the second) and 1 retired,
    # the third not yet adopted
    k.present.append({"crc32": sent[1].key[0], "flags_hash": sent[1].key[1], "median": 90,
                      "measured": True, "demoted": False})
    k.retired = 1
    assert k.step() == [], "the third is not adopted yet: wait"
    assert not sent[0].settled()
    k.present.append({"crc32": sent[2].key[0], "flags_hash": sent[2].key[1], "median": 95,
                      "measured": True, "demoted": False})
    assert k.step(), "every ACKed build accounted for: the search goes on"
    assert sent[0].lost and sent[0].median is None and sent[1].median == 90
