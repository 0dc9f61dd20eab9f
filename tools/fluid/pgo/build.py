"""Candidate builds for the PGO loop (docs/pgo.md): one benchmark module compiled with one
variant's flags into a .mod file, the instrumented (-fprofile-instr-generate) build whose
counters the host runner dumps, and copies of the host runner (tools/hostrun) whose registry
holds any set of .mod files, several builds of one module side by side.

Flags come from fluid.modbuild (the one place the base flags are defined) plus the extra
flags a variant names here; the .mod header records both (short form and CRC of the full
string). Everything is written under build/pgo/.

A build may also set module parameters (fluid.pgo.params, -DNAME=value) and add profile use
to any variant; the header label then records the -D flags (label(): what happens when it
does not fit the header's cflags field)."""
import concurrent.futures
import os
import subprocess
import threading

from fluid import ROOT, modbuild, modfmt
from fluid.pgo import params as pgo_params

CC, LD = "clang", "ld.lld"
PGO_DIR = os.path.join(ROOT, "build", "pgo")
MODULE_LD = os.path.join(ROOT, "modules", "module.ld")
INCLUDES = ["-nostdinc", "-isystem", None, "-Iinclude", "-Imodules/include"]   # None: resource dir
WARNINGS = ["-Wall", "-Wextra"]     # no -Werror: profile mismatch notes must not fail a build
PGO_GEN_FLAGS = ["-fprofile-instr-generate", "-mllvm", "-disable-vp"]   # no value profiling:
#                                             its runtime hooks do not exist in a module
PGO_USE_WARNINGS = ["-Wno-profile-instr-unprofiled", "-Wno-profile-instr-out-of-date"]
JOBS = 2

# name: (mkmod variant, extra clang flags, their short form for the header, uses profdata)
VARIANTS = {
    "O2":             ("O2", [], [], False),
    "O1":             ("O1", [], [], False),
    "O3":             ("O3", [], [], False),
    "Os":             ("Os", [], [], False),
    "O2-sse2":        ("O2-sse2", [], [], False),
    "O3-sse2":        ("O3-sse2", [], [], False),
    "O3-unroll":      ("O3", ["-funroll-loops"], ["-funroll-loops"], False),
    "O3-sse2-unroll": ("O3-sse2", ["-funroll-loops"], ["-funroll-loops"], False),
    "O3-novec":       ("O3", ["-fno-vectorize", "-fno-slp-vectorize"], ["-fno-vectorize"], False),
    "O2-pgo":         ("O2", [], [], True),
    "O3-sse2-pgo":    ("O3-sse2", [], [], True),
}
BASELINE = "O2"

# Builds for the CPU the host runner runs on ("-march=native" within what the header's
# required_features can say: SSE3..AVX2; FMA, BMI and POPCNT have no FLUID_FEAT bit, so they
# stay off). Only measured in the host runner, on a CPU that has every feature (search.py).
# name: (mkmod variant, extra flags, their short form, uses profdata, extra required features)
ISA_FLAGS = ["-msse3", "-mssse3", "-msse4.1", "-msse4.2", "-mavx", "-mavx2"]
ISA_FEATURES = ["sse3", "ssse3", "sse41", "sse42", "avx", "avx2"]
HOST_VARIANTS = {
    "O2-avx2":        ("O2-sse2", ISA_FLAGS, ["-mavx2"], False, ISA_FEATURES),
    "O3-avx2":        ("O3-sse2", ISA_FLAGS, ["-mavx2"], False, ISA_FEATURES),
    "O3-avx2-unroll": ("O3-sse2", ISA_FLAGS + ["-funroll-loops"], ["-mavx2", "-funroll-loops"],
                       False, ISA_FEATURES),
}
ALL_VARIANTS = dict(VARIANTS, **HOST_VARIANTS)
PROFILE_USE_SHORT, PROFILE_USE_ALIAS = "-fprofile-instr-use", "-fprofile-use"
MARCH_SHORT = "-march=pentium2"



def hostrun_build():
    """The `NAME := words` lines of tools/hostrun/build.mk (also included by mk/modules.mk)
    as {NAME: [words]}."""
    names = {}
    with open(os.path.join(ROOT, "tools", "hostrun", "build.mk")) as f:
        for line in f:
            name, sep, value = line.partition(":=")
            if sep and not line.startswith("#"):
                names[name.strip()] = value.split()
    return names


