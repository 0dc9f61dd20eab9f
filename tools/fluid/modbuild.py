#!/usr/bin/env python3
"""Build-side tool for benchmark modules (docs/module-format.md).

  mkmod.py flags VARIANT          print the clang flags a variant compiles with
  mkmod.py pack --variant V --source SRC.c ELF OUT.mod
                                  turn a module linked by modules/module.ld into a .mod file
  mkmod.py registry --out FILE.c SRC.c=MOD.mod ...
                                  generate the kernel's module registry: the .mod bytes
                                  embedded, with each expected result read from the source

A variant is OPT[-sse2][-pgouse], OPT one of O0 O1 O2 O3 Os Oz (e.g. O2, O3-sse2).
pack refuses (exit 1, with the reason) an ELF the loader could not run: a relocation other than
R_386_32 (absolute, fixed up at load) or R_386_PC32/R_386_PLT32 (module-internal, none needed),
an allocated section the link map does not expect, or sections out of order."""
import argparse
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modfmt  # noqa: E402

BASE_FLAGS = ["--target=i686-elf", "-march=pentium2", "-ffreestanding", "-fno-builtin",
              "-nostdlib", "-fno-pic", "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
              "-fno-common", "-std=c11"]
X87_FLAGS = ["-mno-sse", "-mno-sse2", "-mno-mmx"]
SSE2_FLAGS = ["-msse", "-msse2", "-mfpmath=sse"]
BASE_FEATURES = ["fpu", "cmov"]          # -march=pentium2 emits x87 and CMOVcc

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
    """What one build variant means: flags, tier, features, header build flags."""

    def __init__(self, spec):
        parts = spec.split("-")
        if parts[0] not in modfmt.TIERS:
            fail(f"variant {spec!r}: first part must be one of {' '.join(modfmt.TIERS)}")
        self.spec, self.tier = spec, modfmt.TIERS.index(parts[0])
        self.flags = BASE_FLAGS + ["-" + parts[0]]
        self.features, self.build_flags, self.short = list(BASE_FEATURES), 0, ["-" + parts[0]]
        extras = parts[1:]
        for p in extras:
            if p not in ("sse2", "pgouse"):
                fail(f"variant {spec!r}: unknown part {p!r} (known: sse2, pgouse)")
        if "sse2" in extras:
            self.flags += SSE2_FLAGS
            self.features += ["sse", "sse2"]
            self.build_flags |= modfmt.BUILD_FLAGS["sse2"]
            self.short.append("-msse2")
        else:
            self.flags += X87_FLAGS
        if "pgouse" in extras:
            self.build_flags |= modfmt.BUILD_FLAGS["pgo-use"]
            self.short.append("-fprofile-instr-use")
        self.short.append("-march=pentium2")

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
            code_end = s["addr"] if kind == 1 else len(image)
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
    m = re.search(r"^FLUID_EXPECT_OUTCOME\(\s*(fault|timeout|rejected)\s*\);", text, re.M)
    if m:
        facts["outcome"] = m.group(1)
    m = re.search(r"^FLUID_CORRUPT\(\s*(\w+)\s*\);", text, re.M)
    if m:
        facts["corrupt"] = m.group(1)
    if facts["outcome"] == "value" and facts["expect"] is None:
        fail(f"{path}: no FLUID_EXPECT(value, tolerance) or FLUID_EXPECT_OUTCOME(...) line")
    if facts["expect"] is not None and facts["expect"] > 0xFFFFFFFF:
        fail(f"{path}: expected value {facts['expect']} does not fit 32 bits")
    return facts


def corrupt(blob, kind):
    """Damage a packed module on purpose, for the bad-module tests."""
    b = bytearray(blob)
    h = modfmt.HEADER_SIZE
    if kind == "none":
        return bytes(b)
    if kind == "magic":
        b[0] ^= 0xFF
    elif kind == "crc":
        b[h] ^= 0x01                           # body byte: header intact, body CRC wrong
    elif kind == "header_crc":
        b[8] ^= 0x01                           # name byte, header CRC left stale
    elif kind in ("size", "entry", "features"):
        field = {"size": 40, "entry": 36, "features": 60}[kind]
        value = {"size": 0xFFFFFF00, "entry": 0xFFFFFFF0,
                 "features": 1 << modfmt.FEATURES.index("avx2")}[kind]
        struct.pack_into("<I", b, field, value)
        b[:h] = modfmt.seal_header(bytes(b[:h]))
    else:
        fail(f"unknown FLUID_CORRUPT kind {kind!r}")
    return bytes(b)


def module_name(src):
    return os.path.splitext(os.path.basename(src))[0]


def cmd_pack(args):
    v, facts = Variant(args.variant), source_facts(args.source)
    elf = read_elf(args.elf)
    secs = sections(elf)
    image, code_size, bss_size, align = layout(elf, secs, args.elf)
    entry, = struct.unpack_from("<I", elf, 0x18)
    if entry >= code_size:
        fail(f"{args.elf}: entry 0x{entry:x} is not in the code (0x{code_size:x} bytes)")
    relocs = relocations(elf, secs, args.elf)
    build_flags = v.build_flags | (modfmt.BUILD_FLAGS["test-only"]
                                   if facts["outcome"] != "value" else 0)
    blob = modfmt.pack(module_name(args.source), image[:code_size], image[code_size:],
                       bss_size, relocs, entry, module_version=facts["version"], align=align,
                       features=modfmt.feature_mask(v.features), tier=v.tier,
                       build_flags=build_flags, cflags=" ".join(v.short),
                       cflags_full=v.cflags())
    if facts["outcome"] == "value":
        modfmt.parse(blob)                     # our own reader must accept what we wrote
    with open(args.out, "wb") as f:
        f.write(corrupt(blob, facts["corrupt"]))


def c_bytes(blob):
    rows = (", ".join(f"0x{b:02x}" for b in blob[i:i + 16]) for i in range(0, len(blob), 16))
    return ",\n    ".join(rows)


OUTCOME_C = {"value": "SUITE_EXPECT_VALUE", "fault": "SUITE_EXPECT_FAULT",
             "timeout": "SUITE_EXPECT_TIMEOUT", "rejected": "SUITE_EXPECT_REJECTED"}


def cmd_registry(args):
    out = ["/* Generated by tools/mkmod.py registry from the module sources; do not edit. */",
           '#include "kernel/bench/suite_registry.h"', ""]
    entries = []
    for pair in args.modules:
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
    if os.path.exists(args.out) and open(args.out).read() == text:
        return
    with open(args.out, "w") as f:
        f.write(text)


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
    if args.cmd == "flags":
        print(Variant(args.variant).cflags())
    elif args.cmd == "pack":
        cmd_pack(args)
    else:
        cmd_registry(args)


if __name__ == "__main__":
    main()
