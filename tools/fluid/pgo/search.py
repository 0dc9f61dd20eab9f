"""The offline search over flags x parameters x profile feedback (docs/pgo.md, "The search"),
and the uniform-build sweep, measured in the host runner (host-rdtsc cycles).

  uniform_variants   every flag set one uniform build can use on this CPU: each plain
                     VARIANT of build.py, and the HOST_VARIANTS whose features the CPU has
  sweep              every module at every uniform flag set, measured together
  search             per module: best flag set (from the sweep), then coordinate descent over
                     its parameters from the defaults at each of its DESCENT_FLAG_SETS
                     fastest flag sets, the descended pairs measured head to head, then
                     profile feedback on top of the winner
Every measurement goes through measure_keys: one host runner holding every candidate side by
side, run `repeats` times (each run calls every candidate in turn, so candidates interleave
and a burst of load from another process hits them alike); a candidate's cost is its lowest
median over the runs, and it counts only if every call of every run returned the registry's
answer. A change (another flag set, a parameter value, profile use) is taken only if it beats
the current choice by MIN_GAIN in the same runner."""
import os

from fluid.pgo import adaptive
from fluid.pgo import build as pgo_build
from fluid.pgo import measure as pm
from fluid.pgo import params as pgo_params

MIN_GAIN = 0.01             # a change must be 1% faster than the current choice
DESCENT_PASSES = 2          # coordinate descent: at most two sweeps over the parameters
# A module's parameters are searched at its fastest few flag sets, not only the fastest: the
# sweep ranks flag sets at the default parameters, a few percent apart, and the best
# parameter value can depend on the flags (gemm_tile: TILE=8 at -O2 -msse2, TILE=64 at -O3).
DESCENT_FLAG_SETS = 3
# FLUID_FEAT name -> the /proc/cpuinfo flag that says the CPU has it (Linux names)
CPUINFO_NAMES = {"fpu": "fpu", "tsc": "tsc", "cmov": "cmov", "mmx": "mmx", "sse": "sse",
                 "sse2": "sse2", "sse3": "pni", "ssse3": "ssse3", "sse41": "sse4_1",
                 "sse42": "sse4_2", "avx": "avx", "avx2": "avx2"}


def log(msg):
    print(f"search: {msg}", flush=True)


def host_features(path="/proc/cpuinfo"):
    """FLUID_FEAT names this CPU has, from the first 'flags' line of path."""
    try:
        with open(path) as f:
            flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    except OSError:
        flags = []
    return {n for n, linux in CPUINFO_NAMES.items() if linux in flags}


def uniform_variants(features=None):
    """Plain variants (no profile use) a uniform build may use on a CPU with features."""
    features = host_features() if features is None else features
    out = [v for v, spec in pgo_build.VARIANTS.items() if not spec[3]]
    for v, spec in pgo_build.HOST_VARIANTS.items():
        if set(spec[4]) <= features:
            out.append(v)
    return out


class Counter:
    """How many builds and runner measurements the search made."""

    def __init__(self):
        self.builds, self.failed, self.runners = 0, 0, 0


def build_keys(keys, counter):
    """keys [(name, variant, setting, profile)]; returns {key: .mod} for those that built,
    logging each refusal (e.g. a flags label too long for the header)."""
    todo = sorted(set(keys))
    built = pgo_build.build_many(todo)
    counter.builds += len(todo)
    out = {}
    for k, p in built.items():
        if isinstance(p, Exception):
            counter.failed += 1
            log(f"{k[0]} {describe(k)}: not built: {str(p).splitlines()[-1]}")
        else:
            out[k] = p
    return out


def describe(key):
    _, variant, setting, profile = key
    return variant + pgo_params.tag(dict(setting)) + ("+profile" if profile else "")


runner_groups = pm.runner_groups