HOSTRUN = hostrun_build()
HOSTRUN_FLAGS = HOSTRUN["HOSTRUN_BASE_CFLAGS"] + ["-Wall", "-Wextra", "-Werror", '-DHOSTRUN_BUILD_ID="pgo"']

# The instrumented build keeps the profile sections inside the image (code, data) so that
# mkmod's packer accepts it and the counters travel with the module's data. As in
# modules/module.ld, the writable part starts on a page of its own (code pages run read-only).
INSTR_LD = """ENTRY(fluid_main)
FLUID_PAGE_SIZE = 4096;
SECTIONS
{
    . = 0;
    .text : { *(.text.fluid_main) *(.text .text.*) }
    .rodata : ALIGN(16) { *(.rodata .rodata.*)
        __pgo_names_start = .; *(__llvm_prf_names) __pgo_names_end = .; }
    . = ALIGN(FLUID_PAGE_SIZE);
    .data : ALIGN(16) { *(.data .data.*)
        . = ALIGN(8); __pgo_data_start = .; *(__llvm_prf_data) __pgo_data_end = .;
        . = ALIGN(8); __pgo_cnts_start = .; *(__llvm_prf_cnts) __pgo_cnts_end = .; }
    .bss (NOLOAD) : ALIGN(16) { *(.bss .bss.*) *(COMMON) }
    /DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) *(.init_array*) }
}
"""
# Symbols the instrumentation references for the compiler-rt runtime, which a module has
# none of: registration is never called (.init_array is discarded), counters are read from
# the dumped image instead.
INSTR_STUB = """int __llvm_profile_runtime;
void __llvm_profile_register_function(void *d) { (void)d; }
void __llvm_profile_register_names_function(void *n, unsigned long s) { (void)n; (void)s; }
"""


class BuildError(Exception):
    pass


def run(argv, cwd=ROOT):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise BuildError(f"{' '.join(argv)}\n{p.stderr.strip()}")
    return p.stdout


def resource_dir():
    if not hasattr(resource_dir, "path"):
        resource_dir.path = run([CC, "-print-resource-dir"]).strip()
    return resource_dir.path


def includes():
    return [resource_dir() + "/include" if i is None else i for i in INCLUDES]


def module_names():
    return sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, "modules"))
                  if f.endswith(".c"))


def source_of(name):
    return os.path.join(ROOT, "modules", name + ".c")


def libc_for(base):
    arch = "i686-sse2" if "sse2" in base else "i686"
    path = os.path.join(ROOT, "build", arch, "libllvmlibc.a")
    if not os.path.exists(path):
        run(["make", "-s", os.path.relpath(path, ROOT)])
    return path


def profdata_path(name, setting=None):
    """The merged profile of a module's instrumented build with that parameter setting."""
    return os.path.join(PGO_DIR, "profdata", name + pgo_params.tag(setting or {}) + ".profdata")


def label(short, setting):
    """The header's cflags label of a build: its short flags, then the parameters' -D flags,
    then -march=pentium2. The field holds CFLAGS_LEN - 1 bytes; a label that does not fit is
    shortened by documented steps only, never cut: first -march=pentium2 goes (every build
    has that base, required_features says the rest), then -fprofile-instr-use is spelled
    as its clang alias -fprofile-use; if it still does not fit the build is refused."""
    room = modfmt.spec().CFLAGS_LEN - 1
    words = short + pgo_params.defines(setting)
    tries = [words + [MARCH_SHORT], words,
             [PROFILE_USE_ALIAS if w == PROFILE_USE_SHORT else w for w in words]]
    for t in tries:
        text = " ".join(t)
        if len(text.encode()) <= room:
            return text
    raise BuildError(f"flags label {' '.join(tries[-1])!r} is {len(' '.join(tries[-1]))} "
                     f"bytes; the .mod header's cflags field holds {room} "
                     "(docs/module-format.md): build refused, not truncated")


