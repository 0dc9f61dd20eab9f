#!/usr/bin/env python3
"""Write recompiled modules into a Fluid module cache with mtools only (no mount, no root).

  mkcache.py write --image fluid.img [--clear] [--manifest M.json] MOD... [--raw FILE=PATH]
        put each .mod into /CACHE/I686/<NAME>.MOD of the image's first FAT16 partition
        (or of a bare FAT16 volume, such as cache.img)
  mkcache.py create --out cache.img [--mib 16] [--manifest M.json] MOD...
        make a bare FAT16 volume holding /CACHE/I686 (the second disk), then write
  mkcache.py list --image IMG        the .MOD files and the manifest

<NAME> is the module name's first 8 characters in upper case (kernel/bench/cache.h
cache_file_name): the kernel reads 8.3 names only. Every .mod is checked with tools/modfmt.py
before it is written, and two modules that would share a file name are refused; --raw writes
bytes unchecked under a given 8.3 name (the corruption tests). The manifest (MANIFEST.JSN)
records the profile and measurements the modules were chosen from (docs/pgo.md)."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

from fluid import modfmt

CACHE_DIR = "/CACHE/I686"           # kernel/bench/cache.h CACHE_DIR
CACHE_BASE_LEN = 8                  # kernel/bench/cache.h CACHE_BASE_LEN
CACHE_EXT = "MOD"
MANIFEST = "MANIFEST.JSN"
SECTOR = 512
MBR_TABLE = 446                     # four 16-byte partition entries, then 0x55AA at 510
MBR_ENTRY = 16
FAT16_TYPES = (0x04, 0x06, 0x0E)    # kernel/fs/mbr.h MBR_TYPE_FAT16*
CACHE_VOLUME_ID = "464C4343"        # "FLCC": fixed, for reproducible cache.img
CACHE_LABEL = "FLUIDCACHE"
FIXED_EPOCH = "1704067200"          # same timestamps as tools/mkimage.py
MIN_CACHE_MIB = 16                  # smaller volumes get too few clusters for FAT16


class CacheError(Exception):
    pass


def file_name(module):
    """The 8.3 name of a module's cache file: 'physics_step' -> 'PHYSICS_.MOD'."""
    return module[:CACHE_BASE_LEN].upper() + "." + CACHE_EXT


def volume_offset(image):
    """Byte offset of the FAT16 volume: the first FAT16 MBR partition, else 0 (bare)."""
    with open(image, "rb") as f:
        sector = f.read(SECTOR)
    if len(sector) < SECTOR:
        raise CacheError(f"{image}: shorter than one sector")
    if sector[0x36:0x3B] == b"FAT16" or sector[510:512] != b"\x55\xaa":
        return 0                    # a bare volume's boot sector (BS_FilSysType)
    for i in range(4):
        entry = sector[MBR_TABLE + i * MBR_ENTRY:MBR_TABLE + (i + 1) * MBR_ENTRY]
        ptype, = struct.unpack_from("<B", entry, 4)
        lba, count = struct.unpack_from("<II", entry, 8)
        if ptype in FAT16_TYPES and count:
            return lba * SECTOR
    return 0


def mtools(argv, ok_codes=(0,)):
    env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH, MTOOLS_SKIP_CHECK="1",
               MTOOLS_NO_VFAT="1")
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    if p.returncode not in ok_codes:
        raise CacheError(f"{' '.join(argv)} failed: {p.stderr.strip() or p.stdout.strip()}")
    return p.stdout


def target(image):
    off = volume_offset(image)
    return f"{image}@@{off}" if off else image


def checked_modules(paths):
    """[(8.3 name, path)] after modfmt's checks; refuses two modules sharing a file name."""
    out, seen = [], {}
    for path in paths:
        with open(path, "rb") as f:
            blob = f.read()
        try:
            h = modfmt.parse(blob)
        except modfmt.ModError as e:
            raise CacheError(f"{path}: not a valid module: {e}") from e
        name = file_name(h["name"])
        if name in seen:
            raise CacheError(f"{path}: module {h['name']} would share {name} with {seen[name]}")
        seen[name] = h["name"]
        out.append((name, path))
    return out


