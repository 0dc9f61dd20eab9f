#!/usr/bin/env python3
"""Fluid's JSON profile (docs/profile-format.md) on the host.

  profile.py capture [--image fluid.img] [--cmdline ...] [--icount] [-o profile.json]
                         boot headless in QEMU (TCG, with a timeout) and save the profile
  profile.py extract LOG OUT.json   cut the profile out of a serial log / hostrun output
  profile.py import LOG OUT.json    a serial log captured on real hardware: the profile, its
                                    clock marked as the hardware TSC (refused if the log shows
                                    a hypervisor), and where it came from
  profile.py show PROFILE.json      table sorted by total cycles, with percentages
  profile.py diff A.json B.json     per-module speedup of B over A and their geometric mean
"""
import argparse
import json
import math
import os
import sys

BEGIN = "=====BEGIN FLUID PROFILE JSON====="     # kernel/bench/profile.h PROFILE_BEGIN
END = "=====END FLUID PROFILE JSON====="
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def capture(args):
    from fluid import qemu     # needs a build: only capture boots
    b = qemu.boot(image=args.image, cmdline=args.cmdline, icount=args.icount,
                  timeout=args.timeout, memory="64M")
    profile = extract(b.log)
    with open(args.output, "w") as f:
        json.dump(profile, f, indent=1)
    show(profile)


HW_UNIT = "CPU cycles (hardware TSC)"     # kernel/bench/profile.c clock_unit("hw")


def import_hardware_log(text, origin):
    """The profile of a real-hardware serial log, its clock named as what it was: there is no
    fw_cfg to pass clock=hw on real hardware, so the kernel reported "unspecified"."""
    profile = extract(text.replace("\r\n", "\n"))
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


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("capture")
    p.add_argument("--image", default=os.path.join(ROOT, "fluid.img"))
    p.add_argument("--cmdline", default=None)
    p.add_argument("--icount", action="store_true")
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("-o", "--output", default="profile.json")
    p = sub.add_parser("extract")
    p.add_argument("log")
    p.add_argument("output")
    p = sub.add_parser("import")
    p.add_argument("log")
    p.add_argument("output")
    p = sub.add_parser("show")
    p.add_argument("profile")
    p = sub.add_parser("diff")
    p.add_argument("a")
    p.add_argument("b")
    args = ap.parse_args()
    try:
        if args.cmd == "capture":
            capture(args)
        elif args.cmd == "extract":
            with open(args.log) as f:
                profile = extract(f.read())
            with open(args.output, "w") as f:
                json.dump(profile, f, indent=1)
        elif args.cmd == "import":
            with open(args.log, errors="replace") as f:
                profile = import_hardware_log(f.read(), os.path.abspath(args.log))
            with open(args.output, "w") as f:
                json.dump(profile, f, indent=1)
            show(profile)
        elif args.cmd == "show":
            show(load(args.profile))
        else:
            diff(load(args.a), load(args.b))
    except ProfileError as e:
        sys.exit(f"profile: {e}")


if __name__ == "__main__":
    main()
