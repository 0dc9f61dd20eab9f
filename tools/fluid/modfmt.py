#!/usr/bin/env python3
"""The .mod header in Python: the one reader/writer the host tools share with the C struct in
include/fluid/module.h (docs/module-format.md). pack() builds a file, parse() checks one the
way kernel/bench/module_loader.c does and returns its fields, or raises ModError with the same
reason text the kernel prints.

Usage: modfmt.py FILE.mod ...     print each header, or the reason it is rejected"""
import re
import struct
import sys
import zlib

MAGIC = 0x444F4D46                      # "FMOD"
FORMAT_VERSION = 1
HEADER_SIZE = 128
HEADER_CRC_SPAN = 124
NAME_LEN = 24
CFLAGS_LEN = 48
ALIGN_MIN, ALIGN_MAX = 4, 4096
MAX_IMAGE = 4 << 20
MAX_RELOCS = 65536
# <  magic ver hsize name  mver entry code data bss nrel align feat tier bflags res
#    cflags_hash cflags body_crc header_crc
LAYOUT = struct.Struct(f"<IHH{NAME_LEN}sIIIIIIIIBBHI{CFLAGS_LEN}sII")
assert LAYOUT.size == HEADER_SIZE

TIERS = ["O0", "O1", "O2", "O3", "Os", "Oz"]
BUILD_FLAGS = {"sse2": 1 << 0, "pgo-generate": 1 << 1, "pgo-use": 1 << 2, "test-only": 1 << 3}
FEATURES = ["fpu", "tsc", "cmov", "mmx", "sse", "sse2", "sse3", "ssse3", "sse41", "sse42",
            "avx", "avx2"]
NAME_RE = re.compile(r"^[a-z0-9_]{1,%d}$" % (NAME_LEN - 1))

FIELDS = ("magic", "format_version", "header_size", "name", "module_version", "entry",
          "code_size", "data_size", "bss_size", "reloc_count", "align", "required_features",
          "tier", "build_flags", "reserved0", "cflags_hash", "cflags", "body_crc32",
          "header_crc32")


class ModError(Exception):
    """A rejected module; str() is the kernel's diagnostic without the 'module NAME: '."""


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def feature_mask(names):
    mask = 0
    for n in names:
        if n not in FEATURES:
            raise ValueError(f"modfmt: unknown CPU feature {n!r} (known: {', '.join(FEATURES)})")
        mask |= 1 << FEATURES.index(n)
    return mask


def feature_names(mask):
    return [n for i, n in enumerate(FEATURES) if mask & (1 << i)]


def pack(name, code, data, bss_size, relocs, entry, *, module_version=1, align=16,
         features=0, tier=2, build_flags=0, cflags="", cflags_full=None):
    """Return the bytes of a .mod file (header, code, data, relocation table). cflags is
    the short form stored in the header; cflags_full (default: cflags) is hashed."""
    if not NAME_RE.match(name):
        raise ValueError(f"modfmt: bad module name {name!r}")
    body = bytes(code) + bytes(data) + b"".join(struct.pack("<I", r) for r in relocs)
    fields = dict(magic=MAGIC, format_version=FORMAT_VERSION, header_size=HEADER_SIZE,
                  name=name.encode(), module_version=module_version, entry=entry,
                  code_size=len(code), data_size=len(data), bss_size=bss_size,
                  reloc_count=len(relocs), align=align, required_features=features, tier=tier,
                  build_flags=build_flags, reserved0=0, cflags_hash=crc32((cflags if cflags_full is None else cflags_full).encode()),
                  cflags=cflags.encode()[:CFLAGS_LEN - 1], body_crc32=crc32(body),
                  header_crc32=0)
    return seal_header(LAYOUT.pack(*(fields[f] for f in FIELDS))) + body


def seal_header(header):
    """Recompute header_crc32 over the first HEADER_CRC_SPAN bytes."""
    h = bytearray(header[:HEADER_SIZE])
    struct.pack_into("<I", h, HEADER_CRC_SPAN, crc32(bytes(h[:HEADER_CRC_SPAN])))
    return bytes(h)