def measure_keys(mods, calls, repeats, tag, counter):
    """{key: .mod} -> {key: (cost, correct)}: each module's candidates interleaved in one
    runner (module docstring); as many runners as the runner's module limit needs."""
    out = {}
    for i, keys in enumerate(pm.runner_groups(mods)):
        prof = pm.host_profile([(k[0], mods[k]) for k in keys], calls, repeats, f"{tag}-{i}")
        counter.runners += 1
        out.update({k: (m["median_cycles"], m["passed"]) for k, m in zip(keys, prof["modules"])})
    return out


def key(name, variant, setting=None, profile=False):
    return (name, variant, pgo_build.freeze(setting), profile)


def sweep(names, variants, calls, repeats, counter):
    """Every module at every uniform flag set: {(name, variant): (cost, correct)}."""
    mods = build_keys([key(n, v) for n in names for v in variants], counter)
    got = measure_keys(mods, calls, repeats, "sweep", counter)
    return {(k[0], k[1]): got.get(k, (0, False)) for k in
            (key(n, v) for n in names for v in variants)}


def better(new, cur):
    """True if measurement new = (cost, correct) beats cur by MIN_GAIN."""
    return new[1] and new[0] > 0 and (not cur[1] or new[0] * (1 + MIN_GAIN) < cur[0])


def descend(names, start, calls, repeats, counter, passes=DESCENT_PASSES, found=None):
    """Coordinate descent over each module's parameters at its flag set.
    start {name: variant}; returns {name: {NAME: value}} (non-default values only). found,
    if given, gets for each module whose setting changed {"setting", "mod": its .mod,
    "cost": its cost, "base": the cost of the setting it replaced, in the same runner}."""
    decls = {n: pgo_params.parse(pgo_build.source_of(n)) for n in names}
    chosen = {n: {} for n in names}
    paths, last = {}, {}
    for sweep_no in range(passes):
        changed = False
        depth = max([len(d) for d in decls.values()] + [0])
        for i in range(depth):
            trials = {}
            for n in names:
                if i >= len(decls[n]):
                    continue
                p, cur = decls[n][i], dict(chosen[n])
                for value in p.values:
                    s = pgo_params.non_default(decls[n], dict(cur, **{p.name: value}))
                    trials.setdefault(n, []).append(key(n, start[n], s))
            mods = build_keys([k for ks in trials.values() for k in ks], counter)
            got = measure_keys(mods, calls, repeats, f"descent{sweep_no}-{i}", counter)
            paths.update(mods)
            for n, ks in trials.items():
                cur_key = key(n, start[n], chosen[n])
                best = cur_key
                for k in ks:
                    if k in got and better(got[k], got.get(best, (0, False))):
                        best = k
                if best != cur_key:
                    log(f"{n}: {describe(cur_key)} -> {describe(best)} "
                        f"({got.get(cur_key, (0,))[0]} -> {got[best][0]} cycles)")
                    chosen[n], changed = dict(best[2]), True
                    last[n] = (got.get(cur_key, (0,))[0], got[best][0])
        if not changed:
            break
    if found is not None:
        for n in names:
            k = key(n, start[n], chosen[n])
            if chosen[n] and k in paths:
                found[n] = {"setting": chosen[n], "mod": paths[k], "cost": last[n][1],
                            "base": last[n][0]}
    return chosen


def ranked_variants(swept, name, variants, first, count):
    """first (the module's flag choice), then its other correct flag sets of the sweep,
    fastest first: at most count."""
    ok = [v for v in variants if v != first and swept.get((name, v), (0, False))[1]
          and swept[(name, v)][0] > 0]
    ok.sort(key=lambda v: (swept[(name, v)][0], variants.index(v)))
    return ([first] + ok)[:count]


