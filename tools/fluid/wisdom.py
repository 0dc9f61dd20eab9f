"""Planner wisdom (docs/adaptive.md, kernel/bench/wisdom.h): the planner's decisions in one
preallocated file on the FAT16 partition, /WISDOM/I686.WIS, read and written with mtools only
(no mount, no root), so the host loop can read what the kernel decided and write decisions of
its own. The format and its limits are wisdom.h's, from the generated layout:

    FLUID-WISDOM 1 bytes=0000000123 crc32=1a2b3c4d      (a 64-byte header line)
    cpu GenuineIntel 6 6 3 0000001f                     (vendor family model stepping features)
    module sum 2 3 a4077c49:f3fff6e8,...                (chosen, count, file CRC:flags hash)

then newlines to the end of the file."""
import os
import re
import subprocess
import tempfile
import zlib

from fluid import layout, modfmt
from fluid.image import FIXED_EPOCH

_L = layout.default()
WISDOM_DIR = _L["WISDOM_DIR"]
WISDOM_PATH = _L["WISDOM_PATH"]
FILE_BYTES = _L["WISDOM_FILE_BYTES"]
HEADER_BYTES = _L["WISDOM_HEADER_BYTES"]
MAGIC = _L["WISDOM_MAGIC"]
VERSION = _L["WISDOM_VERSION"]
MAX_MODULES = _L["WISDOM_MAX_MODULES"]
_DEC = r"\d{1,10}"                  # as the kernel's dec32: at most ten digits, below 2^32
_HEX = r"[0-9a-f]{8}"
# the vendor is printable ASCII, as CPUID gives it
_CPU = re.compile(rf"[\x21-\x7e]{{1,{_L['WISDOM_VENDOR_LEN']}}} ({_DEC}) ({_DEC}) ({_DEC}) {_HEX}")
_MODULE = re.compile(rf"([a-z0-9_]{{1,{_L['FLUID_MOD_NAME_LEN'] - 1}}}) ({_DEC}) ({_DEC}) "
                     rf"({_HEX}:{_HEX}(?:,{_HEX}:{_HEX})*)")
MAX_CANDIDATES = _L["PLANNER_MAX_CANDIDATES"]
MAX_LINE = _L["WISDOM_MAX_LINE"]
_HEADER = re.compile(rf"{MAGIC} {VERSION} bytes=(\d{{10}}) crc32=([0-9a-f]{{8}}) *\n")


class WisdomError(Exception):
    pass


def key_of(blob):
    """A candidate's key: (CRC-32 of the whole .mod file, its header's cflags_hash)."""
    return zlib.crc32(blob), modfmt.parse(blob)["cflags_hash"]


def empty():
    """The file as the image tools preallocate it: never written."""
    return b"\n" * FILE_BYTES


def format_wisdom(cpu, modules):
    """cpu: dict(vendor, family, model, stepping, features); modules: [dict(module, chosen,
    keys=[(file_crc, flags_hash), ...])]. Returns the file's FILE_BYTES bytes."""
    if len(modules) > MAX_MODULES:
        raise WisdomError(f"{len(modules)} modules; at most {MAX_MODULES}")
    lines = [f"cpu {cpu['vendor']} {cpu['family']} {cpu['model']} {cpu['stepping']} "
             f"{cpu['features']:08x}"]
    for m in modules:
        keys = ",".join(f"{c:08x}:{h:08x}" for c, h in m["keys"])
        lines.append(f"module {m['module']} {m['chosen']} {len(m['keys'])} {keys}")
    body = ("\n".join(lines) + "\n").encode()
    if HEADER_BYTES + len(body) > FILE_BYTES:
        raise WisdomError(f"{len(body)} bytes do not fit the {FILE_BYTES}-byte file")
    head = f"{MAGIC} {VERSION} bytes={len(body):010d} crc32={zlib.crc32(body):08x}"
    head = head.ljust(HEADER_BYTES - 1).encode() + b"\n"
    return head + body + b"\n" * (FILE_BYTES - HEADER_BYTES - len(body))


def _fits(*texts):
    """Every decimal field below 2^32, as the kernel's reader requires."""
    return all(int(t) <= 0xFFFFFFFF for t in texts)


