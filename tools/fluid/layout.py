"""The C constants the host tools share with the boot code and the kernel: struct offsets,
the disk layout, the module format, the module cache's names, the MBR and FAT16 on-disk
formats. boot/asm-offsets.c exports them from the C headers into build/gen/asm-offsets.inc
(NASM %define lines, written by tools/gen_asm_offsets.py); this module reads that file, so
Python never holds a copy of a C number.

    load(path)   the constants of one generated file, as a Layout
    default()    the current build's file: the one named by use() (the --offsets option of
                 the image tools), else $FLUID_ASM_OFFSETS (the Makefile exports it for its
                 BUILD folder), else build/gen/asm-offsets.inc

A Layout is a dict {NAME: int or str}; asking for a name the file lacks raises LayoutError
naming the file, so a tool and boot/asm-offsets.c cannot silently disagree."""
import os
import re

from fluid import ROOT

DEFINE = re.compile(r'^%define\s+(\w+)\s+(?:(-?\d+)|"([^"]*)")\s*$')
DEFAULT_PATH = os.path.join(ROOT, "build", "gen", "asm-offsets.inc")
ENV_PATH = "FLUID_ASM_OFFSETS"


class LayoutError(Exception):
    pass


class Layout(dict):
    """{NAME: value} of one generated file; a missing name is an error, not a KeyError."""

    def __init__(self, values, path):
        super().__init__(values)
        self.path = path

    def __missing__(self, name):
        raise LayoutError(f"{name} is not defined in {self.path} "
                          "(boot/asm-offsets.c exports the C constants the tools use)")

    def prefixed(self, prefix):
        """{rest of the name: value} of every name starting with prefix."""
        return {k[len(prefix):]: v for k, v in self.items() if k.startswith(prefix)}


def load(path):
    """The Layout of an asm-offsets.inc file."""
    values = {}
    try:
        with open(path) as f:
            for line in f:
                m = DEFINE.match(line)
                if m:
                    values[m.group(1)] = int(m.group(2)) if m.group(2) else m.group(3)
    except FileNotFoundError:
        raise LayoutError(f"{path} does not exist: run make (it is generated from "
                          "boot/asm-offsets.c)") from None
    if not values:
        raise LayoutError(f"no %define lines in {path}")
    return Layout(values, path)


_loaded = {}
_chosen = []


def use(path):
    """Make default() read path from now on."""
    _chosen[:] = [path]


def default():
    """The Layout of the current build (read once per path)."""
    path = (_chosen or [os.environ.get(ENV_PATH) or DEFAULT_PATH])[0]
    if path not in _loaded:
        _loaded[path] = load(path)
    return _loaded[path]