def descend_at_flag_sets(names, flags, swept, variants, calls, repeats, counter):
    """Coordinate descent at each module's DESCENT_FLAG_SETS fastest flag sets (modules that
    declare parameters; the others keep their flags and defaults), then each module's
    descended (flags, setting) pairs measured together: the first flag set's pair stays
    unless another beats it by MIN_GAIN. Returns ({name: flag set}, {name: setting})."""
    tuned = [n for n in names if pgo_params.parse(pgo_build.source_of(n))]
    ranked = {n: ranked_variants(swept, n, variants, flags[n], DESCENT_FLAG_SETS)
              for n in tuned}
    pairs = {n: [] for n in names}
    for rank in range(DESCENT_FLAG_SETS):
        at = [n for n in tuned if rank < len(ranked[n])]
        if not at:
            break
        start = {n: ranked[n][rank] for n in at}
        log(f"parameters at each module's flag set number {rank + 1}: "
            + ", ".join(f"{n} {start[n]}" for n in at))
        chosen = descend(at, start, calls, repeats, counter)
        for n in at:
            pairs[n].append(key(n, start[n], chosen[n]))
    out_flags = dict(flags)
    out_settings = {n: {} for n in names}
    contested = [k for n in tuned for k in pairs[n]]
    got = measure_keys(build_keys(contested, counter), calls, repeats, "flag-sets", counter) \
        if any(len(pairs[n]) > 1 for n in tuned) else {}
    for n in tuned:
        best = pairs[n][0]
        for k in pairs[n][1:]:
            if k in got and better(got[k], got.get(best, (0, False))):
                best = k
        if best != pairs[n][0]:
            log(f"{n}: {describe(pairs[n][0])} -> {describe(best)} "
                f"({got.get(pairs[n][0], (0,))[0]} -> {got[best][0]} cycles)")
        out_flags[n], out_settings[n] = best[1], dict(best[2])
    return out_flags, out_settings


def with_profile(names, flags, settings, calls, repeats, workdir, counter):
    """Profile feedback on each module's flags + parameters: the instrumented build with the
    same parameters runs in the host runner, then the profile-use build is measured against
    the build without. Returns {name: True if profile use won}."""
    errors = pm.instr_profiles(names, workdir, calls, settings)
    counter.builds += len(names)
    for n, e in errors.items():
        log(f"{n}: profile feedback unavailable: {e}")
    ok = [n for n in names if n not in errors]
    plain = [key(n, flags[n], settings[n]) for n in ok]
    prof = [key(n, flags[n], settings[n], True) for n in ok]
    mods = build_keys(plain + prof, counter)
    got = measure_keys(mods, calls, repeats, "profile", counter)
    out = {}
    for n, a, b in zip(ok, plain, prof):
        out[n] = b in got and better(got[b], got.get(a, (0, False)))
    return out


def search(names, calls, repeats, workdir, variants=None):
    """The whole offline search; returns a dict with the sweep, the best uniform flag set and
    per module the three choices (flags; flags + params; flags + params + profile) as keys."""
    counter = Counter()
    variants = variants or uniform_variants()
    log(f"uniform sweep: {len(variants)} flag sets x {len(names)} modules")
    swept = sweep(names, variants, calls, repeats, counter)
    uniform, gms = adaptive.best_uniform(swept, names, variants)
    log(f"best uniform build: {uniform} (geometric mean cost "
        + ", ".join(f"{v} {gms[v]:.0f}" for v in variants) + ")")
    flags = {n: adaptive.best_variant(swept, n, variants, MIN_GAIN) for n in names}
    tuned_flags, settings = descend_at_flag_sets(names, flags, swept, variants, calls,
                                                 repeats, counter)
    profile = with_profile(names, tuned_flags, settings, calls, repeats, workdir, counter)
    choice = {n: {"flags": key(n, flags[n]),
                  "params": key(n, tuned_flags[n], settings[n]),
                  "profile": key(n, tuned_flags[n], settings[n], profile.get(n, False))}
              for n in names}
    log(f"{counter.builds} builds ({counter.failed} refused or failed), "
        f"{counter.runners} runner binaries measured")
    return {"sweep": swept, "uniform": uniform, "uniform_geomeans": gms, "choice": choice,
            "builds": counter.builds, "failed": counter.failed, "runners": counter.runners,
            "variants": variants}
