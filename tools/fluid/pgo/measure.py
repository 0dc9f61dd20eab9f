"""Measurements for the PGO loop (docs/pgo.md), each returning Fluid JSON profiles
(docs/profile-format.md) and naming its clock:

  kernel_profile   boot an image under QEMU -icount (guest instructions, deterministic)
  host_profile     a host runner copy (fluid.pgo.build.build_runner) over a list of .mod
                   files: real cycles of the same bytes on this CPU (host-rdtsc)
  log_profile      a serial log captured on real hardware (the kernel's clock there)
  measure_host / measure_icount: the cost of every candidate build of the hot modules,
                   with its correctness, by one of those clocks
  instr_profiles   the instrumented builds run by the host runner, counters -> .profdata

Cost of one module run = its median timed call (docs/profile-format.md median_cycles); a run
counts only if every call returned the registry's answer (passed)."""
import os
import shutil
import subprocess

from fluid import cache as mkcache
from fluid import profiles as fprofile
from fluid import qemu
from fluid.pgo import build as pgo_build
from fluid.pgo import profraw as pgo_profraw

BOOT_MEMORY = "64M"
BOOT_TIMEOUT_S = 180
RUNNER_TIMEOUT_S = 300
RUNNER_MAX_ENTRIES = 64     # the suite's module runs per boot (SUITE_MAX_MODULES, suite.h)
ICOUNT = "icount"
HOST = "host-rdtsc"


class MeasureError(Exception):
    pass


def kernel_profile(image, machine="pc", drives=()):
    """Boot image headless under -icount; returns the profile (all modules must pass)."""
    b = qemu.boot(image=image, machine=machine, memory=BOOT_MEMORY, icount=True,
                  timeout=BOOT_TIMEOUT_S, drives=drives)
    try:
        prof = fprofile.extract(b.log)
    except fprofile.ProfileError as e:
        raise MeasureError(f"boot of {image}: {e} (stopped by {b.stopped_because})\n{b.tail()}")
    prof["_log"] = [l for l in b.log.splitlines() if l.startswith(("cache:", "suite:"))]
    return prof


def log_profile(path):
    with open(path, errors="replace") as f:
        return fprofile.extract(f.read())


def run_runner(exe, calls, env=None):
    p = subprocess.run([exe, "--calls", str(calls)], capture_output=True, text=True,
                       timeout=RUNNER_TIMEOUT_S, env=env)
    try:
        return fprofile.extract(p.stdout)
    except fprofile.ProfileError as e:
        raise MeasureError(f"{exe}: {e}; stderr: {p.stderr.strip()[-400:]}")


def host_profile(entries, calls, repeats, tag):
    """Profiles of a runner over entries [(name, .mod)], repeated; each module record gets
    the lowest median over the repeats (the least disturbed by other processes)."""
    if len(entries) > RUNNER_MAX_ENTRIES:
        raise MeasureError(f"{len(entries)} builds in one host runner; it runs at most "
                           f"{RUNNER_MAX_ENTRIES}")
    exe = pgo_build.build_runner(entries, tag)
    runs = [run_runner(exe, calls) for _ in range(repeats)]
    for r in runs:
        if len(r["modules"]) != len(entries):
            raise MeasureError(f"{exe}: {len(r['modules'])} module records for "
                               f"{len(entries)} builds")
    best = runs[0]
    for i, m in enumerate(best["modules"]):
        others = [r["modules"][i] for r in runs]
        m["median_cycles"] = min(o["median_cycles"] for o in others)
        m["passed"] = all(o["passed"] for o in others)
    return best


def total(prof):
    """The loop's figure: the sum of every module's median call."""
    return sum(m["median_cycles"] for m in prof["modules"])


def runner_groups(keys, limit=RUNNER_MAX_ENTRIES):
    """keys split into runner loads of at most limit entries, never splitting one module's
    candidates (they are compared with each other) unless they alone exceed the limit."""
    by_name = {}
    for k in sorted(keys):
        by_name.setdefault(k[0], []).append(k)
    groups, cur = [], []
    for ks in by_name.values():
        for i in range(0, len(ks), limit):
            part = ks[i:i + limit]
            if len(cur) + len(part) > limit:
                groups.append(cur)
                cur = []
            cur += part
    return groups + ([cur] if cur else [])


def measure_host(cands, calls, repeats):
    """cands {(name, variant): .mod}; returns {(name, variant): (cost, passed)} by host cycles,
    each module's builds side by side in one runner, as many runners as the limit needs."""
    out = {}
    for i, keys in enumerate(runner_groups(cands)):
        prof = host_profile([(n, cands[(n, v)]) for n, v in keys], calls, repeats,
                            f"candidates-{i}")
        out.update({k: (m["median_cycles"], m["passed"]) for k, m in zip(keys, prof["modules"])})
    return out


def measure_icount(cands, image, workdir):
    """The same under -icount: one boot per variant, its builds of the hot modules in the
    cache of a copy of image. A build the kernel did not run from the cache is not counted."""
    out = {}
    copy = os.path.join(workdir, "candidate.img")
    for variant in sorted({v for _, v in cands}):
        mods = {n: p for (n, v), p in cands.items() if v == variant}
        shutil.copyfile(image, copy)
        mkcache.write(copy, list(mods.values()), clear=True)
        by_name = {m["name"]: m for m in kernel_profile(copy)["modules"]}
        for n in mods:
            m = by_name.get(n)
            ok = bool(m and m["passed"] and m["source"] == "cache")
            out[(n, variant)] = (m["median_cycles"] if m else 0, ok)
    return out


def instr_profiles(names, workdir, calls, settings=None):
    """Instrumented builds of names (with parameter settings {name: {NAME: value}}, default
    none) run once by the host runner; writes build/pgo/profdata/<name>[<setting>].profdata.
    Returns {name: error text} for those that failed."""
    built, errors, settings = [], {}, settings or {}
    for n in names:
        try:
            built.append((n,) + pgo_build.build_instrumented(n, settings.get(n)))
        except pgo_build.BuildError as e:
            errors[n] = f"instrumented build failed: {e}"
    if not built:
        return errors
    dump = os.path.join(workdir, "dump")
    shutil.rmtree(dump, ignore_errors=True)
    os.makedirs(dump)
    exe = pgo_build.build_runner([(n, mod) for n, mod, _ in built], "instr")
    prof = run_runner(exe, calls, dict(os.environ, FLUID_PGO_DUMP_DIR=dump))
    os.makedirs(os.path.dirname(pgo_build.profdata_path("x")), exist_ok=True)
    for i, (n, _, elf) in enumerate(built):
        try:
            m = prof["modules"][i]
            if not m["passed"]:
                raise pgo_profraw.ProfrawError(f"the instrumented build did not pass "
                                               f"({m['status']}: {m['error']})")
            with open(os.path.join(dump, f"{i}.img"), "rb") as f:
                raw = pgo_profraw.profraw(elf, f.read())
            raw_path = os.path.join(dump, n + ".profraw")
            with open(raw_path, "wb") as f:
                f.write(raw)
            out = pgo_build.profdata_path(n, settings.get(n))
            pgo_profraw.merge(raw_path, out)
            if pgo_profraw.max_function_count(out) == 0:
                raise pgo_profraw.ProfrawError("the merged profile has no counts")
        except (OSError, pgo_profraw.ProfrawError) as e:
            errors[n] = str(e)
    return errors
