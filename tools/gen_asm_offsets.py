#!/usr/bin/env python3
"""Turn the '->NAME value' markers of boot/asm-offsets.c's assembly into a NASM include.

Usage: gen_asm_offsets.py INPUT.s OUTPUT.inc
A value is an integer or a double-quoted string (DEFINE_STR). Fails (exit 1, with a message)
if no marker is found, so a broken compile can't yield an empty include that assembles into a
boot sector with every offset missing."""
import re
import sys

MARKER = re.compile(r'^\s*\.ascii\s+"->(\w+)\s+(-?\d+|\\"[^"\\%]*\\")"\s*$')


def parse(text):
    """Return [(name, value)] for every marker line in clang's assembly output; a value is an
    int, or a str for a string constant."""
    defs = []
    for m in map(MARKER.match, text.splitlines()):
        if m:
            value = m.group(2)
            defs.append((m.group(1), value[2:-2] if value.startswith("\\") else int(value)))
    return defs


def define(name, value):
    return f'%define {name} "{value}"' if isinstance(value, str) else f"%define {name} {value}"


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: gen_asm_offsets.py INPUT.s OUTPUT.inc")
    with open(argv[1]) as f:
        defs = parse(f.read())
    if not defs:
        sys.exit(f"gen_asm_offsets: no '->NAME value' markers in {argv[1]}")
    names = [name for name, _ in defs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        sys.exit(f"gen_asm_offsets: defined twice in {argv[1]}: {', '.join(twice)}")
    lines = ["; Generated from boot/asm-offsets.c by tools/gen_asm_offsets.py. Do not edit."]
    lines += [define(name, value) for name, value in defs]
    with open(argv[2], "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv)