def parse(data):
    """(cpu, modules) as format_wisdom takes them, or None for a file never written; raises
    WisdomError naming what is wrong, as the kernel reports it."""
    if not data or data[:1] in (b"\n", b"\0"):
        return None
    m = _HEADER.fullmatch(data[:HEADER_BYTES].decode("latin-1"))
    if not m:
        raise WisdomError(f'header is not "{MAGIC} {VERSION} bytes=N crc32=X"')
    n, want = int(m.group(1)), int(m.group(2), 16)
    if n > len(data) - HEADER_BYTES:
        raise WisdomError(f"bytes={n}, room for {len(data) - HEADER_BYTES}")
    body = data[HEADER_BYTES:HEADER_BYTES + n]
    if zlib.crc32(body) != want:
        raise WisdomError(f"CRC-32 {zlib.crc32(body):08x}, the header says {want:08x}")
    cpu, modules = None, []
    for number, line in enumerate(body.decode("latin-1").split("\n"), 2):
        if len(line) > MAX_LINE:
            raise WisdomError(f"line {number}: too long")
        f = [x for x in re.split(r"[ \t\r]+", line) if x]
        if not f:
            continue
        c = _CPU.fullmatch(" ".join(f[1:])) if f[0] == "cpu" and cpu is None else None
        if c and _fits(*c.groups()):
            cpu = dict(vendor=f[1], family=int(f[2]), model=int(f[3]), stepping=int(f[4]),
                       features=int(f[5], 16))
            continue
        if f[0] == "module" and cpu is None:
            raise WisdomError(f"line {number}: a module before the cpu line")
        m = _MODULE.fullmatch(" ".join(f[1:])) if f[0] == "module" else None
        if m and len(modules) == MAX_MODULES:
            raise WisdomError(f"more than {MAX_MODULES} modules")
        keys = [tuple(int(x, 16) for x in k.split(":")) for k in m.group(4).split(",")] if m else []
        if not m or not _fits(m.group(2), m.group(3)) or not 2 <= len(keys) <= MAX_CANDIDATES \
                or int(m.group(3)) != len(keys) or int(m.group(2)) >= len(keys):
            raise WisdomError(f"line {number}: not a cpu or module line by the rules")
        modules.append(dict(module=m.group(1), chosen=int(m.group(2)), keys=keys))
    if cpu is None:
        raise WisdomError("no cpu line")
    return cpu, modules


def _mtools(argv):
    env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH, MTOOLS_SKIP_CHECK="1",
               MTOOLS_NO_VFAT="1")
    p = subprocess.run(argv, env=env, capture_output=True)
    if p.returncode != 0:
        raise WisdomError(f"{' '.join(argv)} failed: {p.stderr.decode(errors='replace')}")
    return p.stdout


def read(image):
    """The wisdom file of image's FAT16 partition (or bare volume), parsed."""
    from fluid import cache         # volume_offset; imported here: cache imports image too
    return parse(_mtools(["mtype", "-i", cache.target(image), "::" + WISDOM_PATH]))


def write(image, data):
    """Overwrites the preallocated wisdom file with data (FILE_BYTES bytes)."""
    from fluid import cache
    if len(data) != FILE_BYTES:
        raise WisdomError(f"{len(data)} bytes; the file has {FILE_BYTES}")
    with tempfile.NamedTemporaryFile(delete=False) as tmp:
        tmp.write(data)
    try:
        os.utime(tmp.name, (int(FIXED_EPOCH), int(FIXED_EPOCH)))
        _mtools(["mcopy", "-m", "-o", "-i", cache.target(image), tmp.name, "::" + WISDOM_PATH])
    finally:
        os.unlink(tmp.name)


def empty_file(tmpdir):
    """[(host path, WISDOM_PATH)]: the empty file for the image tools to preallocate."""
    path = os.path.join(tmpdir, "wisdom")
    with open(path, "wb") as f:
        f.write(empty())
    return [(path, WISDOM_PATH)]


def fuzz_seeds(outdir):
    """Seeds for the kernel parser's fuzz target (tests/kernel/bench/fuzz_wisdom.c): whole
    files (first byte even: a file's first byte is 'F' or a newline) and bodies to be sealed
    by the target (prefixed with an odd byte), good and with one broken rule each."""
    cpu = dict(vendor="GenuineIntel", family=6, model=6, stepping=3, features=0x1F)
    modules = [dict(module="sum", chosen=1, keys=[(0xA4077C49, 0xF3FFF6E8), (0x875099E4, 7)]),
               dict(module="fft_1d", chosen=2, keys=[(1, 2), (3, 4), (5, 6)])]
    good = format_wisdom(cpu, modules)
    body = good[HEADER_BYTES:HEADER_BYTES + int(good[21:31])]
    seal = b"\x01"
    seeds = {
        "file-good": good,
        "file-empty": empty(),
        "file-bad-crc": good[:HEADER_BYTES] + body[:-2] + b"9\n" + good[HEADER_BYTES + len(body):],
        "file-bad-size": good[:21] + b"9999999999" + good[31:],
        "body-good": seal + body,
        "body-no-cpu": seal + b"module sum 0 2 00000001:00000002,00000003:00000004\n",
        "body-bad-key": seal + body.replace(b":f3fff6e8", b";f3fff6e8"),
        "body-chosen-past-count": seal + body.replace(b"module sum 1 2", b"module sum 2 2"),
        "body-nul-vendor": seal + body.replace(b"GenuineIntel", b"Genuine\0ntel"),
        "body-long-line": seal + b"cpu " + b"x" * 600 + b"\n",
    }
    os.makedirs(outdir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3 or sys.argv[1] != "seeds":
        sys.exit("usage: python3 -m fluid.wisdom seeds DIR")
    fuzz_seeds(sys.argv[2])
