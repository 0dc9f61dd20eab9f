"""`make bench-adaptive` (docs/pgo.md): one session in the host runner (host-rdtsc cycles):
the uniform-build sweep, the offline search (fluid.pgo.search), then one final interleaved
measurement of, per module, the embedded -O2 build, the best uniform build, the search's
choice with flags only, with flags + parameters, with flags + parameters + profile feedback,
and the in-boot planner's choice (planner_column: the kernel's planner run by hostrun --adaptive
over those builds; its cost is the same runner's cost of the build it settles on). Geometric means of the ratios, so the
contributions of flags/ISA, parameters and profile feedback show separately; the last line:
  adaptive: X.XXx over best uniform (<flags>), Y.YYx over -O2, planner overhead Z.Z%
The arithmetic (best_uniform, best_variant, ratios, summary_line) is pure, for the tests."""
import json
import math
import os
import re
import subprocess

from fluid.pgo import build as pgo_build
from fluid.pgo import measure as pm
from fluid.pgo import report as pgo_report

COLUMNS = ["o2", "uniform", "flags", "params", "profile", "planner"]
TITLES = {"o2": "-O2", "uniform": "uniform", "flags": "flags", "params": "+params",
          "profile": "+profile", "planner": "planner"}
NOT_MEASURED = "not measured"
FINAL_REPEATS, FINAL_CALLS = 9, 8
SEARCH_REPEATS, SEARCH_CALLS = 5, 8
QUICK_REPEATS, QUICK_CALLS = 1, 3
QUICK_PLANNER_CALLS = 1000   # quick mode (the tests): threshold 100 only


def geomean_cost(costs):
    """Geometric mean of costs; inf if any is missing or not positive (a failed build)."""
    if not costs or any(c is None or c <= 0 for c in costs):
        return math.inf
    return math.exp(sum(map(math.log, costs)) / len(costs))


def best_uniform(swept, names, variants):
    """The uniform flag set with the lowest geometric mean cost over names, counting only
    sets whose every module answered correctly. swept {(name, variant): (cost, correct)}.
    Returns (variant, {variant: geometric mean cost, inf when a module failed})."""
    gms = {}
    for v in variants:
        ms = [swept.get((n, v), (0, False)) for n in names]
        gms[v] = geomean_cost([c if ok else None for c, ok in ms])
    best = min(variants, key=lambda v: (gms[v], variants.index(v)))
    if math.isinf(gms[best]):
        raise ValueError("no uniform flag set answered correctly in every module")
    return best, gms


def best_variant(swept, name, variants, min_gain):
    """A module's fastest correct flag set; -O2 stays unless another beats it by min_gain."""
    base = swept.get((name, pgo_build.BASELINE), (0, False))
    ok = {v: swept[(name, v)][0] for v in variants
          if swept.get((name, v), (0, False))[1] and swept[(name, v)][0] > 0}
    if not ok:
        return pgo_build.BASELINE
    best = min(ok, key=lambda v: (ok[v], variants.index(v)))
    if base[1] and base[0] > 0 and best != pgo_build.BASELINE and ok[best] * (1 + min_gain) >= base[0]:
        return pgo_build.BASELINE
    return best


def ratios(costs):
    """costs {name: {column: cost or None}} -> per module {column: speedup over -O2} and
    {column: speedup over uniform}, plus geometric means over the modules for each column
    that every module has. Returns (rows, gm_over_o2, gm_over_uniform)."""
    rows, over_o2, over_u = {}, {c: [] for c in COLUMNS}, {c: [] for c in COLUMNS}
    for n, cs in sorted(costs.items()):
        r = {}
        for c in COLUMNS:
            v = cs.get(c)
            if v and cs.get("o2") and cs.get("uniform"):
                r[c] = (cs["o2"] / v, cs["uniform"] / v)
                over_o2[c].append(r[c][0])
                over_u[c].append(r[c][1])
        rows[n] = r
    full = len(costs)
    gm_o2 = {c: pgo_report.geomean(x) for c, x in over_o2.items() if x and len(x) == full}
    gm_u = {c: pgo_report.geomean(x) for c, x in over_u.items() if x and len(x) == full}
    return rows, gm_o2, gm_u


def summary_line(gm_over_uniform, uniform_flags, gm_over_o2, planner_overhead):
    """The last line of bench-adaptive; planner_overhead a fraction or None (n/a)."""
    over = "n/a" if planner_overhead is None else f"{planner_overhead * 100:.1f}%"
    return (f"adaptive: {gm_over_uniform:.2f}x over best uniform ({uniform_flags}), "
            f"{gm_over_o2:.2f}x over -O2, planner overhead {over}")


