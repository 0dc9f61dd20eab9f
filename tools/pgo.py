#!/usr/bin/env python3
"""Fluid's profile-guided recompile loop (docs/pgo.md).

  pgo.py profile [--clock icount|host|log --log SERIAL.log]   profile -> WORK/profile.json
  pgo.py analyze    per module: share, calls, the proposed build and why (WORK/plan.json);
                    the hot modules' candidate builds are built and MEASURED, never guessed
  pgo.py apply      chosen builds -> cache/i686/<name>.mod, the image's /CACHE/I686 and cache.img
  pgo.py loop       baseline (all -O2, same clock, same session), then analyze -> apply ->
                    profile until the total improves by less than 2%; report.{json,md}, chart.svg
  pgo.py bench      each module at -O2 and after the loop, in host cycles and -icount
                    instructions, with geometric means
  pgo.py adaptive   the uniform-build sweep, the search over flags x parameters x profile
                    feedback and one final interleaved measurement (make bench-adaptive)
  pgo.py clean      empty the cache (directory, image partition, cache.img) and the loop state

Common options: --work DIR (build/pgo), --image IMG (fluid.img), --cache-dir DIR (cache/i686),
--cache-img IMG (cache.img), --select host|icount (clock candidates are chosen by; host =
real cycles from the host runner), --quick (fewer variants and calls: the tests)."""
import argparse
import json
import os
import shutil
import sys

from fluid import ROOT
from fluid import cache as mkcache
from fluid import profiles as fprofile
from fluid.pgo import adaptive as pgo_adaptive
from fluid.pgo import build as pgo_build
from fluid.pgo import measure as pm
from fluid.pgo import params as pgo_params
from fluid.pgo import report as pgo_report
from fluid.pgo import search as pgo_search

HOT_SHARE = 0.80            # hot set: the largest modules covering 80% of the total
STOP_BELOW = 0.02           # convergence: stop once an iteration improves the total < 2%
MIN_GAIN = 0.01             # a candidate must beat -O2 by 1% to replace it
MAX_ITERATIONS = 5
QUICK_VARIANTS = ["O2", "O3", "O3-sse2", "O2-pgo"]
CALLS = {False: 8, True: 3}         # host runner timed calls per module (full, quick)
REPEATS = {False: 3, True: 1}       # host runner repetitions; the lowest median counts


def log(msg):
    print(f"pgo: {msg}", flush=True)


def load_json(path, default=None):
    if not os.path.exists(path):
        if default is not None:
            return default
        sys.exit(f"pgo: {path} does not exist (run the previous step first)")
    with open(path) as f:
        return json.load(f)


def save_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def current_entries(args):
    """[(name, .mod)] as the cache stands: the cache build, else -O2."""
    out = []
    for n in pgo_build.module_names():
        cached = os.path.join(args.cache_dir, n + ".mod")
        out.append((n, cached if os.path.exists(cached) else pgo_build.build(n, "O2")))
    return out


def profile_once(args):
    if args.clock == "icount":
        prof = pm.kernel_profile(args.image)
    elif args.clock == "host":
        prof = pm.host_profile(current_entries(args), CALLS[args.quick], REPEATS[args.quick],
                               "profile")
    elif args.clock == "disk":
        if not args.disk:
            sys.exit("pgo: --clock disk needs --disk IMAGE_OR_DEVICE")
        prof = fprofile.from_disk(args.disk)
    else:
        if not args.log:
            sys.exit("pgo: --clock log needs --log SERIAL.log")
        prof = pm.log_profile(args.log)
    bad = [m["name"] for m in prof["modules"] if not m["passed"]]
    if bad:
        sys.exit(f"pgo: wrong answers or failures in the profile: {', '.join(bad)}")
    return prof


def choose(name, measured, variants):
    """(variant, reason, candidates) by the lowest cost among correct builds."""
    cands = {v: measured[(name, v)] for v in variants if (name, v) in measured}
    base = cands.get("O2", (0, False))[0]
    ok = {v: c for v, (c, good) in cands.items() if good and c > 0}
    wrong = sorted(v for v, (_, good) in cands.items() if not good)
    note = f"; wrong or failed: {', '.join(wrong)}" if wrong else ""
    if not ok or not base:
        return "O2", f"no correct measurement of -O2 and candidates{note}", cands
    best = min(ok, key=ok.get)
    gain = base / ok[best]
    if best == "O2" or gain < 1 + MIN_GAIN:
        return "O2", (f"no build beat -O2 by {MIN_GAIN:.0%} among {len(ok)} correct "
                      f"(best {best} {gain:.3f}x){note}"), cands
    return best, (f"fastest of {len(ok)} correct builds: {ok[best]} vs {base} at -O2 "
                  f"({gain:.2f}x){note}"), cands


