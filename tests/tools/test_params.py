"""Module parameters, the uniform-build sweep and bench-adaptive's arithmetic (docs/pgo.md),
without QEMU:

- every module's FLUID_PARAM lines parse to the declared defaults and candidates, and bad
  declarations are refused naming the parameter and the bad value;
- every candidate value of every parameter builds (at -O2, one parameter off its default at
  a time), records its -D flag in the .mod header's label and flag hash, and returns the
  registry's exact answer in the host runner;
- a flags label longer than the header's cflags field is refused, never truncated, after
  the documented shortening steps;
- the uniform sweep picks the flag set with the best geometric mean (not the best sum), and
  never one with a wrong answer;
- the search descends each module's parameters at its few fastest flag sets and keeps the
  pair that wins head to head (by 1%), modules without parameters keeping their flags;
- bench-adaptive's ratios, geometric means and last line on fixed numbers;
- the planner column: hostrun --adaptive's lines parse on a fixed sample (a malformed one is
  refused naming the line), the candidates' order and limit, the overhead as a total, and
  one real run of the kernel's planner over sum at -O0 (registry) and -O3 -msse2 (variant)."""
import math
import os
import zlib

from fluid import ROOT, modfmt
from fluid.pgo import adaptive
from fluid.pgo import build as pgo_build
from fluid.pgo import measure as pgo_measure
from fluid.pgo import params as pgo_params
from fluid.pgo import search as pgo_search

RUNNER_CALLS = 2


def expect_error(fn, *words):
    try:
        fn()
    except (pgo_params.ParamError, pgo_build.BuildError, ValueError) as e:
        for w in words:
            assert w in str(e), f"{w!r} not in the message: {e}"
        return str(e)
    raise AssertionError(f"no error; expected one naming {words}")


def test_declarations_parse():
    decls = {n: pgo_params.parse(pgo_build.source_of(n)) for n in pgo_build.module_names()}
    tile = decls["gemm_tile"][0]
    assert (tile.name, tile.default, tile.values) == ("TILE", 16, [4, 8, 16, 32, 64]), tile
    assert [(p.name, p.default) for p in decls["fft_1d"]] == [("UNROLL", 0), ("TWID", 0)]
    assert [p.name for p in decls["quicksort"]] == ["CUTOFF"]
    assert sum(len(d) for d in decls.values()) >= 9, decls


def test_bad_declarations_refused():
    ok = "#define TILE 8\nFLUID_PARAM(TILE, 8, 4, 8);\n"
    assert [p.values for p in pgo_params.parse_text(ok)] == [[4, 8]]
    cases = [
        ("#define TILE 8\nFLUID_PARAM(TILE, 8, 4, 16);\n", ["TILE", "default 8"]),
        ("#define TILE 16\nFLUID_PARAM(TILE, 8, 8, 16);\n", ["TILE", "#define default is 16"]),
        ("FLUID_PARAM(TILE, 8, 8, 16);\n", ["TILE", "default is none"]),
        ("#define TILE 8\nFLUID_PARAM(TILE, 8, 8, 8);\n", ["TILE", "candidate 8 repeats"]),
        ("#define TILE 8\nFLUID_PARAM(TILE, 8, 8, x4);\n", ["TILE", "'x4'"]),
        ("#define T 8\nFLUID_PARAM(T, 8, 8);\nFLUID_PARAM(T, 8, 8);\n", ["T declared twice"]),
        ("#define tile 8\nFLUID_PARAM(tile, 8, 8);\n", ["'tile'"]),
    ]
    for text, words in cases:
        expect_error(lambda: pgo_params.parse_text(text), *words)
    decls = pgo_params.parse_text(ok)
    expect_error(lambda: pgo_params.check_setting(decls, {"TILE": 32}), "TILE", "32")
    expect_error(lambda: pgo_params.check_setting(decls, {"UNROLL": 2}), "UNROLL")


def off_default_settings():
    """(name, {NAME: value}) for every candidate value off its default, one at a time."""
    for n in pgo_build.module_names():
        for p in pgo_params.parse(pgo_build.source_of(n)):
            for v in p.values:
                if v != p.default:
                    yield n, {p.name: v}