def variant_flags(variant, name, setting=None, profile=False):
    """(full clang flags, header label, modbuild.Variant, build_flags, required features)
    of a variant with parameter setting {NAME: value} (none: the defaults), and profile
    use added when profile is true."""
    if variant not in ALL_VARIANTS:
        raise BuildError(f"unknown variant {variant!r} (known: {', '.join(ALL_VARIANTS)})")
    base, extra, short_extra, pgo, *more = ALL_VARIANTS[variant]
    setting = setting or {}
    v = modbuild.Variant(base)
    flags, short, bflags = v.flags + extra, v.short[:-1] + short_extra, v.build_flags
    features = v.features + (more[0] if more else [])
    if more:                    # a host-ISA label's -mavx2 implies the base's -msse2
        short = [w for w in short if w != "-msse2"]
    if pgo or profile:
        prof = profdata_path(name, setting)
        if not os.path.exists(prof):
            raise BuildError(f"{name}: no profile {prof} for variant {variant}")
        flags = flags + [f"-fprofile-instr-use={prof}"] + PGO_USE_WARNINGS
        short.append(PROFILE_USE_SHORT)
        bflags |= modfmt.BUILD_FLAGS["pgo-use"]
    flags = flags + pgo_params.defines(setting)
    return flags, label(short, setting), v, bflags, features


def pack(elf, out, name, v, bflags, short, full, features=None):
    """modbuild.py pack with this module's own flag record."""
    data = modbuild.read_elf(elf)
    secs = modbuild.sections(data)
    image, code_size, bss_size, align = modbuild.layout(data, secs, elf)
    entry = int.from_bytes(data[0x18:0x1C], "little")
    relocs = modbuild.relocations(data, secs, elf)
    facts = modbuild.source_facts(source_of(name))
    blob = modfmt.pack(name, image[:code_size], image[code_size:], bss_size, relocs, entry,
                       module_version=facts["version"], align=align,
                       features=modfmt.feature_mask(features or v.features), tier=v.tier,
                       build_flags=bflags, cflags=short, cflags_full=full)
    modfmt.parse(blob)
    with open(out, "wb") as f:
        f.write(blob)


def build(name, variant, setting=None, profile=False):
    """Compile, link and pack one module variant, with parameter setting {NAME: value} (only
    declared parameters and candidate values) and profile use if asked; returns the .mod
    path. Raises BuildError with the reason."""
    setting = setting or {}
    try:
        pgo_params.check_setting(pgo_params.parse(source_of(name)), setting, name)
    except pgo_params.ParamError as e:
        raise BuildError(str(e))
    flags, short, v, bflags, features = variant_flags(variant, name, setting, profile)
    d = os.path.join(PGO_DIR, "variants", variant + ("+profile" if profile else ""))
    os.makedirs(d, exist_ok=True)
    stem = name + pgo_params.tag(setting)
    obj, elf, mod = (os.path.join(d, stem + ext) for ext in (".o", ".elf", ".mod"))
    run([CC] + flags + includes() + WARNINGS + ["-c", "-o", obj, source_of(name)])
    run([LD, "-m", "elf_i386", "-T", MODULE_LD, "--emit-relocs", "--no-undefined", "-static",
         "-o", elf, obj, libc_for(ALL_VARIANTS[variant][0])])
    pack(elf, mod, name, v, bflags, short, " ".join(flags), features)
    return mod


def build_many(pairs):
    """Build [(name, variant)] or [(name, variant, setting, profile)] (setting as freeze()
    gives it) two at a time; returns {the same tuple: path or BuildError}."""
    out = {}
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        futs = {ex.submit(build, *_unfreeze(k)): k for k in pairs}
        for fut in concurrent.futures.as_completed(futs):
            try:
                out[futs[fut]] = fut.result()
            except (BuildError, SystemExit) as e:
                out[futs[fut]] = BuildError(str(e))
    return out


def freeze(setting):
    """A setting as a hashable key part: a sorted tuple of (NAME, value)."""
    return tuple(sorted((setting or {}).items()))


def _unfreeze(key):
    if len(key) == 2:
        return key
    name, variant, setting, profile = key
    return name, variant, dict(setting), profile


