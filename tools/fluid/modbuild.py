"""Build-side code for benchmark modules (docs/module-format.md), behind tools/mkmod.py and
the PGO loop's builds: what a build variant means (flags, tier, CPU features, header flags),
a linked module ELF checked and turned into a .mod file, the expected answers read from a
module's source, and the kernel's module registry.

A variant is OPT[-sse2][-pgouse], OPT one of O0 O1 O2 O3 Os Oz (e.g. O2, O3-sse2).
Packing refuses (exit 1, with the reason) an ELF the loader could not run: a relocation other
than R_386_32 (absolute, fixed up at load) or R_386_PC32/R_386_PLT32 (module-internal, none
needed), an allocated section the link map does not expect, or sections out of order."""
import os
import re
import struct
import sys

from fluid import modfmt

BASE_FLAGS = ["--target=i686-elf", "-march=pentium2", "-ffreestanding", "-fno-builtin",
              "-nostdlib", "-fno-pic", "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
              "-fno-common", "-std=c11"]
X87_FLAGS = ["-mno-sse", "-mno-sse2", "-mno-mmx"]
SSE2_FLAGS = ["-msse", "-msse2", "-mfpmath=sse"]
BASE_FEATURES = ["fpu", "cmov"]          # -march=pentium2 emits x87 and CMOVcc
OPT_LEVELS = ("O0", "O1", "O2", "O3", "Os", "Oz")   # clang's; each is a header tier
VARIANT_BUILD_FLAGS = {"sse2": "sse2", "pgouse": "pgo-use"}   # variant part -> header flag

# ELF32 (System V gABI, "Sections" and "Relocation"; i386 psABI table 2.1 for R_386_*).
SHT_PROGBITS, SHT_SYMTAB, SHT_NOBITS, SHT_REL, SHT_RELA = 1, 2, 8, 9, 4
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
R_386_NONE, R_386_32, R_386_PC32, R_386_PLT32 = 0, 1, 2, 4
RELOC_NAMES = {3: "R_386_GOT32", 5: "R_386_COPY", 6: "R_386_GLOB_DAT", 7: "R_386_JMP_SLOT",
               8: "R_386_RELATIVE", 9: "R_386_GOTOFF", 10: "R_386_GOTPC", 20: "R_386_16",
               21: "R_386_PC16", 22: "R_386_8", 23: "R_386_PC8", 43: "R_386_GOT32X"}
ALLOWED_ALLOC = re.compile(r"^\.(text|rodata|data|bss)$")


def fail(msg):
    sys.exit(f"mkmod: {msg}")


class Variant:
    """What one build variant means: flags, tier, features, header build flags. The flags need
    no build; tier and build_flags are header numbers, from the generated layout."""

    def __init__(self, spec):
        parts = spec.split("-")
        if parts[0] not in OPT_LEVELS:
            fail(f"variant {spec!r}: first part must be one of {' '.join(OPT_LEVELS)}")
        self.spec, self.opt = spec, parts[0]
        self.flags = BASE_FLAGS + ["-" + parts[0]]
        self.features, self.short = list(BASE_FEATURES), ["-" + parts[0]]
        self.extras = parts[1:]
        for p in self.extras:
            if p not in VARIANT_BUILD_FLAGS:
                fail(f"variant {spec!r}: unknown part {p!r} (known: sse2, pgouse)")
        if "sse2" in self.extras:
            self.flags += SSE2_FLAGS
            self.features += ["sse", "sse2"]
            self.short.append("-msse2")
        else:
            self.flags += X87_FLAGS
        if "pgouse" in self.extras:
            self.short.append("-fprofile-instr-use")
        self.short.append("-march=pentium2")

    @property
    def tier(self):
        return modfmt.TIERS.index(self.opt)

    @property
    def build_flags(self):
        bits = 0
        for p in self.extras:
            bits |= modfmt.BUILD_FLAGS[VARIANT_BUILD_FLAGS[p]]
        return bits

    def cflags(self):
        return " ".join(self.flags)


def read_elf(path):
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        fail(f"{path}: not a 32-bit little-endian ELF")
    return elf