def test_parameterised_variants_build_record_and_answer():
    keys = [pgo_search.key(n, "O2", s) for n, s in off_default_settings()]
    counter = pgo_search.Counter()
    mods = pgo_search.build_keys(keys, counter)
    assert counter.failed == 0 and len(mods) == len(keys), (counter.failed, len(keys))
    for k, path in mods.items():
        with open(path, "rb") as f:
            h = modfmt.parse(f.read())
        (pname, value), = k[2]
        flag = f"-D{pname}={value}"
        assert flag in h["cflags"].split(), (k, h["cflags"])
        full = " ".join(pgo_build.variant_flags("O2", k[0], dict(k[2]))[0])
        assert h["cflags_hash"] == zlib.crc32(full.encode()), k
    got = pgo_search.measure_keys(mods, RUNNER_CALLS, 1, "params-test", counter)
    wrong = [pgo_search.describe(k) + " " + k[0] for k, (_, ok) in got.items() if not ok]
    assert len(got) == len(keys) and not wrong, f"wrong answers: {wrong}"


def test_overlong_label_refused_not_truncated():
    room = modfmt.spec().CFLAGS_LEN - 1
    assert pgo_build.label(["-O3"], {"TILE": 8}) == "-O3 -DTILE=8 -march=pentium2"
    short = ["-O3", "-msse2", "-mavx2", "-funroll-loops"]
    # fits only without -march=pentium2 (the documented first step)
    assert pgo_build.label(short, {"TILE": 8}) == "-O3 -msse2 -mavx2 -funroll-loops -DTILE=8"
    # fits only with the -fprofile-use alias (the second step)
    got = pgo_build.label(["-O3", "-msse2", "-fprofile-instr-use"], {"UNROLL": 4, "TWID": 1})
    assert got == "-O3 -msse2 -fprofile-use -DTWID=1 -DUNROLL=4", got
    msg = expect_error(lambda: pgo_build.label(short + ["-fprofile-instr-use"], {"CUTOFF": 24}),
                       "-DCUTOFF=24", "refused", str(room))
    assert "not truncated" in msg, msg
    expect_error(lambda: modfmt.pack("sum", b"\xc3", b"", 0, [], 0, cflags="-O2 " + "x" * room),
                 "never truncated", str(room))
    blob = modfmt.pack("sum", b"\xc3", b"", 0, [], 0, cflags="y" * room)
    assert modfmt.parse(blob)["cflags"] == "y" * room


def test_uniform_sweep_picks_best_geomean():
    names, variants = ["a", "b", "c"], ["O2", "X", "Y", "Z"]
    cost = {"O2": (60, 60, 60),        # best sum (180), geometric mean 60
            "X": (10, 100, 1000),      # geometric mean 100
            "Y": (250, 10, 30),        # sum 290, best geometric mean (42.2)
            "Z": (1, 1, 1)}            # fastest everywhere, but a wrong answer in b
    swept = {(n, v): (cost[v][i], not (v == "Z" and n == "b"))
             for v in variants for i, n in enumerate(names)}
    best, gms = adaptive.best_uniform(swept, names, variants)
    assert best == "Y", (best, gms)
    assert math.isinf(gms["Z"]) and abs(gms["X"] - 100) < 1e-9, gms
    # per module: the fastest correct flag set
    assert adaptive.best_variant(swept, "a", variants, 0.01) == "Z"
    swept[("a", "Z")] = (1, False)
    assert adaptive.best_variant(swept, "a", variants, 0.01) == "X"
    # -O2 stays unless beaten by the margin
    swept[("a", "X")], swept[("a", "Y")] = (60, True), (61, True)
    assert adaptive.best_variant(swept, "a", variants, 0.01) == "O2"


