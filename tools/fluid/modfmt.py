"""The .mod header in Python: the one reader/writer the host tools share with the C struct in
include/fluid/module.h (docs/module-format.md). pack() builds a file, parse() checks one the
way kernel/bench/module_loader.c does and returns its fields, or raises ModError with the same
reason text the kernel prints.

Every number of the format (magic, sizes, limits, field offsets, tiers, build flags, CPU
features) comes from module.h through the generated layout (fluid.layout), read on first use:
importing this module needs no build, packing or parsing a module does. The module-level
names MAGIC, HEADER_SIZE, TIERS, FEATURES, BUILD_FLAGS, OFFSETS, ... are those values."""
import functools
import re
import struct
import types
import zlib

from fluid import layout

# Header fields by their C names (struct fluid_mod_header; the offsets are MH_<NAME>).
FIELDS = ("magic", "format_version", "header_size", "name", "module_version", "entry",
          "code_size", "data_size", "bss_size", "reloc_count", "align", "required_features",
          "tier", "build_flags", "reserved0", "cflags_hash", "cflags", "body_crc32",
          "header_crc32")
ARRAYS = {"name": "FLUID_MOD_NAME_LEN", "cflags": "FLUID_MOD_CFLAGS_LEN"}   # char[N] fields
INTEGER_FORMATS = {1: "B", 2: "H", 4: "I"}
# The tools' names of the header's build flags.
BUILD_FLAG_NAMES = {"sse2": "FLUID_BUILD_SSE2_CODEGEN", "pgo-generate": "FLUID_BUILD_PGO_GENERATE",
                    "pgo-use": "FLUID_BUILD_PGO_USE", "test-only": "FLUID_BUILD_TEST_ONLY"}


class ModError(Exception):
    """A rejected module; str() is the kernel's diagnostic without the 'module NAME: '."""


def _header_struct(L):
    """The header as a struct.Struct over FIELDS in offset order, each field as wide as the
    distance to the next; fails if that gives a width no field of the C struct can have."""
    offsets = {f: L["MH_" + f.upper()] for f in FIELDS}
    order = sorted(FIELDS, key=offsets.get)
    ends = [offsets[f] for f in order[1:]] + [L["MH_SIZE"]]
    fmt = "<"
    for field, end in zip(order, ends):
        width = end - offsets[field]
        if field in ARRAYS and width == L[ARRAYS[field]]:
            fmt += f"{width}s"
        elif field not in ARRAYS and width in INTEGER_FORMATS:
            fmt += INTEGER_FORMATS[width]
        else:
            raise layout.LayoutError(f"module header field {field} spans {width} bytes in "
                                     f"{L.path}: a field modfmt does not know?")
    return struct.Struct(fmt), tuple(order), offsets


def _bits(values, known, what):
    """[(name, bit)] sorted by bit; each value one bit and together exactly `known`."""
    pairs = sorted(values.items(), key=lambda kv: kv[1])
    mask = 0
    for name, bit in pairs:
        if bit & (bit - 1) or bit & mask:
            raise layout.LayoutError(f"{what} {name} = 0x{bit:x} is not a bit of its own")
        mask |= bit
    if mask != known:
        raise layout.LayoutError(f"{what} bits 0x{mask:x} differ from the known mask 0x{known:x}")
    return pairs


