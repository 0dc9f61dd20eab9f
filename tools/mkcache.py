#!/usr/bin/env python3
"""Write recompiled modules into a Fluid module cache with mtools only (no mount, no root;
the code is fluid.cache).

  mkcache.py write --image fluid.img [--clear] [--manifest M.json] MOD... [--raw FILE=PATH]
        put each .mod into /CACHE/I686/<NAME>.MOD of the image's first FAT16 partition
        (or of a bare FAT16 volume, such as cache.img)
  mkcache.py create --out cache.img [--mib 16] [--manifest M.json] MOD...
        make a bare FAT16 volume holding /CACHE/I686 (the second disk), then write
  mkcache.py variants --image IMG [--extra-line TEXT]... MOD...
        put each .mod into /CACHE/I686/<NAME>/Vnn.MOD (numbered per module in the order
        given) and list them all in /CACHE/I686/VARIANTS.TXT, the kernel's variant manifest
        (docs/adaptive.md); --extra-line appends a line verbatim (the bad-line tests)
  mkcache.py list --image IMG        the .MOD files and the manifest

<NAME> is the module name's first 8 characters in upper case (kernel/bench/cache.h
cache_file_name): the kernel reads 8.3 names only. Every .mod is checked as the kernel's
loader checks it before it is written, and two modules that would share a file name are
refused; --raw writes bytes unchecked under a given 8.3 name (the corruption tests). The
manifest (MANIFEST.JSN) records the profile and measurements the modules were chosen from
(docs/pgo.md)."""
import argparse
import sys

from fluid import cache


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("write")
    p.add_argument("--image", required=True)
    p.add_argument("--clear", action="store_true", help="delete old .MOD files first")
    p.add_argument("--manifest")
    p.add_argument("--raw", action="append", default=[])
    p.add_argument("mods", nargs="*")
    p = sub.add_parser("create")
    p.add_argument("--out", required=True)
    p.add_argument("--mib", type=int, default=cache.MIN_CACHE_MIB)
    p.add_argument("--manifest")
    p.add_argument("mods", nargs="*")
    p = sub.add_parser("variants")
    p.add_argument("--image", required=True)
    p.add_argument("--extra-line", action="append", default=[])
    p.add_argument("mods", nargs="+")
    p = sub.add_parser("list")
    p.add_argument("--image", required=True)
    args = ap.parse_args()
    try:
        if args.cmd == "write":
            names = cache.write(args.image, args.mods, args.raw, args.manifest, args.clear)
            print(f"mkcache: {args.image}: wrote {len(names) + len(args.raw)} files to "
                  f"{cache.CACHE_DIR}")
        elif args.cmd == "create":
            cache.create(args.out, args.mib)
            cache.write(args.out, args.mods, manifest=args.manifest)
            print(f"mkcache: {args.out}: {len(args.mods)} modules in {cache.CACHE_DIR}")
        elif args.cmd == "variants":
            plan = cache.write_variants(args.image, args.mods, args.extra_line)
            for module, path, _, crc, label in plan:
                print(f"mkcache: {args.image}: {cache.CACHE_DIR}/{path}: {module} "
                      f"crc32 {crc:08x} \"{label}\"")
        else:
            print("\n".join(cache.existing(cache.target(args.image))))
    except (cache.CacheError, OSError) as e:
        sys.exit(f"mkcache: {e}")


if __name__ == "__main__":
    main()
