#!/usr/bin/env python3
"""`make run` / `make debug`: boot a Fluid image in QEMU with the serial console on this
terminal, and turn the kernel's isa-debug-exit status into an ordinary exit status
(0: the kernel said ok, 1: it reported a failure, anything else: QEMU's own status).

TCG only, unless FLUID_KVM=1 is set: KVM is used only where it is real hardware
virtualisation (see README, "KVM")."""
import argparse
import os
import subprocess
import sys

from fluid.qemu import EXIT_FAILURE, EXIT_SUCCESS

GDB_PORT = 1234


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="fluid.img")
    ap.add_argument("--machine", default="pc")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--x86-64", dest="x86_64", action="store_true")
    ap.add_argument("--interactive", action="store_true", help="wait for a key between stages")
    ap.add_argument("--cmdline", default="", help="kernel options (fw_cfg opt/fluid/cmdline)")
    ap.add_argument("--icount", action="store_true", help="-icount shift=0: count instructions")
    ap.add_argument("--debug", action="store_true", help="halt at start with a gdb stub")
    ap.add_argument("--display", action="store_true", help="show the VGA screen too")
    args = ap.parse_args()

    options = args.cmdline.split()
    if args.interactive:
        options.append("interactive")
    if not any(o.startswith("clock=") for o in options):   # the kernel cannot tell TCG apart
        kvm = os.environ.get("FLUID_KVM") == "1"
        options.append("clock=icount" if args.icount else "clock=hw" if kvm else "clock=tcg")
    system = "qemu-system-x86_64" if args.x86_64 else "qemu-system-i386"
    cmd = [system, "-M", args.machine, "-m", args.memory, "-no-reboot",
           "-drive", f"file={args.image},format=raw",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-serial", "stdio", "-monitor", "none"]
    if not args.display:
        cmd += ["-display", "none"]
    if options:
        cmd += ["-fw_cfg", "name=opt/fluid/cmdline,string=" + " ".join(options)]
    if args.icount:
        cmd += ["-icount", "shift=0"]
    if os.environ.get("FLUID_KVM") == "1":
        cmd += ["-accel", "kvm"]
    if args.debug:
        cmd += ["-S", "-gdb", f"tcp::{GDB_PORT}"]
        print(f"qemu_run: halted; in another terminal run: gdb -x tools/gdbinit", file=sys.stderr)
    print("qemu_run: " + " ".join(cmd), file=sys.stderr)
    status = subprocess.call(cmd)
    if status == EXIT_SUCCESS:
        return 0
    if status == EXIT_FAILURE:
        print("qemu_run: the kernel reported a failure", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