def hot_modules(prof):
    mods = sorted(prof["modules"], key=lambda m: m["total_cycles"], reverse=True)
    grand = sum(m["total_cycles"] for m in mods) or 1
    hot, acc = [], 0
    for m in mods:
        if acc >= HOT_SHARE * grand:
            break
        hot.append(m["name"])
        acc += m["total_cycles"]
    return hot, grand


def measure_candidates(args, targets):
    variants = QUICK_VARIANTS if args.quick else list(pgo_build.VARIANTS)
    errors = pm.instr_profiles(targets, args.work, CALLS[args.quick])
    for n, e in errors.items():
        log(f"{n}: instrumented PGO unavailable: {e}")
    pairs = [(n, v) for n in targets for v in variants
             if not (pgo_build.VARIANTS[v][3] and n in errors)]
    built = pgo_build.build_many(pairs)
    for k, p in built.items():
        if isinstance(p, Exception):
            log(f"{k[0]} {k[1]}: build failed: {str(p).splitlines()[-1]}")
    cands = {k: p for k, p in built.items() if isinstance(p, str)}
    if args.select == "icount":
        return pm.measure_icount(cands, args.image, args.work), variants, built
    return pm.measure_host(cands, CALLS[args.quick], REPEATS[args.quick]), variants, built


def analyze(args, prof, state):
    """The plan: every module's proposed build and reason; measures the untried hot ones."""
    hot, grand = hot_modules(prof)
    targets = [n for n in hot if n not in state["tried"]]
    measured, variants, built = measure_candidates(args, targets) if targets else ({}, [], {})
    plan = {"profile_clock": prof["clock"]["source"], "select_clock": args.select,
            "build_id": prof.get("build_id"), "boot_id": prof.get("boot_id"),
            "profile_total": pm.total(prof), "tried": sorted(set(state["tried"]) | set(targets)),
            "new": targets, "modules": []}
    for m in sorted(prof["modules"], key=lambda m: m["total_cycles"], reverse=True):
        n, share = m["name"], m["total_cycles"] / grand
        e = {"name": n, "share": share, "calls": m["calls"], "cost": m["median_cycles"]}
        if n in targets:
            v, why, cands = choose(n, measured, variants)
            e.update(proposed=v, reason=f"hot, measured by {args.select}: {why}",
                     candidates={k: {"cost": c, "correct": ok} for k, (c, ok) in cands.items()},
                     mod=built.get((n, v)) if v != "O2" else None)
        elif n in state["selected"]:
            e.update(state["selected"][n])
        elif n in state["tried"]:
            e.update(proposed="O2", reason=state["reasons"].get(n, "tried before: -O2 kept"))
        else:
            e.update(proposed="O2", reason=f"cold ({share:.1%}, outside the hot "
                                           f"{HOT_SHARE:.0%}): embedded -O2 kept")
        plan["modules"].append(e)
    if targets and args.select == "host":
        tune_parameters(args, plan, targets)
    return plan


def tune_parameters(args, plan, targets):
    """Coordinate descent over the declared parameters of each hot module just measured, at
    its proposed flags (fluid.pgo.search.descend, host runner; a value is taken only if 1%
    faster in the same runner). Profile-use builds keep their defaults: their profile was
    taken from the default source. --quick (the tests): one pass, the hottest such module."""
    entries = {e["name"]: e for e in plan["modules"] if e["name"] in targets and
               not pgo_build.ALL_VARIANTS[e["proposed"]][3]}
    if args.quick:
        entries = dict(list(entries.items())[:1])       # plan["modules"]: hottest first
    if not entries:
        return
    found = {}
    pgo_search.descend(sorted(entries), {n: e["proposed"] for n, e in entries.items()},
                       CALLS[args.quick], REPEATS[args.quick], pgo_search.Counter(),
                       passes=1 if args.quick else pgo_search.DESCENT_PASSES, found=found)
    for n, f in found.items():
        e, tag = entries[n], pgo_params.tag(f["setting"])
        e.update(proposed=e["proposed"] + tag, params=f["setting"], mod=f["mod"],
                 reason=e["reason"] + f"; parameters {tag[1:]}: {f['base']} -> {f['cost']} "
                                      "in the last host runner that changed them")


def print_plan(plan):
    print(f"{'module':<14}{'share':>7}{'calls':>6}  {'proposed':<15}reason")
    for e in plan["modules"]:
        print(f"{e['name']:<14}{e['share'] * 100:>6.1f}%{e['calls']:>6}  {e['proposed']:<15}"
              f"{e['reason']}")


def new_state():
    return {"tried": [], "selected": {}, "reasons": {}}