def test_parameters_searched_at_several_flag_sets():
    """gemm_tile's best TILE at the third-fastest flag set beats the first set's best pair by
    more than 1%: that pair wins. sha256's pair at its second set is faster by less than 1%:
    the first set's stays. fibonacci declares no parameters: no descent, its flags stay."""
    swept = {("gemm_tile", "O3-sse2-unroll"): (100, True), ("gemm_tile", "O3-sse2"): (101, True),
             ("gemm_tile", "O2-sse2"): (102, True), ("gemm_tile", "O1"): (300, True),
             ("gemm_tile", "Os"): (90, False),          # fastest but wrong: never ranked
             ("sha256", "O2"): (100, True), ("sha256", "O3"): (100, True),
             ("fibonacci", "O2"): (10, True), ("fibonacci", "O3"): (11, True)}
    variants = ["O2", "O3", "Os", "O1", "O2-sse2", "O3-sse2", "O3-sse2-unroll"]
    assert pgo_search.ranked_variants(swept, "gemm_tile", variants, "O3-sse2-unroll", 3) == \
        ["O3-sse2-unroll", "O3-sse2", "O2-sse2"]
    best_setting = {("gemm_tile", "O3-sse2-unroll"): {"TILE": 64}, ("gemm_tile", "O3-sse2"): {},
                    ("gemm_tile", "O2-sse2"): {"TILE": 8}, ("sha256", "O2"): {"UNROLL": 4},
                    ("sha256", "O3"): {"UNROLL": 8}}
    cost = {("gemm_tile", "O3-sse2-unroll", "TILE", 64): 80, ("gemm_tile", "O3-sse2"): 95,
            ("gemm_tile", "O2-sse2", "TILE", 8): 62, ("sha256", "O2", "UNROLL", 4): 95,
            ("sha256", "O3", "UNROLL", 8): 94.5}
    descended = []

    def fake_descend(names, start, calls, repeats, counter):
        descended.append(dict(start))
        return {n: dict(best_setting[(n, start[n])]) for n in names}

    def fake_measure(mods, calls, repeats, tag, counter):
        out = {}
        for k in mods:
            name, variant, setting, _ = k
            flat = sum(((p, v) for p, v in setting), ())
            out[k] = (cost[(name, variant) + flat], True)
        return out
    saved = (pgo_search.descend, pgo_search.build_keys, pgo_search.measure_keys)
    pgo_search.descend = fake_descend
    pgo_search.build_keys = lambda keys, counter: {k: "unbuilt" for k in keys}
    pgo_search.measure_keys = fake_measure
    try:
        flags, settings = pgo_search.descend_at_flag_sets(
            ["gemm_tile", "sha256", "fibonacci"],
            {"gemm_tile": "O3-sse2-unroll", "sha256": "O2", "fibonacci": "O2"}, swept, variants,
            1, 1, pgo_search.Counter())
    finally:
        pgo_search.descend, pgo_search.build_keys, pgo_search.measure_keys = saved
    assert flags == {"gemm_tile": "O2-sse2", "sha256": "O2", "fibonacci": "O2"}, flags
    assert settings == {"gemm_tile": {"TILE": 8}, "sha256": {"UNROLL": 4}, "fibonacci": {}}, \
        settings
    assert all("fibonacci" not in d for d in descended), descended
    assert len(descended) == 3 and descended[2] == {"gemm_tile": "O2-sse2"}, descended


def test_bench_adaptive_arithmetic():
    costs = {"m1": {"o2": 400, "uniform": 200, "flags": 200, "params": 100, "profile": 100,
                    "planner": None},
             "m2": {"o2": 100, "uniform": 100, "flags": 50, "params": 50, "profile": 25,
                    "planner": None}}
    rows, gm_o2, gm_u = adaptive.ratios(costs)
    assert rows["m1"]["params"] == (4.0, 2.0) and rows["m2"]["profile"] == (4.0, 4.0), rows
    assert abs(gm_o2["uniform"] - math.sqrt(2)) < 1e-12, gm_o2
    assert abs(gm_u["profile"] - math.sqrt(8)) < 1e-12, gm_u
    assert abs(gm_o2["profile"] - 4.0) < 1e-12 and "planner" not in gm_o2, gm_o2
    c = adaptive.contributions(gm_o2)
    assert abs(c["per-module flags over uniform"] - math.sqrt(2)) < 1e-12, c
    assert abs(c["parameters over flags"] - math.sqrt(2)) < 1e-12, c
    assert abs(c["profile feedback over parameters"] - math.sqrt(2)) < 1e-12, c
    line = adaptive.summary_line(gm_u["profile"], "-O3 -msse2", gm_o2["profile"], None)
    assert line == "adaptive: 2.83x over best uniform (-O3 -msse2), 4.00x over -O2, " \
                   "planner overhead n/a", line
    assert adaptive.summary_line(1.234, "f", 2, 0.0421).endswith("planner overhead 4.2%")
    gms = {"O2": 200.0, "O3-sse2": 150.0, "O3-avx2": 100.0}
    assert adaptive.isa_share(gms, list(gms)) == ("O3-sse2", "O3-avx2", 1.5)
    gms["O3-sse2"] = 90.0
    assert adaptive.isa_share(gms, list(gms)) is None