def existing(tgt):
    """8.3 names of the files in CACHE_DIR (empty if the directory is missing)."""
    text = mtools(["mdir", "-b", "-i", tgt, "::" + CACHE_DIR], ok_codes=(0, 1))
    return [os.path.basename(line.strip()).upper() for line in text.splitlines() if line.strip()]


def dir_exists(tgt, path):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(["mdir", "-b", "-i", tgt, "::" + path], capture_output=True,
                          env=env).returncode == 0


def ensure_dir(tgt):
    parts = CACHE_DIR.strip("/").split("/")
    for i in range(1, len(parts) + 1):
        d = "/" + "/".join(parts[:i])
        if not dir_exists(tgt, d):
            mtools(["mmd", "-i", tgt, "::" + d])


def copy_in(tgt, src, name):
    os.utime(src, (int(FIXED_EPOCH), int(FIXED_EPOCH)))
    mtools(["mcopy", "-m", "-o", "-i", tgt, src, f"::{CACHE_DIR}/{name}"])


def write(image, mods, raw=(), manifest=None, clear=False):
    """Write modules (and raw NAME=PATH files) into image's cache; returns the names."""
    tgt = target(image)
    files = checked_modules(mods)
    ensure_dir(tgt)
    if clear:
        for name in existing(tgt):
            if name.endswith("." + CACHE_EXT) or name == MANIFEST:
                mtools(["mdel", "-i", tgt, f"::{CACHE_DIR}/{name}"])
    for name, path in files:
        copy_in(tgt, path, name)
    for spec in raw:
        name, _, path = spec.partition("=")
        if not path:
            raise CacheError(f"--raw wants NAME.MOD=PATH, got {spec!r}")
        copy_in(tgt, path, name.upper())
    if manifest:
        copy_in(tgt, manifest, MANIFEST)
    return [n for n, _ in files]


def create(out, mib):
    """A bare FAT16 volume of mib MiB with an empty CACHE_DIR."""
    if mib < MIN_CACHE_MIB:
        raise CacheError(f"--mib {mib} is too small for FAT16 (at least {MIN_CACHE_MIB})")
    sectors = mib * 1024 * 1024 // SECTOR
    out_dir = os.path.dirname(os.path.abspath(out))
    with tempfile.NamedTemporaryFile(dir=out_dir, delete=False) as tmp:
        tmp.truncate(sectors * SECTOR)
    try:
        mtools(["mformat", "-i", tmp.name, "-T", str(sectors), "-h", "64", "-s", "32",
                "-N", CACHE_VOLUME_ID, "-v", CACHE_LABEL, "::"])
        with open(tmp.name, "rb") as f:
            if f.read(SECTOR)[0x36:0x3B] != b"FAT16":
                raise CacheError(f"mformat did not make a FAT16 volume of {mib} MiB")
        ensure_dir(tmp.name)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, out)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


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
    p.add_argument("--mib", type=int, default=MIN_CACHE_MIB)
    p.add_argument("--manifest")
    p.add_argument("mods", nargs="*")
    p = sub.add_parser("list")
    p.add_argument("--image", required=True)
    args = ap.parse_args()
    try:
        if args.cmd == "write":
            names = write(args.image, args.mods, args.raw, args.manifest, args.clear)
            print(f"mkcache: {args.image}: wrote {len(names) + len(args.raw)} files to {CACHE_DIR}")
        elif args.cmd == "create":
            create(args.out, args.mib)
            write(args.out, args.mods, manifest=args.manifest)
            print(f"mkcache: {args.out}: {len(args.mods)} modules in {CACHE_DIR}")
        else:
            print("\n".join(existing(target(args.image))))
    except (CacheError, OSError) as e:
        sys.exit(f"mkcache: {e}")


if __name__ == "__main__":
    main()
