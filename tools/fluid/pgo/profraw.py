"""Write an LLVM raw profile (.profraw, raw format version 8 as in LLVM 14:
llvm/ProfileData/InstrProfData.inc, INSTR_PROF_RAW_HEADER and INSTR_PROF_DATA) for a module
built by fluid.pgo.build's build_instrumented, from the image the host runner dumped after
the module's calls. A freestanding module has no compiler-rt profile runtime; its linker
script (fluid.pgo.build.INSTR_LD) keeps the data records, counters and names inside the image
between __pgo_* symbols, so this file is what the runtime's writer would have produced:

  header (11 x u64) | data records | counters (u64 each) | names | padding to 8 bytes

32-bit records (i686): NameRef u64, FuncHash u64, CounterPtr u32 (relative to the record,
raw version 8), FunctionPointer u32, Values u32, NumCounters u32, NumValueSites u16[2],
padded to 40 bytes (INSTR_PROF_DATA_ALIGNMENT 8)."""
import struct
import subprocess

from fluid import modbuild

# INSTR_PROF_RAW_MAGIC_32: 0xff 'l' 'p' 'r' 'o' 'f' 'R' 0x81
RAW_MAGIC_32 = (0xFF << 56 | ord("l") << 48 | ord("p") << 40 | ord("r") << 32 |
                ord("o") << 24 | ord("f") << 16 | ord("R") << 8 | 0x81)
RAW_VERSION = 8
IPVK_LAST = 1                   # IPVK_IndirectCallTarget, IPVK_MemOPSize
DATA_RECORD = 40                # sizeof(ProfileData<uint32_t>), alignas(8)
COUNTER = 8                     # u64 counters (no byte coverage)
HEADER = "<11Q"
SHT_SYMTAB = 2


class ProfrawError(Exception):
    pass


def symbols(elf_bytes):
    """{name: value} of an ELF32 symbol table."""
    secs = modbuild.sections(elf_bytes)
    out = {}
    for s in secs:
        if s["type"] != SHT_SYMTAB:
            continue
        strtab = secs[s["link"]]
        for off in range(s["offset"], s["offset"] + s["size"], 16):
            name_off, value = struct.unpack_from("<II", elf_bytes, off)
            raw = elf_bytes[strtab["offset"] + name_off:]
            out[raw[:raw.index(b"\0")].decode()] = value
    return out


def region(syms, image, what):
    lo, hi = syms.get(f"__pgo_{what}_start"), syms.get(f"__pgo_{what}_end")
    if lo is None or hi is None or not 0 <= lo <= hi <= len(image):
        raise ProfrawError(f"profile section {what} [{lo}, {hi}) not inside the "
                           f"{len(image)}-byte image")
    return lo, bytes(image[lo:hi])


def profraw(elf_path, image):
    """The .profraw bytes for the module linked as elf_path whose run image is `image`."""
    with open(elf_path, "rb") as f:
        syms = symbols(f.read())
    data_lo, data = region(syms, image, "data")
    cnts_lo, cnts = region(syms, image, "cnts")
    names_lo, names = region(syms, image, "names")
    data += bytes(-len(data) % DATA_RECORD)     # the last record is not padded in the link
    if not data or len(cnts) % COUNTER:
        raise ProfrawError(f"{elf_path}: {len(data)} bytes of data records, {len(cnts)} of "
                           f"counters: no records, or counters not whole {COUNTER}-byte units")
    pad = (-len(names)) % 8
    header = struct.pack(HEADER, RAW_MAGIC_32, RAW_VERSION, 0, len(data) // DATA_RECORD, 0,
                         len(cnts) // COUNTER, 0, len(names), cnts_lo - data_lo, names_lo,
                         IPVK_LAST)
    return header + data + cnts + names + bytes(pad)


def merge(profraw_path, out_path):
    """llvm-profdata merge: the indexed profile clang's -fprofile-instr-use reads."""
    p = subprocess.run(["llvm-profdata", "merge", "-o", out_path, profraw_path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise ProfrawError(f"llvm-profdata merge {profraw_path}: {p.stderr.strip()}")


def max_function_count(profdata_path):
    """The largest function entry count in an indexed profile (0: the profile is empty)."""
    p = subprocess.run(["llvm-profdata", "show", "--all-functions", "--counts", profdata_path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise ProfrawError(f"llvm-profdata show {profdata_path}: {p.stderr.strip()}")
    for line in p.stdout.splitlines():
        if "Maximum function count:" in line:
            return int(line.split(":")[1])
    return 0
