"""Fluid's JSON profile (docs/profile-format.md) on the host: cut out of a serial log or the
host runner's output, imported from real hardware, shown as a table, compared, captured from
a headless QEMU boot. tools/fluid_profile.py is its command line.

BEGIN and END are kernel/bench/profile.h's PROFILE_BEGIN and PROFILE_END, kept here so that
reading a log needs no build; a test compares them with the generated layout."""
import json
import math
import os
import sys

BEGIN = "=====BEGIN FLUID PROFILE JSON====="
END = "=====END FLUID PROFILE JSON====="
HW_UNIT = "CPU cycles (hardware TSC)"     # kernel/bench/profile.c clock_unit("hw")
CAPTURE_MEMORY = "64M"


class ProfileError(Exception):
    pass


def extract(text):
    """Return the profile dict from text holding exactly one BEGIN/END pair."""
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ProfileError(f"expected one profile between markers, found {text.count(BEGIN)} "
                           f"begin and {text.count(END)} end markers")
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    try:
        return json.loads(body)
    except json.JSONDecodeError as e:
        raise ProfileError(f"profile is not valid JSON: {e}") from e


def load(path):
    with open(path) as f:
        text = f.read()
    return extract(text) if BEGIN in text else json.loads(text)


def show(profile, out=sys.stdout):
    mods = sorted(profile["modules"], key=lambda m: m["total_cycles"], reverse=True)
    grand = sum(m["total_cycles"] for m in mods) or 1
    clock = profile["clock"]
    out.write(f"runner {profile['runner']}  build {profile['build_id']}  clock {clock['source']}"
              f"{' (' + clock['unit'] + ')' if 'unit' in clock else ''}"
              f"  tsc {clock['tsc_hz']} Hz  cpu {profile['cpu']['brand'] or profile['cpu']['vendor']}\n")
    out.write(f"{'module':<16}{'tier':>5}{'calls':>6}{'total':>13}{'%':>7}{'median':>11}"
              f"{'min':>11}{'max':>11}  status\n")
    for m in mods:
        out.write(f"{m['name']:<16}{m['tier']:>5}{m['calls']:>6}{m['total_cycles']:>13}"
                  f"{100.0 * m['total_cycles'] / grand:>6.1f}%{m['median_cycles']:>11}"
                  f"{m['min_cycles']:>11}{m['max_cycles']:>11}  {m['status']}"
                  f"{'' if m['passed'] else ' FAILED'}\n")
    s = profile["summary"]
    out.write(f"{s['modules']} modules, {s['passed']} passed, {s['failed']} failed, "
              f"{s['total_cycles']} cycles\n")
    for m in mods:
        if "adaptive" in m:
            show_adaptive(m["name"], m["adaptive"], out)


def show_adaptive(name, ad, out=sys.stdout):
    """A module's adaptive run (format 2.2 and later, docs/adaptive.md): its candidates and the slot's
    history."""
    # The run's clock holds the planner and the kernel's cost of every call; profiles before
    # run_cycles (format 2.3's suite.seconds work) only have the calls' own cycles.
    spent = ad.get("run_cycles") or ad["planner_cycles"] + ad["call_cycles"]
    share = 100.0 * ad["planner_cycles"] / spent if spent else 0.0
    out.write(f"\n{name}: {ad['calls']} calls, variant {ad['current']} in the slot, "
              f"{ad['measurements']} measurements ({ad['planner_calls']} calls, "
              f"{ad['planner_cycles']} cycles, {share:.1f}% of the run), {ad['reruns']} "
              f"re-runs, {ad['swaps']} swaps\n")
    for v in ad["variants"]:
        state = ("demoted: " + v["demoted_for"]) if v["demoted"] else \
                "in the slot" if v["index"] == ad["current"] else \
                "candidate" if v["placed"] else "not placed"
        out.write(f"  {v['index']:>2} {v['source']:<9}{v['label']:<34}"
                  f"{v['median_cycles']:>11}  {state}\n")
    for r in ad.get("retired", []):     # format 2.4: candidates that left for newcomers
        why = ("demoted: " + r["demoted_for"]) if r["demoted_for"] else "lost"
        out.write(f"  retired at call {r['call']} from entry {r['index']}: {r['source']:<9}"
                  f"{r['label']:<34}{r['median_cycles']:>11}  {why}\n")
    for h in ad["history"]:
        if h["reason"] == "retired":
            out.write(f"  call {h['call']:>8}: {h['from']} retired (the slot on {h['to']})\n")
            continue
        out.write(f"  call {h['call']:>8}: {h['from']} -> {h['to']}  {h['reason']:<13}"
                  f"medians {h['from_median_cycles']} -> {h['to_median_cycles']}\n")
    if ad["history_dropped"]:
        out.write(f"  ({ad['history_dropped']} later changes not kept)\n")


