#!/usr/bin/env python3
"""Build-side tool for benchmark modules (docs/module-format.md; the code is fluid.modbuild).

  mkmod.py flags VARIANT          print the clang flags a variant compiles with
  mkmod.py pack --variant V --source SRC.c ELF OUT.mod
                                  turn a module linked by modules/module.ld into a .mod file
  mkmod.py registry --out FILE.c SRC.c=MOD.mod ...
                                  generate the kernel's module registry: the .mod bytes
                                  embedded, with each expected result read from the source

A variant is OPT[-sse2][-pgouse], OPT one of O0 O1 O2 O3 Os Oz (e.g. O2, O3-sse2).
pack refuses (exit 1, with the reason) an ELF the loader could not run: a relocation other than
R_386_32 (absolute, fixed up at load) or R_386_PC32/R_386_PLT32 (module-internal, none needed),
an allocated section the link map does not expect, or sections out of order. pack and registry
read the module format from the build's generated layout (fluid.layout)."""
import argparse
import sys

from fluid import layout, modbuild


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("flags")
    p.add_argument("variant")
    p = sub.add_parser("pack")
    p.add_argument("--variant", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("elf")
    p.add_argument("out")
    p = sub.add_parser("registry")
    p.add_argument("--out", required=True)
    p.add_argument("modules", nargs="*")
    args = ap.parse_args()
    try:
        if args.cmd == "flags":
            print(modbuild.Variant(args.variant).cflags())
        elif args.cmd == "pack":
            modbuild.pack(args.variant, args.source, args.elf, args.out)
        else:
            modbuild.write_registry(args.out, args.modules)
    except layout.LayoutError as e:
        sys.exit(f"mkmod: {e}")


if __name__ == "__main__":
    main()