def apply(args, plan):
    """Writes the plan's builds to the cache directory, the image and cache.img."""
    os.makedirs(args.cache_dir, exist_ok=True)
    blobs = {}
    for e in plan["modules"]:
        if e["proposed"] != "O2" and e.get("mod"):
            with open(e["mod"], "rb") as f:
                blobs[e["name"]] = f.read()      # may be the cache file deleted below
    for f in os.listdir(args.cache_dir):
        if f.endswith(".mod"):
            os.unlink(os.path.join(args.cache_dir, f))
    state, mods = new_state(), []
    state["tried"] = plan["tried"]
    for e in plan["modules"]:
        state["reasons"][e["name"]] = e["reason"]
        if e["name"] not in blobs:
            continue
        dest = os.path.join(args.cache_dir, e["name"] + ".mod")
        with open(dest, "wb") as f:
            f.write(blobs[e["name"]])
        mods.append(dest)
        keep = {k: e[k] for k in ("proposed", "reason", "mod", "candidates", "params")
                if k in e}
        state["selected"][e["name"]] = dict(keep, mod=dest)
    manifest = os.path.join(args.work, "manifest.json")
    save_json(manifest, {k: plan[k] for k in ("profile_clock", "select_clock", "build_id",
                                              "boot_id", "profile_total", "modules")})
    mkcache.write(args.image, mods, manifest=manifest, clear=True)
    mkcache.create(args.cache_img, mkcache.MIN_CACHE_MIB)
    mkcache.write(args.cache_img, mods, manifest=manifest)
    save_json(os.path.join(args.work, "state.json"), state)
    log(f"applied {len(mods)} cache modules to {args.cache_dir}, {args.image}, {args.cache_img}")
    return state


def uniform_profile(args):
    """Every module at the best uniform flag set, profiled in the loop's clock, for the
    report (None in the log and disk clocks: nothing to run). The set is chosen by a sweep in
    the host runner over the plain variants (--quick: those of QUICK_VARIANTS); the host-ISA
    ones only in the host clock, since the QEMU guest CPU lacks AVX."""
    if args.clock not in ("icount", "host"):
        return None
    features = pgo_search.host_features() if args.clock == "host" else set()
    variants = [v for v in pgo_search.uniform_variants(features)
                if not args.quick or v in QUICK_VARIANTS]
    names = pgo_build.module_names()
    swept = pgo_search.sweep(names, variants, CALLS[args.quick], REPEATS[args.quick],
                             pgo_search.Counter())
    best, _ = pgo_adaptive.best_uniform(swept, names, variants)
    mods = [pgo_build.build(n, best) for n in names]
    if args.clock == "host":
        prof = pm.host_profile(list(zip(names, mods)), CALLS[args.quick], REPEATS[args.quick],
                               "uniform")
    else:
        image = os.path.join(args.work, "uniform.img")
        shutil.copyfile(args.image, image)
        mkcache.write(image, [] if best == pgo_build.BASELINE else mods, clear=True)
        prof = pm.kernel_profile(image)
        want = "embedded" if best == pgo_build.BASELINE else "cache"
        off = [f"{m['name']} ({m['cache_error']})" for m in prof["modules"]
               if m["source"] != want]
        if off:
            raise pm.MeasureError(f"uniform build {best}: not run from the cache: "
                                  f"{', '.join(off)}")
    flags = pgo_build.variant_flags(best, names[0])[1]
    log(f"best uniform build: {best} ({flags}) of {len(variants)} flag sets")
    return {"flags": flags, "profile": prof,
            "how": f"the best geometric mean of {len(variants)} uniform flag sets in the host "
                   f"runner, profiled by {prof['clock']['source']}"}


def cmd_loop(args):
    state = new_state()
    apply(args, {"tried": [], "modules": [], "profile_clock": args.clock, "select_clock":
                 args.select, "build_id": None, "boot_id": None, "profile_total": 0})
    baseline = profile_once(args)
    save_json(os.path.join(args.work, "profile-0.json"), baseline)
    iterations = [{"iteration": 0, "total": pm.total(baseline), "new": []}]
    log(f"baseline (-O2, clock {baseline['clock']['source']}): total {pm.total(baseline)}")
    prev, plan = baseline, None
    for it in range(1, args.max_iterations + 1):
        plan = analyze(args, prev, state)
        print_plan(plan)
        if not plan["new"]:
            log("no untried hot module left")
            break
        state = apply(args, plan)
        prof = profile_once(args)
        save_json(os.path.join(args.work, f"profile-{it}.json"), prof)
        gain = (pm.total(prev) - pm.total(prof)) / pm.total(prev)
        iterations.append({"iteration": it, "total": pm.total(prof), "new": plan["new"]})
        log(f"iteration {it}: total {pm.total(prof)} ({gain:+.1%})")
        prev = prof
        if gain < STOP_BELOW:
            break
    save_json(os.path.join(args.work, "profile.json"), prev)
    uniform = uniform_profile(args)
    rep = pgo_report.write(args.work, baseline, prev, plan, iterations, args.select, STOP_BELOW,
                           uniform)
    log(f"report: {args.work}/report.md, report.json, chart.svg; geometric mean "
        f"{rep['geomean']:.3f}x, total {rep['total_speedup']:.3f}x ({rep['clock']})")