PLANNER_CALLS = 10000       # the planner column's run: thresholds 100 and 1000 fire (the call
#                             index stops at 9999, so the kernel's third, 10000, does not)
PLANNER_MAX_VARIANTS = 7    # hostrun --adaptive: the registry's build + at most 7 variant files
# The planner's candidates after the registry's -O2 build, most promising first: the search's
# final choice, then each earlier stage's, then the best uniform build (a module's later stage
# is at least as fast as its earlier one in the search's own runner).
PLANNER_ORDER = ["profile", "params", "flags", "uniform"]
ADAPTIVE_LINE = re.compile(
    r'adaptive: (?P<name>\S+) final=(?P<final>\d+) label="(?P<label>[^"]*)" '
    r'hot_call=(?P<hot_call>\d+) final_call=(?P<final_call>\d+) '
    r'hot_to_final=(?P<hot_to_final>\d+) candidates=(?P<candidates>\d+) '
    r'demoted=(?P<demoted>\d+) planner_calls=(?P<planner_calls>\d+) '
    r'planner_cycles=(?P<planner_cycles>\d+) call_cycles=(?P<call_cycles>\d+) '
    r'run_cycles=(?P<run_cycles>\d+) overhead=(?P<overhead>\d+\.\d+)%$')


class PlannerError(Exception):
    pass


def parse_adaptive_lines(text):
    """hostrun --adaptive's stdout -> {module: {field: value}} from its `adaptive:` lines
    (docs/pgo.md, "The host runner's planner mode"); numbers as int, overhead as a fraction.
    Raises PlannerError naming a malformed line or a module reported twice."""
    out = {}
    for line in text.splitlines():
        if not line.startswith("adaptive:"):
            continue
        m = ADAPTIVE_LINE.fullmatch(line.rstrip())
        if not m:
            raise PlannerError(f"hostrun: malformed adaptive line: {line!r}")
        rec = {k: (v if k in ("name", "label") else int(v))
               for k, v in m.groupdict().items() if k != "overhead"}
        rec["overhead"] = float(m["overhead"]) / 100
        if rec["name"] in out:
            raise PlannerError(f"hostrun: module {rec['name']} reported twice")
        out[rec["name"]] = rec
    return out


def planner_candidates(paths):
    """paths {name: {column: .mod or None}} (the final runner's builds) -> {name: [(column,
    .mod)]}: the -O2 build first (the registry's, as the kernel's embedded module), then
    PLANNER_ORDER, each distinct build once, at most 1 + PLANNER_MAX_VARIANTS."""
    out = {}
    for n, cols in paths.items():
        seen, cands = set(), []
        for c in ["o2"] + PLANNER_ORDER:
            if cols.get(c) and cols[c] not in seen:
                seen.add(cols[c])
                cands.append((c, cols[c]))
        out[n] = cands[:1 + PLANNER_MAX_VARIANTS]
    return out


def planner_column(names, candidates, calls=PLANNER_CALLS, tag="planner"):
    """The kernel's planner and dispatch slot (kernel/bench/planner.c, suite_adapt.c) run by
    the host runner (hostrun --adaptive calls) over candidates {name: [(column, .mod)]}: the
    first of each module is the runner's registry build (candidate 0), the others --variant
    files in order. Returns {name: the module's adaptive line's fields, plus "column" and
    "mod": the candidate the planner settled on}. Raises PlannerError if hostrun fails
    (exit 1: a wrong answer or a failed module; never counted as a result) or its output
    does not report every module."""
    for n in names:
        if not 1 <= len(candidates[n]) <= 1 + PLANNER_MAX_VARIANTS:
            raise PlannerError(f"planner: {n}: {len(candidates[n])} candidates; hostrun "
                               f"takes 1 to {1 + PLANNER_MAX_VARIANTS}")
    try:
        exe = pgo_build.build_runner([(n, candidates[n][0][1]) for n in names], tag)
    except pgo_build.BuildError as e:
        raise PlannerError(f"planner: runner not built: {e}")
    argv = [exe, "--adaptive", str(calls)]
    for n in names:
        for _, mod in candidates[n][1:]:
            argv += ["--variant", mod]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=pm.RUNNER_TIMEOUT_S)
    if p.returncode != 0:
        raise PlannerError(f"planner: hostrun --adaptive exited {p.returncode} (1: a wrong "
                           f"answer or a failed module): {p.stderr.strip()[-400:]}")
    got = parse_adaptive_lines(p.stdout)
    out = {}
    for n in names:
        if n not in got:
            raise PlannerError(f"planner: hostrun reported no adaptive line for {n}")
        r = got[n]
        if r["candidates"] != len(candidates[n]) or r["final"] >= len(candidates[n]):
            raise PlannerError(f"planner: {n}: {r['candidates']} candidates, final {r['final']}"
                               f"; {len(candidates[n])} were offered")
        r["column"], r["mod"] = candidates[n][r["final"]]
        out[n] = r
    return out