def sections(elf):
    """Return a list of dicts, one per section header."""
    shoff, = struct.unpack_from("<I", elf, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x2E)
    out = []
    for i in range(shnum):
        f = struct.unpack_from("<IIIIIIIIII", elf, shoff + i * shentsize)
        out.append(dict(zip(("name", "type", "flags", "addr", "offset", "size", "link", "info",
                             "align", "entsize"), f)))
    strtab = out[shstrndx]
    for s in out:
        raw = elf[strtab["offset"] + s["name"]:]
        s["name"] = raw[:raw.index(b"\0")].decode()
    return out


def layout(elf, secs, path):
    """Check the section order; return (image bytes, code_size, bss_size, align)."""
    alloc = [s for s in secs if s["flags"] & SHF_ALLOC and s["size"]]
    image, code_end, bss_end, align, phase = bytearray(), None, 0, 16, 0
    for s in sorted(alloc, key=lambda s: s["addr"]):
        if not ALLOWED_ALLOC.match(s["name"]):
            fail(f"{path}: unexpected section {s['name']} (GOT/PLT or an orphan: "
                 "compile with -fno-pic and link with modules/module.ld)")
        kind = 2 if s["type"] == SHT_NOBITS else 1 if s["flags"] & SHF_WRITE else 0
        if kind < phase:
            fail(f"{path}: section {s['name']} out of order (code, data, bss)")
        if kind > 0 and code_end is None:
            # Code ends where the writable part starts (modules/module.ld puts it on a page
            # of its own); the gap up to it is code padding, in the file.
            code_end = s["addr"]
            image += bytes(code_end - len(image))
        phase, align = kind, max(align, s["align"])
        if kind == 2:
            bss_end = s["addr"] + s["size"]
            continue
        image += bytes(s["addr"] - len(image))
        image += elf[s["offset"]:s["offset"] + s["size"]]
    code_end = len(image) if code_end is None else code_end
    bss_size = max(0, bss_end - len(image))
    return image, code_end, bss_size, align


def relocations(elf, secs, path):
    """Image offsets needing the load address added; fail on any other relocation kind."""
    out = []
    for s in secs:
        if s["type"] == SHT_RELA:
            fail(f"{path}: RELA section {s['name']} (i386 uses REL)")
        if s["type"] != SHT_REL or not secs[s["info"]]["flags"] & SHF_ALLOC:
            continue
        for off in range(s["offset"], s["offset"] + s["size"], 8):
            r_offset, r_info = struct.unpack_from("<II", elf, off)
            rtype = r_info & 0xFF
            if rtype == R_386_32:
                out.append(r_offset)
            elif rtype not in (R_386_NONE, R_386_PC32, R_386_PLT32):
                fail(f"{path}: unsupported relocation {RELOC_NAMES.get(rtype, rtype)} at "
                     f"0x{r_offset:x} in {secs[s['info']]['name']}: only R_386_32 and "
                     "R_386_PC32 can be loaded")
    return sorted(out)


def source_facts(path):
    """Read FLUID_MODULE_VERSION/FLUID_EXPECT/FLUID_EXPECT_OUTCOME/FLUID_CORRUPT from a source."""
    with open(path) as f:
        text = f.read()
    facts = {"version": 1, "expect": None, "tolerance": 0, "outcome": "value",
             "corrupt": "none"}
    m = re.search(r"^FLUID_MODULE_VERSION\(\s*(\d+)\s*\);", text, re.M)
    if m:
        facts["version"] = int(m.group(1))
    m = re.search(r"^FLUID_EXPECT\(\s*(0x[0-9a-fA-F]+|\d+)u?\s*,\s*(\d+)\s*\);", text, re.M)
    if m:
        facts["expect"], facts["tolerance"] = int(m.group(1), 0), int(m.group(2))
    m = re.search(r"^FLUID_EXPECT_OUTCOME\(\s*(fault|timeout|rejected|ok)\s*\);", text, re.M)
    if m:
        facts["outcome"] = m.group(1)
    m = re.search(r"^FLUID_CORRUPT\(\s*(\w+)\s*\);", text, re.M)
    if m:
        facts["corrupt"] = m.group(1)
    if facts["outcome"] == "value" and facts["expect"] is None:
        fail(f"{path}: no FLUID_EXPECT(value, tolerance) or FLUID_EXPECT_OUTCOME(...) line")
    if facts["outcome"] == "ok" and facts["expect"] is None:
        fail(f"{path}: FLUID_EXPECT_OUTCOME(ok) needs a FLUID_EXPECT(value, tolerance) line")
    if facts["expect"] is not None and facts["expect"] > 0xFFFFFFFF:
        fail(f"{path}: expected value {facts['expect']} does not fit 32 bits")
    return facts


