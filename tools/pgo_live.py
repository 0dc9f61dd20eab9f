#!/usr/bin/env python3
"""The live loop's host (docs/live.md), behind `make pgo-live`: boots the image in QEMU with
COM2 on a unix socket, reads the kernel's HELLO (CPU signature, features, build id) and its
PROFILE frames, builds the hottest modules for that CPU with clang (O3, SSE2 and the SSE
levels above it the CPU reports, the instrumented profile of build/pgo/profdata when one
exists), sends each as a VARIANT frame while the kernel listens (live.linger), logs every
ACK or NAK with its reason, and says BYE.

With --seconds S (or --calls N) the suite runs long (suite.seconds, suite.calls; --modules
picks the modules) and each module is served while it runs: its mid-run PROFILE frames start
the live search (flag sets, then each parameter's values at the winning flags).

--bench runs `make bench-live` instead (fluid.pgo.bench_live): one long boot served by the
live loop, the offline search over the same modules, and the two loops' final builds timed
side by side in the host runner.

usage: pgo_live.py [--image IMG] [--hot N] [--linger-ms MS] [--timeout S] [--seconds S]
                   [--calls N] [--modules a,b] [--icount] [--bench WORKDIR]
Exit status 0 when every variant sent was ACKed, 1 otherwise (said why)."""
import argparse
import sys

from fluid import qemu
from fluid.pgo import bench_live
from fluid.pgo import build as pgo_build
from fluid.pgo import live

DEFAULT_HOT = 2
DEFAULT_LINGER_MS = 120000      # time the kernel waits after its suite for the variants
DEFAULT_TIMEOUT_S = 600
BENCH_MODULES = "gemm_tile,sha256,quicksort,sum"
BENCH_SECONDS = 10


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default=qemu.IMAGE)
    ap.add_argument("--hot", type=int, default=DEFAULT_HOT, help="modules to rebuild")
    ap.add_argument("--linger-ms", type=int, default=DEFAULT_LINGER_MS)
    ap.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S, help="QEMU's, seconds")
    ap.add_argument("--seconds", type=int, help="suite.seconds: each module runs S seconds")
    ap.add_argument("--calls", type=int, help="suite.calls: each module runs N calls")
    ap.add_argument("--modules", help="suite.modules: only these modules run")
    ap.add_argument("--icount", action="store_true", help="QEMU -icount shift=0")
    ap.add_argument("--bench", metavar="WORKDIR", help="bench-live into WORKDIR (--modules, "
                    "--seconds, --icount for the in-boot clock)")
    a = ap.parse_args()
    if a.bench:
        try:
            bench_live.run(a.bench, (a.modules or BENCH_MODULES).split(","),
                           a.seconds or BENCH_SECONDS, icount=a.icount)
        except (RuntimeError, pgo_build.BuildError, OSError) as e:
            sys.exit(f"bench-live: {e}")
        return 0
    opts = [f"suite.seconds={a.seconds}" if a.seconds else "",
            f"suite.calls={a.calls}" if a.calls else "",
            f"suite.modules={a.modules}" if a.modules else ""]
    try:
        res = live.run_loop(image=a.image, hot=a.hot, linger_ms=a.linger_ms,
                            timeout=a.timeout, log=lambda m: print(m, flush=True),
                            cmdline=" ".join(o for o in opts if o) or None, icount=a.icount,
                            memory="64M")
    except (RuntimeError, pgo_build.BuildError, OSError) as e:
        sys.exit(f"pgo-live: {e}")
    acks, naks, boot = res.acks, res.naks, res.boot
    for line in boot.lines("live:"):
        print(f"pgo-live: kernel said: {line}")
    print(f"pgo-live: {len(acks)} ACKed, {len(naks)} refused; QEMU "
          f"{'exited with ' + str(boot.status) if boot.status is not None else 'was stopped: ' + boot.stopped_because}")
    return 0 if acks and not naks else 1


if __name__ == "__main__":
    sys.exit(main())