def planner_overhead(result):
    """The planner's share of the whole run, over all modules: total planner cycles over the
    total of the runs' clocks (each from the first timed call to the last, planner and the
    runner's cost of every call included; a total, not a mean of per-module shares: a module
    whose calls are cheap weighs as little as its time)."""
    plan = sum(r["planner_cycles"] for r in result.values())
    run = sum(r["run_cycles"] for r in result.values())
    return plan / run if run else None


def final_keys(names, uniform, choice):
    from fluid.pgo import search
    out = {}
    for n in names:
        out[n] = {"o2": search.key(n, pgo_build.BASELINE),
                  "uniform": search.key(n, uniform),
                  "flags": choice[n]["flags"], "params": choice[n]["params"],
                  "profile": choice[n]["profile"]}
    return out


def measure_final(names, uniform, choice, calls, repeats, counter):
    """One runner, every column of every module, each distinct build once."""
    from fluid.pgo import search
    keys = final_keys(names, uniform, choice)
    mods = search.build_keys([k for ks in keys.values() for k in ks.values()], counter)
    got = search.measure_keys(mods, calls, repeats, "final", counter)
    costs, correct, paths = {}, {}, {}
    for n, ks in keys.items():
        costs[n] = {c: (got[k][0] if k in got and got[k][1] else None) for c, k in ks.items()}
        correct[n] = all(k in got and got[k][1] for k in ks.values())
        paths[n] = {c: mods.get(k) for c, k in ks.items()}
    return costs, correct, paths, keys


def fmt_ratio(r):
    return f"{r:.2f}x"


def cell(costs, n, c, width):
    v = costs[n].get(c)
    return f"{(v if v else NOT_MEASURED if c == 'planner' else 0):>{width}}"


def ratio_cell(rows, n, c, i, width):
    """Speedup i (0: over -O2, 1: over uniform) of column c."""
    if c in rows[n]:
        return f"{fmt_ratio(rows[n][c][i]):>{width}}"
    return f"{'-' if c != 'planner' else NOT_MEASURED:>{width}}"


def print_table(names, costs, rows, gm_o2, gm_u, keys, correct):
    """Three tables: median cycles, speedup over -O2, speedup over the best uniform build."""
    from fluid.pgo import search
    widths = {c: (14 if c == "planner" else 10) for c in COLUMNS}
    head = f"{'module':<14}" + "".join(f"{TITLES[c]:>{widths[c]}}" for c in COLUMNS)
    print("median cycles per call (host-rdtsc)")
    print(head + "  chosen build (flags, parameters, profile)")
    for n in names:
        line = f"{n:<14}" + "".join(cell(costs, n, c, widths[c]) for c in COLUMNS)
        line += f"  {search.describe(keys[n]['profile'])}"
        print(line + ("" if correct[n] else "  WRONG ANSWER"))
    for title, i, gm in (("speedup over -O2", 0, gm_o2), ("speedup over the best uniform build", 1, gm_u)):
        print(title)
        print(head)
        for n in names:
            print(f"{n:<14}" + "".join(ratio_cell(rows, n, c, i, widths[c])
                                      for c in COLUMNS))
        print(f"{'geomean':<14}" + "".join(
            f"{fmt_ratio(gm[c]) if c in gm else ('-' if c != 'planner' else NOT_MEASURED):>{widths[c]}}"
            for c in COLUMNS))


def print_planner(names, planner, paths):
    """Per module: the planner's final choice, calls from hot to final, its overhead."""
    from fluid.pgo import search
    print(f"in-boot planner (hostrun --adaptive, kernel/bench/planner.c): candidate 0 the -O2 "
          f"build, then {', '.join(PLANNER_ORDER)} (each distinct build once); its column "
          "above is the final runner's cost of the build it settled on")
    print(f"{'module':<14}{'choice':>10}{'hot->final':>12}{'demoted':>9}{'overhead':>10}  label")
    for n in names:
        r = planner[n]
        print(f"{n:<14}{TITLES[r['column']]:>10}{r['hot_to_final']:>12}{r['demoted']:>9}"
              f"{r['overhead'] * 100:>9.2f}%  {r['label']}")
    same = sum(planner[n]["mod"] == paths[n]["profile"] for n in names)
    print(f"the planner settled on the offline search's final choice in {same} of {len(names)} "
          "modules")


def contributions(gm_o2):
    """Each stage's own geometric-mean factor: the best uniform build over -O2, per-module
    flags (ISA and optimisation level) over uniform, parameters over flags only, profile
    feedback over flags + parameters."""
    g = gm_o2
    step = lambda a, b: g[a] / g[b] if a in g and b in g else float("nan")
    return {"uniform over -O2": g.get("uniform", float("nan")),
            "per-module flags over uniform": step("flags", "uniform"),
            "parameters over flags": step("params", "flags"),
            "profile feedback over parameters": step("profile", "params")}


