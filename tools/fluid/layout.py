"""Fluid's shared layout constants for the Python tools, read from the generated
build/gen/asm-offsets.inc (itself generated from the C headers in include/fluid/), so the
tools, the boot code and the kernel share one definition."""
import re

DEFINE = re.compile(r'^%define\s+(\w+)\s+(?:(-?\d+)|"([^"]*)")\s*$')


def load(path):
    """Return {NAME: int or str} for every %define in an asm-offsets.inc file."""
    values = {}
    with open(path) as f:
        for line in f:
            m = DEFINE.match(line)
            if m:
                values[m.group(1)] = int(m.group(2)) if m.group(2) else m.group(3)
    if not values:
        raise SystemExit(f"layout: no %define lines in {path}")
    return values
