#!/usr/bin/env python3
"""Fluid's JSON profile (docs/profile-format.md) on the host (the code is fluid.profiles).

  fluid_profile.py capture [--image fluid.img] [--cmdline ...] [--icount] [-o profile.json]
                         boot headless in QEMU (TCG, with a timeout) and save the profile
  fluid_profile.py extract LOG OUT.json   cut the profile out of a serial log / hostrun output
  fluid_profile.py import LOG OUT.json    a serial log captured on real hardware: the profile,
                                    its clock marked as the hardware TSC (refused if the log
                                    shows a hypervisor), and where it came from
  fluid_profile.py read-disk [--llm] IMAGE_OR_DEVICE OUT.json
                                    the newest profile the kernel saved to the stick's
                                    /PROFILE ring (an image file, or the stick itself, e.g.
                                    /dev/sdb); from real hardware its clock is marked as above;
                                    --llm: the x86-64 kernel's newest generation summary
  fluid_profile.py show PROFILE.json      table sorted by total cycles, with percentages
  fluid_profile.py diff A.json B.json     per-module speedup of B over A and their geometric mean
"""
import argparse
import json
import os
import sys

from fluid import ROOT
from fluid.profiles import (ProfileError, capture, diff, extract, from_disk,
                            import_hardware_log, load, show)


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
    p = sub.add_parser("read-disk")
    p.add_argument("--llm", action="store_true")
    p.add_argument("disk")
    p.add_argument("output")
    p = sub.add_parser("show")
    p.add_argument("profile")
    p = sub.add_parser("diff")
    p.add_argument("a")
    p.add_argument("b")
    args = ap.parse_args()
    try:
        if args.cmd == "capture":
            capture(args.image, args.output, args.cmdline, args.icount, args.timeout)
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
        elif args.cmd == "read-disk":
            profile = from_disk(args.disk, "llm" if args.llm else "suite")
            with open(args.output, "w") as f:
                json.dump(profile, f, indent=1)
            print(f"profile: {profile['imported_from']}")
            if not args.llm:
                show(profile)
        elif args.cmd == "show":
            show(load(args.profile))
        else:
            diff(load(args.a), load(args.b))
    except ProfileError as e:
        sys.exit(f"profile: {e}")


if __name__ == "__main__":
    main()