def diff(a, b, out=sys.stdout):
    """Speedup per module = median(A) / median(B); returns the geometric mean."""
    old = {m["name"]: m for m in a["modules"]}
    ratios = []
    out.write(f"{'module':<16}{'A median':>12}{'B median':>12}{'speedup':>9}\n")
    for m in sorted(b["modules"], key=lambda m: m["name"]):
        o = old.get(m["name"])
        if not o or not o["median_cycles"] or not m["median_cycles"]:
            out.write(f"{m['name']:<16}{'-':>12}{m['median_cycles']:>12}{'n/a':>9}\n")
            continue
        r = o["median_cycles"] / m["median_cycles"]
        ratios.append(r)
        out.write(f"{m['name']:<16}{o['median_cycles']:>12}{m['median_cycles']:>12}{r:>8.3f}x\n")
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else float("nan")
    out.write(f"geometric mean speedup: {gm:.3f}x over {len(ratios)} modules\n")
    return gm


def capture(image, output, cmdline=None, icount=False, timeout=120, out=sys.stdout):
    """Boot image headless in QEMU, save its profile to output and show it."""
    from fluid import qemu     # needs a build: only capture boots
    b = qemu.boot(image=image, cmdline=cmdline, icount=icount, timeout=timeout,
                  memory=CAPTURE_MEMORY)
    profile = extract(b.log)
    with open(output, "w") as f:
        json.dump(profile, f, indent=1)
    show(profile, out)


def import_hardware_log(text, origin):
    """The profile of a real-hardware serial log, its clock named as what it was: there is no
    fw_cfg to pass clock=hw on real hardware, so the kernel reported "unspecified"."""
    return as_hardware(extract(text.replace("\r\n", "\n")), origin)


def from_disk(path, kind="suite"):
    """The newest document the kernels saved to a /PROFILE ring of an image file or a block
    device (a stick from a real machine). A suite profile made on real hardware gets its clock
    named as there (as_hardware); one made under QEMU, and an LLM summary, are returned as
    they are, with where they came from."""
    from fluid import profile_store
    try:
        profile, where = profile_store.newest(path, kind)
    except profile_store.StoreError as e:
        raise ProfileError(str(e))
    origin = f"{os.path.abspath(path)}:{where}"
    if kind != "suite" or profile.get("cpu", {}).get("hypervisor"):
        profile["imported_from"] = origin
        return profile
    return as_hardware(profile, origin)


def as_hardware(profile, origin):
    """A kernel profile made on real hardware, its clock marked as the hardware TSC (refused
    if it shows a hypervisor or a QEMU clock mode), and where it came from."""
    if profile.get("runner", "").startswith("hostrun"):
        raise ProfileError("this is a host-runner profile, not a kernel serial log")
    hypervisor = profile.get("cpu", {}).get("hypervisor", "")
    if hypervisor:
        raise ProfileError(f"the log was made under a hypervisor ({hypervisor!r}), "
                           "not on real hardware: use extract")
    clock = profile["clock"]
    if clock["source"] not in ("unspecified", "hw"):
        raise ProfileError(f"the kernel ran with clock={clock['source']}, not on real hardware")
    clock.update(reported_source=clock["source"], source="hw", unit=HW_UNIT, is_cycles=True)
    profile["imported_from"] = origin
    return profile