def cmd_bench(args):
    """-O2 vs the cache, by both clocks, in one session."""
    names = pgo_build.module_names()
    base = [(n, pgo_build.build(n, "O2")) for n in names]
    final = current_entries(args)
    calls, reps = CALLS[args.quick], REPEATS[args.quick] + 2
    h0 = pm.host_profile(base, calls, reps, "bench-o2")
    h1 = pm.host_profile(final, calls, reps, "bench-final")
    plain = os.path.join(args.work, "bench-o2.img")
    shutil.copyfile(args.image, plain)
    mkcache.write(plain, [], clear=True)
    k0, k1 = pm.kernel_profile(plain), pm.kernel_profile(args.image)
    rows, hr, kr = [], [], []
    cols = [{m["name"]: m for m in p["modules"]} for p in (h0, h1, k0, k1)]
    print(f"clocks: host = {h0['clock']['source']} ({h0['clock'].get('unit', 'cycles')}, "
          f"hostrun, lowest median of {reps} runs); icount = QEMU -icount shift=0 "
          f"({k0['clock'].get('unit', 'instructions')})")
    print(f"{'module':<14}{'build':<16}{'host -O2':>10}{'host final':>11}{'x':>7}"
          f"{'icount -O2':>12}{'icount final':>13}{'x':>7}  source")
    for n in names:
        a, b, c, d = (col[n] for col in cols)
        hs, ks = a["median_cycles"] / b["median_cycles"], c["median_cycles"] / d["median_cycles"]
        hr.append(hs)
        kr.append(ks)
        ok = all(x["passed"] for x in (a, b, c, d))
        rows.append({"name": n, "flags": d["flags"], "host_o2": a["median_cycles"],
                     "host_final": b["median_cycles"], "icount_o2": c["median_cycles"],
                     "icount_final": d["median_cycles"], "source": d["source"], "correct": ok})
        print(f"{n:<14}{d['flags'][:15]:<16}{a['median_cycles']:>10}{b['median_cycles']:>11}"
              f"{hs:>6.2f}x{c['median_cycles']:>12}{d['median_cycles']:>13}{ks:>6.2f}x  "
              f"{d['source']}{'' if ok else ' WRONG'}")
    gh, gk = pgo_report.geomean(hr), pgo_report.geomean(kr)
    print(f"{'geometric mean':<30}{'':>21}{gh:>6.2f}x{'':>25}{gk:>6.2f}x")
    save_json(os.path.join(args.work, "bench.json"), {"rows": rows, "geomean_host": gh,
              "geomean_icount": gk, "host_clock": h0["clock"], "icount_clock": k0["clock"]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["profile", "analyze", "apply", "loop", "bench", "adaptive",
                                       "clean"])
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "pgo"))
    ap.add_argument("--image", default=os.path.join(ROOT, "fluid.img"))
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, "cache", "i686"))
    ap.add_argument("--cache-img", default=os.path.join(ROOT, "cache.img"))
    ap.add_argument("--clock", choices=["icount", "host", "log", "disk"], default="icount")
    ap.add_argument("--log", help="serial log from real hardware (--clock log)")
    ap.add_argument("--disk", help="image or stick whose /PROFILE ring holds the profile "
                                   "(--clock disk)")
    ap.add_argument("--select", choices=["host", "icount"], default="host")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--max-iterations", type=int, default=MAX_ITERATIONS)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    state_path = os.path.join(args.work, "state.json")
    try:
        if args.cmd == "profile":
            prof = profile_once(args)
            save_json(os.path.join(args.work, "profile.json"), prof)
            fprofile.show(prof)
        elif args.cmd == "analyze":
            plan = analyze(args, load_json(os.path.join(args.work, "profile.json")),
                           load_json(state_path, new_state()))
            save_json(os.path.join(args.work, "plan.json"), plan)
            print_plan(plan)
        elif args.cmd == "apply":
            apply(args, load_json(os.path.join(args.work, "plan.json")))
        elif args.cmd == "loop":
            cmd_loop(args)
        elif args.cmd == "bench":
            cmd_bench(args)
        elif args.cmd == "adaptive":
            pgo_adaptive.run(args.work, args.quick)
        else:
            apply(args, {"tried": [], "modules": [], "profile_clock": None, "select_clock":
                         None, "build_id": None, "boot_id": None, "profile_total": 0})
    except (pm.MeasureError, pgo_build.BuildError, mkcache.CacheError,
            fprofile.ProfileError, ValueError) as e:
        sys.exit(f"pgo: {e}")


if __name__ == "__main__":
    main()