@functools.lru_cache(maxsize=None)
def spec():
    """The format's constants, from the generated layout."""
    L = layout.default()
    header, order, offsets = _header_struct(L)
    if header.size != L["MH_SIZE"]:
        raise layout.LayoutError(f"module header is {L['MH_SIZE']} bytes, fields {header.size}")
    tiers = sorted(((v, k) for k, v in L.prefixed("FLUID_TIER_").items() if k != "COUNT"))
    if [v for v, _ in tiers] != list(range(L["FLUID_TIER_COUNT"])):
        raise layout.LayoutError(f"FLUID_TIER_* in {L.path} are not 0..FLUID_TIER_COUNT-1")
    features = {k: v for k, v in L.prefixed("FLUID_FEAT_").items() if k != "KNOWN"}
    build_flags = {name: L[c] for name, c in BUILD_FLAG_NAMES.items()}
    _bits(build_flags, L["FLUID_BUILD_KNOWN"], "FLUID_BUILD_*")
    name_len = L["FLUID_MOD_NAME_LEN"]
    return types.SimpleNamespace(
        MAGIC=L["FLUID_MOD_MAGIC"], FORMAT_VERSION=L["FLUID_MOD_FORMAT_VERSION"],
        HEADER_SIZE=L["MH_SIZE"], HEADER_CRC_SPAN=L["FLUID_MOD_HEADER_CRC_SPAN"],
        NAME_LEN=name_len, CFLAGS_LEN=L["FLUID_MOD_CFLAGS_LEN"],
        ALIGN_MIN=L["FLUID_MOD_ALIGN_MIN"], ALIGN_MAX=L["FLUID_MOD_ALIGN_MAX"],
        MAX_IMAGE=L["FLUID_MOD_MAX_IMAGE"], MAX_RELOCS=L["FLUID_MOD_MAX_RELOCS"],
        # "O0".."O3", "Os", "Oz": the clang spelling of FLUID_TIER_O0 ... FLUID_TIER_OZ
        TIERS=[k[0] + k[1:].lower() for _, k in tiers],
        BUILD_FLAGS=build_flags, BUILD_FLAGS_KNOWN=L["FLUID_BUILD_KNOWN"],
        FEATURES=[k.lower() for k, _ in _bits(features, L["FLUID_FEAT_KNOWN"], "FLUID_FEAT_*")],
        LAYOUT=header, ORDER=order, OFFSETS=offsets,
        NAME_RE=re.compile(r"^[a-z0-9_]{1,%d}$" % (name_len - 1)))


def __getattr__(name):
    """MAGIC, HEADER_SIZE, TIERS, ...: the constants of spec(), read on first use."""
    if name.isupper():
        try:
            return getattr(spec(), name)
        except AttributeError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def feature_mask(names):
    features, mask = spec().FEATURES, 0
    for n in names:
        if n not in features:
            raise ValueError(f"modfmt: unknown CPU feature {n!r} (known: {', '.join(features)})")
        mask |= 1 << features.index(n)
    return mask


def feature_names(mask):
    return [n for i, n in enumerate(spec().FEATURES) if mask & (1 << i)]


def pack(name, code, data, bss_size, relocs, entry, *, module_version=1, align=16,
         features=0, tier=2, build_flags=0, cflags="", cflags_full=None):
    """Return the bytes of a .mod file (header, code, data, relocation table). cflags is
    the short form stored in the header; cflags_full (default: cflags) is hashed."""
    s = spec()
    if not s.NAME_RE.match(name):
        raise ValueError(f"modfmt: bad module name {name!r}")
    if len(cflags.encode()) > s.CFLAGS_LEN - 1:
        raise ValueError(f"modfmt: flags label {cflags!r} is {len(cflags.encode())} bytes; the "
                         f"header's cflags field holds {s.CFLAGS_LEN - 1} (never truncated)")
    body = bytes(code) + bytes(data) + b"".join(struct.pack("<I", r) for r in relocs)
    fields = dict(magic=s.MAGIC, format_version=s.FORMAT_VERSION, header_size=s.HEADER_SIZE,
                  name=name.encode(), module_version=module_version, entry=entry,
                  code_size=len(code), data_size=len(data), bss_size=bss_size,
                  reloc_count=len(relocs), align=align, required_features=features, tier=tier,
                  build_flags=build_flags, reserved0=0, cflags_hash=crc32((cflags if cflags_full is None else cflags_full).encode()),
                  cflags=cflags.encode(), body_crc32=crc32(body),
                  header_crc32=0)
    return seal_header(s.LAYOUT.pack(*(fields[f] for f in s.ORDER))) + body


