"""`make bench-live` (docs/live.md, "Convergence"): does the live loop, in one boot, end where
the offline loop ends?

1. One boot under QEMU -icount (plain TCG with icount=False) with only the chosen modules,
   each running `seconds` of the calibrated TSC (suite.seconds), served by the pgo-live loop
   (fluid.pgo.live.run_loop): its mid-run PROFILE frames start the live search, whose builds
   the in-boot planner measures and adopts while the module runs. Every call's answer is checked throughout: the profile's
   answers_checked must equal the suite's calls plus the planner's, with no wrong answer.
2. The offline search (fluid.pgo.search, as bench-adaptive runs it) over the same modules,
   restricted to the flag sets the kernel's CPU (HELLO) can run, in the host runner.
3. One final interleaved measurement in the host runner (host-rdtsc cycles, this machine):
   per module the -O2 build, the offline search's choice, and the build the module finished
   on in the boot (the bytes the host sent, found by the CRC-32 the profile gives, or the
   embedded -O2 build if the slot stayed there). The ratio is live cost / offline cost, its
   geometric mean over the modules the last line:
     bench-live: live/offline X.XXXx (geometric mean over N modules, host-rdtsc cycles) ...

The in-boot planner measured with the TCG clock under -icount: guest instructions, not time.
It therefore picks the build with the fewest instructions per call, which the host's cycles
may not rank the same way; the ratio measures exactly that gap plus the smaller search."""
import json
import math
import os

from fluid import ROOT
from fluid import profiles as fprofile
from fluid import qemu
from fluid.pgo import adaptive
from fluid.pgo import build as pgo_build
from fluid.pgo import live
from fluid.pgo import measure as pm
from fluid.pgo import search

TARGET = 1.02               # "within 2%"
FINAL_REPEATS, FINAL_CALLS = 9, 8
BOOT_MEMORY = "64M"
LINGER_MS = 10000
BOOT_SLACK_S = 600          # QEMU's timeout beyond the modules' guest seconds


def log(msg):
    print(f"bench-live: {msg}", flush=True)


def fluid_features(hello):
    """The FLUID_FEAT names (fluid.pgo.search) of the CPU a HELLO reports."""
    have = set(hello.get("features", []))
    names = {k: k for k in ("fpu", "tsc", "cmov", "mmx", "sse", "sse2", "sse3", "ssse3")}
    names.update({"sse4_1": "sse41", "sse4_2": "sse42"})
    if not hello.get("sse_enabled"):
        have -= {"sse", "sse2", "sse3", "ssse3", "sse4_1", "sse4_2"}
    return {names[k] for k in have if k in names}


def checked(m):
    """(calls checked, planner calls, wrong answers) of a module's adaptive run; raises if
    an answer went unchecked or the module failed."""
    ad = m.get("adaptive")
    if not m["passed"] or not ad:
        raise RuntimeError(f"{m['name']}: {m['status']}: {m['error']}")
    if ad["answers_checked"] != ad["calls"] + ad["planner_calls"] or ad["wrong_answers"]:
        raise RuntimeError(f"{m['name']}: {ad['answers_checked']} answers checked for "
                           f"{ad['calls']} + {ad['planner_calls']} calls, "
                           f"{ad['wrong_answers']} wrong")
    return ad["answers_checked"], ad["planner_calls"], ad["wrong_answers"]


def finished_on(m, plan):
    """(.mod path, label, how) of the build module m finished on in the boot."""
    ad = m["adaptive"]
    cur = ad["variants"][ad["current"]]
    if cur["source"] != "offer":
        return (os.path.join(ROOT, "build", "modules", "O2", m["name"] + ".mod"), cur["label"],
                "the embedded build")
    crc = int(cur["crc32"], 16)
    for s in (plan.sent if plan else []):
        if s.crc == crc and s.label == cur["label"]:
            return s.path, s.label, f"sent as seq {s.seq}"
    raise RuntimeError(f"{m['name']}: finished on an offer (CRC-32 {cur['crc32']}, "
                       f"\"{cur['label']}\") the host did not send")


def live_boot(names, seconds, icount):
    """The boot with the live loop; returns (the loop's result, {name: module record},
    the profile)."""
    # No profile feedback in the live builds: the profiles under build/pgo are what earlier
    # searches left (the offline step below writes them), so with them one run would differ
    # from the next.
    res = live.run_loop(hot=0, linger_ms=LINGER_MS, log=print,
                        timeout=BOOT_SLACK_S + len(names) * seconds * 10,
                        cmdline=f"suite.modules={','.join(names)} suite.seconds={seconds}",
                        icount=icount, memory=BOOT_MEMORY, use_profile=False)
    b = res.boot
    if b.status != qemu.EXIT_SUCCESS:
        raise RuntimeError(f"the boot ended with {b.status} ({b.stopped_because}); log: "
                           f"{qemu.save_log('bench-live', b)}")
    qemu.json_lines_strict(b.log)
    prof = fprofile.extract(b.log)
    return res, {m["name"]: m for m in prof["modules"]}, prof