def corrupt(blob, kind):
    """Damage a packed module on purpose, for the bad-module tests."""
    b = bytearray(blob)
    h, at = modfmt.HEADER_SIZE, modfmt.OFFSETS
    if kind == "none":
        return bytes(b)
    if kind == "magic":
        b[at["magic"]] ^= 0xFF
    elif kind == "crc":
        b[h] ^= 0x01                           # body byte: header intact, body CRC wrong
    elif kind == "header_crc":
        b[at["name"]] ^= 0x01                  # name byte, header CRC left stale
    elif kind in ("size", "entry", "features"):
        field = {"size": "code_size", "entry": "entry", "features": "required_features"}[kind]
        value = {"size": 0xFFFFFF00, "entry": 0xFFFFFFF0,
                 "features": 1 << modfmt.FEATURES.index("avx2")}[kind]
        struct.pack_into("<I", b, at[field], value)
        b[:h] = modfmt.seal_header(bytes(b[:h]))
    else:
        fail(f"unknown FLUID_CORRUPT kind {kind!r}")
    return bytes(b)


def module_name(src):
    return os.path.splitext(os.path.basename(src))[0]


def pack(variant, source, elf_path, out):
    """Write out, the .mod file of the module linked as elf_path from source."""
    v, facts = Variant(variant), source_facts(source)
    elf = read_elf(elf_path)
    secs = sections(elf)
    image, code_size, bss_size, align = layout(elf, secs, elf_path)
    entry, = struct.unpack_from("<I", elf, 0x18)
    if entry >= code_size:
        fail(f"{elf_path}: entry 0x{entry:x} is not in the code (0x{code_size:x} bytes)")
    relocs = relocations(elf, secs, elf_path)
    build_flags = v.build_flags | (modfmt.BUILD_FLAGS["test-only"]
                                   if facts["outcome"] != "value" else 0)
    blob = modfmt.pack(module_name(source), image[:code_size], image[code_size:],
                       bss_size, relocs, entry, module_version=facts["version"], align=align,
                       features=modfmt.feature_mask(v.features), tier=v.tier,
                       build_flags=build_flags, cflags=" ".join(v.short),
                       cflags_full=v.cflags())
    if facts["outcome"] == "value":
        modfmt.parse(blob)                     # our own reader must accept what we wrote
    with open(out, "wb") as f:
        f.write(corrupt(blob, facts["corrupt"]))


def c_bytes(blob):
    rows = (", ".join(f"0x{b:02x}" for b in blob[i:i + 16]) for i in range(0, len(blob), 16))
    return ",\n    ".join(rows)


OUTCOME_C = {"value": "SUITE_EXPECT_VALUE", "fault": "SUITE_EXPECT_FAULT",
             "timeout": "SUITE_EXPECT_TIMEOUT", "rejected": "SUITE_EXPECT_REJECTED",
             "ok": "SUITE_EXPECT_TEST_OK"}


def write_registry(out_path, modules):
    """Generate the kernel's module registry (C) from modules ["SRC.c=MOD.mod", ...]: the .mod
    bytes embedded, with each expected result read from the source. Leaves an unchanged file
    alone (its timestamp too)."""
    out = ["/* Generated by tools/mkmod.py registry from the module sources; do not edit. */",
           '#include "kernel/bench/suite_registry.h"', ""]
    entries = []
    for pair in modules:
        src, mod = pair.split("=", 1)
        facts, name = source_facts(src), module_name(src)
        with open(mod, "rb") as f:
            blob = f.read()
        out += [f"static const uint8_t mod_{name}[] __attribute__((aligned(16))) = {{",
                f"    {c_bytes(blob)}", "};", ""]
        entries.append(f'    {{"{name}", mod_{name}, sizeof mod_{name}, '
                       f'{OUTCOME_C[facts["outcome"]]}, {facts["expect"] or 0}u, '
                       f'{facts["tolerance"]}u}},')
    out += ["const struct suite_entry suite_registry[] = {"] + entries + ["};",
            f"const uint32_t suite_registry_count = {len(entries)};", ""]
    text = "\n".join(out)
    if os.path.exists(out_path) and open(out_path).read() == text:
        return
    with open(out_path, "w") as f:
        f.write(text)
