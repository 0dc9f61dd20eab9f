#!/usr/bin/env python3
"""Print the header of each .mod file, or the reason the kernel's loader would reject it
(the reader is fluid.modfmt; docs/module-format.md).

Usage: modfmt.py FILE.mod ..."""
import sys

from fluid import layout, modfmt


def main(argv):
    status = 0
    for path in argv[1:]:
        with open(path, "rb") as f:
            blob = f.read()
        try:
            print(f"{path}: {modfmt.describe(modfmt.parse(blob))}")
        except modfmt.ModError as e:
            print(f"{path}: rejected: {e}")
            status = 1
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except layout.LayoutError as e:
        sys.exit(f"modfmt: {e}")