def raw_fields(blob):
    """Unpack the header without checking anything (for tests that corrupt it)."""
    return dict(zip(FIELDS, LAYOUT.unpack_from(blob)))


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def _check_header(h, file_size):
    """The header rules, in the kernel's order (kernel/bench/module_loader.c)."""
    if h["magic"] != MAGIC:
        raise ModError(f"bad magic (expected 0x{MAGIC:08x}, got 0x{h['magic']:08x})")
    if h["format_version"] != FORMAT_VERSION:
        raise ModError(f"unsupported format version {h['format_version']}")
    if h["header_size"] != HEADER_SIZE:
        raise ModError(f"bad header size {h['header_size']}")
    if not NAME_RE.match(_cstr(h["name"])) or h["name"].rstrip(b"\0").find(b"\0") >= 0:
        raise ModError("bad name")
    if h["reserved0"] != 0 or h["build_flags"] & ~0x0F:
        raise ModError("reserved bits set")
    if h["tier"] >= len(TIERS):
        raise ModError(f"bad tier {h['tier']}")
    a = h["align"]
    if a < ALIGN_MIN or a > ALIGN_MAX or a & (a - 1):
        raise ModError(f"bad alignment {a}")
    if h["required_features"] & ~((1 << len(FEATURES)) - 1):
        raise ModError(f"unknown required features 0x{h['required_features']:x}")
    if h["reloc_count"] > MAX_RELOCS:
        raise ModError(f"too many relocations ({h['reloc_count']})")
    image = h["code_size"] + h["data_size"] + h["bss_size"]
    if image > MAX_IMAGE:
        raise ModError(f"image of {image} bytes exceeds {MAX_IMAGE}")
    want = HEADER_SIZE + h["code_size"] + h["data_size"] + 4 * h["reloc_count"]
    if want != file_size:
        raise ModError(f"sizes add up to {want} bytes, file has {file_size}")
    if h["entry"] >= h["code_size"]:
        raise ModError(f"entry 0x{h['entry']:x} outside code (size 0x{h['code_size']:x})")


def parse(blob, cpu_features=None):
    """Validate a .mod image; return its header as a dict (name and cflags as str, plus
    'relocs'). Raises ModError with the reason, like the kernel's loader."""
    if len(blob) < HEADER_SIZE:
        raise ModError(f"truncated ({len(blob)} bytes, header needs {HEADER_SIZE})")
    h = raw_fields(blob)
    if h["magic"] != MAGIC:
        _check_header(h, len(blob))
    got = crc32(blob[:HEADER_CRC_SPAN])
    if got != h["header_crc32"]:
        raise ModError(f"bad header CRC (expected 0x{h['header_crc32']:08x}, got 0x{got:08x})")
    _check_header(h, len(blob))
    got = crc32(blob[HEADER_SIZE:])
    if got != h["body_crc32"]:
        raise ModError(f"bad CRC (expected 0x{h['body_crc32']:08x}, got 0x{got:08x})")
    start = HEADER_SIZE + h["code_size"] + h["data_size"]
    relocs = list(struct.unpack_from(f"<{h['reloc_count']}I", blob, start))
    limit = h["code_size"] + h["data_size"] - 4
    for r in relocs:
        if r > limit:
            raise ModError(f"relocation at 0x{r:x} outside code and data")
    if cpu_features is not None and h["required_features"] & ~cpu_features:
        missing = h["required_features"] & ~cpu_features
        raise ModError("missing CPU features " + ",".join(feature_names(missing)))
    h = dict(h, name=_cstr(h["name"]), cflags=_cstr(h["cflags"]), relocs=relocs)
    return h


def describe(h):
    return (f"{h['name']} v{h['module_version']}: tier {TIERS[h['tier']]}, "
            f"code {h['code_size']} data {h['data_size']} bss {h['bss_size']} "
            f"relocs {h['reloc_count']} entry 0x{h['entry']:x} align {h['align']}, "
            f"features [{','.join(feature_names(h['required_features']))}], "
            f"cflags \"{h['cflags']}\" (crc 0x{h['cflags_hash']:08x})")


def main(argv):
    status = 0
    for path in argv[1:]:
        with open(path, "rb") as f:
            blob = f.read()
        try:
            print(f"{path}: {describe(parse(blob))}")
        except ModError as e:
            print(f"{path}: rejected: {e}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