def isa_share(gms, variants):
    """(best plain uniform set, best overall, the ratio of their sweep geometric means): what
    the host-ISA builds add to the uniform build; None when the best is a plain set."""
    plain = [v for v in variants if v in pgo_build.VARIANTS]
    best = min(variants, key=lambda v: gms[v])
    if not plain or best in plain:
        return None
    bp = min(plain, key=lambda v: gms[v])
    return bp, best, gms[bp] / gms[best]


def run(work, quick=False):
    """The whole benchmark; writes work/adaptive.json and returns it."""
    from fluid.pgo import search
    names = pgo_build.module_names()
    calls, reps = (QUICK_CALLS, QUICK_REPEATS) if quick else (SEARCH_CALLS, SEARCH_REPEATS)
    print("clock: host-rdtsc (the host runner, tools/hostrun: the same .mod bytes in a 32-bit "
          "Linux process, real cycles), on a machine shared with other processes: every "
          "measurement interleaves its candidates in one runner binary, repeated, lowest "
          "median counts, every answer checked", flush=True)
    res = search.search(names, calls, reps, work)
    counter = search.Counter()
    fcalls, freps = (QUICK_CALLS, QUICK_REPEATS) if quick else (FINAL_CALLS, FINAL_REPEATS)
    costs, correct, paths, keys = measure_final(names, res["uniform"], res["choice"], fcalls,
                                                freps, counter)
    try:
        planner = planner_column(names, planner_candidates(paths),
                                 QUICK_PLANNER_CALLS if quick else PLANNER_CALLS)
    except PlannerError as e:
        print(f"{e}: the planner column is not measured")
        planner = None
    for n in names:       # the final runner's cost of the build the planner settled on
        costs[n]["planner"] = costs[n][planner[n]["column"]] if planner else None
    uniform_label = pgo_build.variant_flags(res["uniform"], names[0])[1]
    rows, gm_o2, gm_u = ratios(costs)
    print(f"final measurement: {len(paths) * len(COLUMNS[:-1])} columns in one runner, "
          f"lowest median of {freps} interleaved runs of {fcalls} calls; the search made "
          f"{res['builds'] + counter.builds} builds ({res['failed'] + counter.failed} refused "
          f"or failed)")
    print_table(names, costs, rows, gm_o2, gm_u, keys, correct)
    overhead = planner_overhead(planner) if planner else None
    if planner:
        print_planner(names, planner, paths)
    contrib = contributions(gm_o2)
    isa = isa_share(res["uniform_geomeans"], res["variants"])
    if isa:
        contrib[f"host ISA in the uniform build ({isa[0]} -> {isa[1]}, from the sweep)"] = isa[2]
    for k, v in contrib.items():
        print(f"  {k}: {v:.3f}x")
    out = {"clock": "host-rdtsc", "uniform": res["uniform"], "uniform_flags": uniform_label,
           "uniform_geomeans": res["uniform_geomeans"], "costs": costs, "correct": correct,
           "chosen": {n: search.describe(keys[n]["profile"]) for n in names},
           "geomean_over_o2": gm_o2, "geomean_over_uniform": gm_u, "contributions": contrib,
           "planner": planner, "planner_overhead": overhead, "builds": res["builds"] + counter.builds}
    with open(os.path.join(work, "adaptive.json"), "w") as f:
        json.dump(out, f, indent=1, default=str)
    chart = [{"name": n, "baseline": costs[n]["o2"], "uniform": costs[n]["uniform"],
              "final": costs[n]["profile"], "speedup": rows[n]["profile"][0]}
             for n in names if all(costs[n][c] for c in ("o2", "uniform", "profile"))]
    with open(os.path.join(work, "adaptive.svg"), "w") as f:
        f.write(pgo_report.svg(chart, "host-rdtsc cycles", "Fluid bench-adaptive: -O2, best "
                               f"uniform, search's choice; {gm_o2.get('profile', 0):.2f}x"))
    print(f"written: {work}/adaptive.json, {work}/adaptive.svg")
    if not all(correct.values()):
        print("WRONG ANSWERS in: " + ", ".join(n for n, ok in correct.items() if not ok))
    if "planner" in gm_o2:
        print(f"planner: {gm_u['planner']:.2f}x over best uniform, {gm_o2['planner']:.2f}x "
              "over -O2")
    print("adaptive below = the offline search's choice (flags + parameters + profile); planner "
          "overhead = the planner's cycles over all cycles of its run, all modules together")
    print(summary_line(gm_u.get("profile", float("nan")), uniform_label,
                       gm_o2.get("profile", float("nan")), overhead))
    return out