def run(work, names, seconds, icount=True):
    """The benchmark; icount False boots under plain TCG, where the guest's TSC follows the
    host's clock through the emulator (see the module docstring)."""
    os.makedirs(work, exist_ok=True)
    inboot = ("QEMU -icount shift=0 (guest instructions, 1 per ns: not time)" if icount else
              "plain TCG (the guest's TSC follows the host's clock; each guest instruction "
              "costs its translation's host time, memory accesses the host's caches)")
    log(f"clocks: the in-boot planner measures under {inboot}; the comparison is in the host "
        "runner (host-rdtsc cycles, real time on this CPU), on a machine shared with other "
        "processes: interleaved, repeated, lowest median counts")
    log(f"1. one boot: {', '.join(names)}, {seconds} s each (suite.seconds), pgo-live serving "
        "each module while it runs")
    res, mods, prof = live_boot(names, seconds, icount)
    hello = res.search.hello
    total = planner = 0
    for n in names:
        c, p, _ = checked(mods[n])
        total, planner = total + c, planner + p
    log(f"every call's answer checked: {total} answers ({total - planner} suite calls, "
        f"{planner} planner calls), 0 wrong")
    live_final = {n: finished_on(mods[n], res.search.plan(n)) for n in names}
    variants = search.uniform_variants(fluid_features(hello))
    log(f"2. the offline search over the same modules, flag sets this CPU runs: "
        f"{', '.join(variants)}")
    off = search.search(names, adaptive.SEARCH_CALLS, adaptive.SEARCH_REPEATS, work, variants)
    counter = search.Counter()
    keys = {n: off["choice"][n]["profile"] for n in names}
    o2 = {n: search.key(n, pgo_build.BASELINE) for n in names}
    built = search.build_keys(list(keys.values()) + list(o2.values()), counter)
    entries = []
    for n in names:
        entries += [(n, built[o2[n]]), (n, built[keys[n]]), (n, live_final[n][0])]
    log(f"3. final: {len(entries)} builds in one host runner, lowest median of "
        f"{FINAL_REPEATS} interleaved runs of {FINAL_CALLS} calls")
    final = pm.host_profile(entries, FINAL_CALLS, FINAL_REPEATS, "bench-live")
    rows, ratios = [], []
    for i, n in enumerate(names):
        a, o, l = final["modules"][3 * i:3 * i + 3]
        if not (a["passed"] and o["passed"] and l["passed"]):
            raise RuntimeError(f"{n}: a wrong answer in the final runner")
        r = l["median_cycles"] / o["median_cycles"]
        ratios.append(r)
        plan = res.search.plan(n)
        sent = len([s for s in plan.sent if s.answer != "unbuilt"]) if plan else 0
        rows.append({"module": n, "o2": a["median_cycles"], "offline": o["median_cycles"],
                     "offline_build": search.describe(keys[n]), "live": l["median_cycles"],
                     "live_build": live_final[n][1], "live_from": live_final[n][2],
                     "live_over_offline": r,
                     "in_boot": {"calls": mods[n]["adaptive"]["calls"],
                                 "builds_sent": sent,
                                 "retirements": mods[n]["adaptive"].get("retirements", 0),
                                 "history": mods[n]["adaptive"]["history"]}})
    print(f"{'module':<12}{'-O2':>10}{'offline':>10}{'live':>10}{'live/off':>10}"
          f"{'sent':>6}{'retired':>8}  offline build | live build")
    for r in rows:
        print(f"{r['module']:<12}{r['o2']:>10}{r['offline']:>10}{r['live']:>10}"
              f"{r['live_over_offline']:>10.3f}{r['in_boot']['builds_sent']:>6}"
              f"{r['in_boot']['retirements']:>8}  {r['offline_build']} | {r['live_build']} "
              f"({r['live_from']})")
    gm = math.exp(sum(map(math.log, ratios)) / len(ratios))
    out = {"clock": "host-rdtsc", "in_boot_clock": prof["clock"]["source"], "seconds": seconds,
           "modules": rows, "live_over_offline": gm, "answers_checked": total}
    with open(os.path.join(work, "bench-live.json"), "w") as f:
        json.dump(out, f, indent=1)
    log(f"written: {work}/bench-live.json")
    log(f"live/offline {gm:.3f}x (geometric mean over {len(names)} modules, host-rdtsc "
        f"cycles; the in-boot choice by {prof['clock']['source']}); within 2%: "
        f"{'yes' if gm <= TARGET else 'no'}")
    return out
