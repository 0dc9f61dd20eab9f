"""Write recompiled modules into a Fluid module cache with mtools only (no mount, no root):
/CACHE/I686/<NAME>.MOD on the image's first FAT16 partition, or on a bare FAT16 volume such
as cache.img (the second disk). tools/mkcache.py is its command line; the PGO loop and the
tests call write() and create().

<NAME> is the module name's first 8 characters in upper case (kernel/bench/cache.h
cache_file_name): the kernel reads 8.3 names only. The directory, the naming rule and the
limits are cache.h's, from the generated layout. Every .mod is checked with fluid.modfmt
before it is written, and two modules that would share a file name are refused, as are files
or more modules than the kernel reads; raw files are written unchecked under a given 8.3 name
(the corruption tests). The manifest (MANIFEST.JSN) records the profile and measurements the
modules were chosen from (docs/pgo.md).

Variants (docs/adaptive.md): write_variants() puts several builds of each module into
/CACHE/I686/<NAME>/V00.MOD, V01.MOD, ... (<NAME> as above, without the extension) and lists
them in the text manifest /CACHE/I686/VARIANTS.TXT (kernel/bench/manifest.h), one line per
variant: module, path, CRC-32 of the file, flags label (the header's short flags)."""
import os
import zlib
import subprocess
import tempfile

from fluid import layout, mbr, modfmt
from fluid.image import FIXED_EPOCH

_L = layout.default()
CACHE_DIR = _L["CACHE_DIR"]
CACHE_BASE_LEN = _L["CACHE_BASE_LEN"]
CACHE_EXT = _L["CACHE_EXT"]
CACHE_MAX_MODULES = _L["CACHE_MAX_MODULES"]
CACHE_MAX_FILE = _L["CACHE_MAX_FILE"]
MANIFEST = "MANIFEST.JSN"
VARIANTS = _L["MANIFEST_FILE"]
VARIANTS_MAGIC = _L["MANIFEST_MAGIC"]
VARIANTS_VERSION = _L["MANIFEST_VERSION"]
VARIANTS_MAX_BYTES = _L["MANIFEST_MAX_BYTES"]
CACHE_MAX_VARIANTS = _L["CACHE_MAX_VARIANTS"]
CACHE_VARIANT_BUDGET = _L["CACHE_VARIANT_BUDGET"]
VARIANT_FILE = "V{:02d}.MOD"            # 8.3 names inside a module's directory
SECTOR = _L["SECTOR_SIZE"]
BS_FILSYSTYPE = slice(0x36, 0x3B)   # fatgen103's "FAT16" label (the kernel does not read it)
CACHE_VOLUME_ID = "464C4343"        # "FLCC": fixed, for reproducible cache.img
CACHE_LABEL = "FLUIDCACHE"
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
    if sector[BS_FILSYSTYPE] == b"FAT16" or not mbr.signed(sector):
        return 0                    # a bare volume's boot sector
    for _, ptype, lba, count in mbr.table(sector):
        if ptype in mbr.fat16_types() and count:
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
    """[(8.3 name, path)] after modfmt's checks; refuses two modules sharing a file name,
    and files or more modules than the kernel's cache reads."""
    if len(paths) > CACHE_MAX_MODULES:
        raise CacheError(f"{len(paths)} modules; the kernel reads at most {CACHE_MAX_MODULES}")
    out, seen = [], {}
    for path in paths:
        with open(path, "rb") as f:
            blob = f.read()
        if len(blob) > CACHE_MAX_FILE:
            raise CacheError(f"{path}: {len(blob)} bytes; the kernel reads cache files of at "
                             f"most {CACHE_MAX_FILE}")
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
            if f.read(SECTOR)[BS_FILSYSTYPE] != b"FAT16":
                raise CacheError(f"mformat did not make a FAT16 volume of {mib} MiB")
        ensure_dir(tmp.name)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, out)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


def variant_dir(module):
    """The directory of a module's variants: 'physics_step' -> 'PHYSICS_'."""
    return module[:CACHE_BASE_LEN].upper()


def manifest_line(module, path, crc, label):
    return f"{module} {path} {crc:08x} {label}"


def plan_variants(paths):
    """[(module, 'DIR/Vnn.MOD', source path, crc, label)] for .mod files in the order given,
    numbered per module; refuses what the kernel would: invalid modules, two modules sharing
    a directory, more variants than it keeps or more bytes than its budget."""
    if len(paths) > CACHE_MAX_VARIANTS:
        raise CacheError(f"{len(paths)} variants; the kernel keeps at most {CACHE_MAX_VARIANTS}")
    out, dirs, counts, total = [], {}, {}, 0
    for path in paths:
        with open(path, "rb") as f:
            blob = f.read()
        if len(blob) > CACHE_MAX_FILE:
            raise CacheError(f"{path}: {len(blob)} bytes; at most {CACHE_MAX_FILE}")
        total += len(blob)
        if total > CACHE_VARIANT_BUDGET:
            raise CacheError(f"{path}: the variants pass the kernel's budget of "
                             f"{CACHE_VARIANT_BUDGET} bytes ({total})")
        try:
            h = modfmt.parse(blob)
        except modfmt.ModError as e:
            raise CacheError(f"{path}: not a valid module: {e}") from e
        name, d = h["name"], variant_dir(h["name"])
        if dirs.setdefault(d, name) != name:
            raise CacheError(f"{path}: module {name} would share {d}/ with {dirs[d]}")
        n = counts.get(name, 0)
        counts[name] = n + 1
        out.append((name, f"{d}/{VARIANT_FILE.format(n)}", path, zlib.crc32(blob),
                    h["cflags"] or "-"))
    return out


def manifest_text(plan):
    lines = ["# Module variants (docs/adaptive.md): module, file, CRC-32, flags label",
             f"{VARIANTS_MAGIC} {VARIANTS_VERSION}"]
    lines += [manifest_line(m, p, crc, label) for m, p, _, crc, label in plan]
    return "\n".join(lines) + "\n"


def write_variants(image, mods, manifest_extra=(), raw_manifest=None):
    """Write .mod files as variants (plan_variants) and the manifest VARIANTS.TXT;
    manifest_extra lines are appended verbatim and raw_manifest (a path) replaces the
    manifest (the tests' bad manifests). Returns the plan."""
    tgt = target(image)
    plan = plan_variants(mods)
    ensure_dir(tgt)
    for d in sorted({p.split("/")[0] for _, p, _, _, _ in plan}):
        if not dir_exists(tgt, f"{CACHE_DIR}/{d}"):
            mtools(["mmd", "-i", tgt, f"::{CACHE_DIR}/{d}"])
    for _, p, src, _, _ in plan:
        copy_in(tgt, src, p)
    text = manifest_text(plan) + "".join(line + "\n" for line in manifest_extra)
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt") as tmp:
        tmp.write(text)
    try:
        copy_in(tgt, raw_manifest or tmp.name, VARIANTS)
    finally:
        os.unlink(tmp.name)
    return plan