def seal_header(header):
    """Recompute header_crc32 over the first HEADER_CRC_SPAN bytes."""
    s = spec()
    h = bytearray(header[:s.HEADER_SIZE])
    struct.pack_into("<I", h, s.OFFSETS["header_crc32"], crc32(bytes(h[:s.HEADER_CRC_SPAN])))
    return bytes(h)


def raw_fields(blob):
    """Unpack the header without checking anything (for tests that corrupt it)."""
    s = spec()
    return dict(zip(s.ORDER, s.LAYOUT.unpack_from(blob)))


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def _check_header(h, file_size):
    """The header rules, in the kernel's order (kernel/bench/module_loader.c)."""
    s = spec()
    if h["magic"] != s.MAGIC:
        raise ModError(f"bad magic (expected 0x{s.MAGIC:08x}, got 0x{h['magic']:08x})")
    if h["format_version"] != s.FORMAT_VERSION:
        raise ModError(f"unsupported format version {h['format_version']}")
    if h["header_size"] != s.HEADER_SIZE:
        raise ModError(f"bad header size {h['header_size']}")
    if not s.NAME_RE.match(_cstr(h["name"])) or h["name"].rstrip(b"\0").find(b"\0") >= 0:
        raise ModError("bad name")
    if h["reserved0"] != 0 or h["build_flags"] & ~s.BUILD_FLAGS_KNOWN:
        raise ModError("reserved bits set")
    if h["tier"] >= len(s.TIERS):
        raise ModError(f"bad tier {h['tier']}")
    a = h["align"]
    if a < s.ALIGN_MIN or a > s.ALIGN_MAX or a & (a - 1):
        raise ModError(f"bad alignment {a}")
    if h["required_features"] & ~((1 << len(s.FEATURES)) - 1):
        raise ModError(f"unknown required features 0x{h['required_features']:x}")
    if h["reloc_count"] > s.MAX_RELOCS:
        raise ModError(f"too many relocations ({h['reloc_count']})")
    image = h["code_size"] + h["data_size"] + h["bss_size"]
    if image > s.MAX_IMAGE:
        raise ModError(f"image of {image} bytes exceeds {s.MAX_IMAGE}")
    want = s.HEADER_SIZE + h["code_size"] + h["data_size"] + 4 * h["reloc_count"]
    if want != file_size:
        raise ModError(f"sizes add up to {want} bytes, file has {file_size}")
    if h["entry"] >= h["code_size"]:
        raise ModError(f"entry 0x{h['entry']:x} outside code (size 0x{h['code_size']:x})")


def parse(blob, cpu_features=None):
    """Validate a .mod image; return its header as a dict (name and cflags as str, plus
    'relocs'). Raises ModError with the reason, like the kernel's loader."""
    s = spec()
    if len(blob) < s.HEADER_SIZE:
        raise ModError(f"truncated ({len(blob)} bytes, header needs {s.HEADER_SIZE})")
    h = raw_fields(blob)
    if h["magic"] != s.MAGIC:
        _check_header(h, len(blob))
    got = crc32(blob[:s.HEADER_CRC_SPAN])
    if got != h["header_crc32"]:
        raise ModError(f"bad header CRC (expected 0x{h['header_crc32']:08x}, got 0x{got:08x})")
    _check_header(h, len(blob))
    got = crc32(blob[s.HEADER_SIZE:])
    if got != h["body_crc32"]:
        raise ModError(f"bad CRC (expected 0x{h['body_crc32']:08x}, got 0x{got:08x})")
    start = s.HEADER_SIZE + h["code_size"] + h["data_size"]
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
    return (f"{h['name']} v{h['module_version']}: tier {spec().TIERS[h['tier']]}, "
            f"code {h['code_size']} data {h['data_size']} bss {h['bss_size']} "
            f"relocs {h['reloc_count']} entry 0x{h['entry']:x} align {h['align']}, "
            f"features [{','.join(feature_names(h['required_features']))}], "
            f"cflags \"{h['cflags']}\" (crc 0x{h['cflags_hash']:08x})")