def build_instrumented(name, setting=None):
    """The -fprofile-instr-generate build (O2 flags, parameter setting {NAME: value});
    returns (.mod path, .elf path)."""
    setting = setting or {}
    d = os.path.join(PGO_DIR, "instr")
    os.makedirs(d, exist_ok=True)
    ld, stub_c, stub_o = (os.path.join(d, f) for f in ("instr.ld", "stub.c", "stub.o"))
    v = modbuild.Variant(BASELINE)
    for path, text in ((ld, INSTR_LD), (stub_c, INSTR_STUB)):
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)
    run([CC] + v.flags + ["-c", "-o", stub_o, stub_c])
    stem = name + pgo_params.tag(setting)
    obj, elf, mod = (os.path.join(d, stem + ext) for ext in (".o", ".elf", ".mod"))
    flags = v.flags + PGO_GEN_FLAGS + pgo_params.defines(setting)
    run([CC] + flags + includes() + WARNINGS + ["-c", "-o", obj, source_of(name)])
    run([LD, "-m", "elf_i386", "-T", ld, "--emit-relocs", "--no-undefined", "-static",
         "-o", elf, obj, stub_o, libc_for(BASELINE)])
    short = label(v.short[:-1] + ["-fprofile-instr-generate"], setting)
    pack(elf, mod, name, v, v.build_flags | modfmt.BUILD_FLAGS["pgo-generate"], short,
         " ".join(flags))
    return mod, elf


def c_bytes(blob):
    return ",\n    ".join(", ".join(f"0x{b:02x}" for b in blob[i:i + 16])
                          for i in range(0, len(blob), 16))


def write_registry(entries, path):
    """A registry (kernel/bench/suite_registry.h) of [(name, .mod path)]; names may repeat."""
    lines = ['#include "kernel/bench/suite_registry.h"', ""]
    rows = []
    for i, (name, mod) in enumerate(entries):
        facts = modbuild.source_facts(source_of(name))
        with open(mod, "rb") as f:
            blob = f.read()
        lines += [f"static const uint8_t mod_{i}[] __attribute__((aligned(16))) = {{",
                  f"    {c_bytes(blob)}", "};"]
        rows.append(f'    {{"{name}", mod_{i}, sizeof mod_{i}, SUITE_EXPECT_VALUE, '
                    f'{facts["expect"]}u, {facts["tolerance"]}u}},')
    lines += ["const struct suite_entry suite_registry[] = {"] + rows + ["};",
              f"const uint32_t suite_registry_count = {len(rows)};", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def up_to_date(obj, dep_file):
    """True if obj exists and is newer than every file its clang dependency file names."""
    if not (os.path.exists(obj) and os.path.exists(dep_file)):
        return False
    with open(dep_file) as f:
        deps = f.read().replace("\\\n", " ").split(":", 1)[1].split()
    built = os.path.getmtime(obj)
    deps = [os.path.join(ROOT, d) for d in deps]     # relative to ROOT, where clang ran
    return all(os.path.exists(d) and os.path.getmtime(d) <= built for d in deps)


_runner_objects_lock = threading.Lock()     # callers in several threads share the objects


def runner_objects():
    """The host runner's objects, compiled into build/pgo/runner/ when a source or a header
    they include changed."""
    with _runner_objects_lock:
        return _runner_objects()


def _runner_objects():
    d = os.path.join(PGO_DIR, "runner")
    objs = []
    for src in HOSTRUN["HOSTRUN_SRCS"] + ["tools/pgo_dump.c"]:
        obj = os.path.join(d, src.replace("/", "_")[:-2] + ".o")
        if not up_to_date(obj, obj[:-2] + ".d"):
            os.makedirs(d, exist_ok=True)
            run([CC] + HOSTRUN_FLAGS + ["-MMD", "-MF", obj[:-2] + ".d", "-c", "-o", obj, src])
        objs.append(obj)
    return objs


def build_runner(entries, tag):
    """A host runner whose registry is entries [(name, .mod)]; returns its path."""
    d = os.path.join(PGO_DIR, "runner")
    os.makedirs(d, exist_ok=True)
    reg_c, reg_o, exe = (os.path.join(d, f"{tag}{ext}") for ext in ("-registry.c", "-registry.o", ""))
    write_registry(entries, reg_c)
    run([CC] + HOSTRUN_FLAGS + ["-c", "-o", reg_o, reg_c])
    run([CC] + HOSTRUN["HOSTRUN_LDFLAGS"] + ["-Wl,--wrap=munmap", "-o", exe, reg_o] + runner_objects())
    return exe