def test_runner_groups_keep_a_module_together():
    keys = [(n, v, (), False) for n in "abcde" for v in range(20)]
    groups = pgo_search.runner_groups(keys, 64)
    assert all(len(g) <= 64 for g in groups) and sum(map(len, groups)) == len(keys)
    for g in groups:
        for n in {k[0] for k in g}:
            assert sum(k[0] == n for k in keys) == sum(k[0] == n for k in g), (n, g)
    assert pgo_measure.RUNNER_MAX_ENTRIES == 64


PLANNER_SAMPLE = """hostrun: some diagnostic
adaptive: sum final=2 label="-O3 -msse2 -march=pentium2" hot_call=100 final_call=1000 hot_to_final=900 candidates=3 demoted=1 planner_calls=45 planner_cycles=4000 call_cycles=96000 run_cycles=125000 overhead=3.20%
adaptive: fft_1d final=0 label="embedded" hot_call=100 final_call=100 hot_to_final=0 candidates=1 demoted=0 planner_calls=0 planner_cycles=0 call_cycles=300000 run_cycles=375000 overhead=0.00%
=====BEGIN FLUID PROFILE JSON=====
{"modules":[{"name":"sum","adaptive":{"current":2}}]}
"""


def expect_planner_error(fn, *words):
    try:
        fn()
    except adaptive.PlannerError as e:
        for w in words:
            assert w in str(e), f"{w!r} not in the message: {e}"
        return
    raise AssertionError(f"no PlannerError; expected one naming {words}")


def test_planner_lines_parse():
    got = adaptive.parse_adaptive_lines(PLANNER_SAMPLE)
    assert sorted(got) == ["fft_1d", "sum"], got
    s = got["sum"]
    assert (s["final"], s["label"], s["hot_to_final"], s["demoted"]) == \
        (2, "-O3 -msse2 -march=pentium2", 900, 1), s
    assert (s["planner_cycles"], s["call_cycles"], s["run_cycles"], s["overhead"]) == \
        (4000, 96000, 125000, 0.032), s
    # over the runs' clocks, a total, not a mean of the shares (0.016)
    assert adaptive.planner_overhead(got) == 4000 / 500000
    bad = PLANNER_SAMPLE.replace("hot_to_final=900 ", "")
    expect_planner_error(lambda: adaptive.parse_adaptive_lines(bad), "malformed", "sum final=2")
    bad = PLANNER_SAMPLE.replace("overhead=3.20%", "overhead=nan%")
    expect_planner_error(lambda: adaptive.parse_adaptive_lines(bad), "malformed", "nan%")
    twice = PLANNER_SAMPLE.replace("adaptive: fft_1d", "adaptive: sum")
    expect_planner_error(lambda: adaptive.parse_adaptive_lines(twice), "sum", "twice")
    # the -O2 build first, then the search's stages most promising first, each build once
    paths = {"m": {"o2": "a", "uniform": "u", "flags": "u", "params": "p", "profile": "p"}}
    assert adaptive.planner_candidates(paths) == {"m": [("o2", "a"), ("profile", "p"),
                                                       ("flags", "u")]}
    many = {"m": {"o2": "a", "uniform": "b", "flags": "c", "params": "d", "profile": "e"}}
    assert len(adaptive.planner_candidates(many)["m"]) == 5


def test_planner_column_picks_the_faster():
    """hostrun --adaptive over sum at -O0 (the registry's build) and -O3 -msse2 (a variant):
    the planner promotes the faster, and its overhead is a finite share. A registry build
    that answers wrongly (fibonacci's bytes under sum's name) fails the run, never a result."""
    slow, fast = (os.path.join(ROOT, "build", "modules", v, "sum.mod") for v in ("O0", "O3-sse2"))
    got = adaptive.planner_column(["sum"], {"sum": [("O0", slow), ("O3-sse2", fast)]},
                                  calls=1000, tag="planner-test")
    r = got["sum"]
    assert (r["column"], r["mod"], r["final"], r["demoted"]) == ("O3-sse2", fast, 1, 0), r
    assert r["label"].startswith("-O3 -msse2"), r
    over = adaptive.planner_overhead(got)
    assert math.isfinite(over) and 0 < over < 1, over
    assert abs(over - r["overhead"]) < 1e-4, (over, r)
    wrong = os.path.join(ROOT, "build", "modules", "O2", "fibonacci.mod")
    expect_planner_error(lambda: adaptive.planner_column(
        ["sum"], {"sum": [("wrong", wrong), ("O3-sse2", fast)]}, calls=1000,
        tag="planner-test"), "exited 1", "wrong result")
