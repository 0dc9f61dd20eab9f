"""Candidate builds for the PGO loop (docs/pgo.md): one benchmark module compiled with one
variant's flags into a .mod file, the instrumented (-fprofile-instr-generate) build whose
counters the host runner dumps, and copies of the host runner (tools/hostrun) whose registry
holds any set of .mod files, several builds of one module side by side.

Flags come from fluid.modbuild (the one place the base flags are defined) plus the extra
flags a variant names here; the .mod header records both (short form and CRC of the full
string). Everything is written under build/pgo/."""
import concurrent.futures
import os
import subprocess

from fluid import ROOT, modbuild, modfmt

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


def profdata_path(name):
    return os.path.join(PGO_DIR, "profdata", name + ".profdata")


def variant_flags(variant, name):
    """(full clang flags, header short form, modbuild.Variant, build_flags) of a variant."""
    if variant not in VARIANTS:
        raise BuildError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
    base, extra, short_extra, pgo = VARIANTS[variant]
    v = modbuild.Variant(base)
    flags, short, bflags = v.flags + extra, v.short[:-1] + short_extra, v.build_flags
    if pgo:
        if not os.path.exists(profdata_path(name)):
            raise BuildError(f"{name}: no profile {profdata_path(name)} for variant {variant}")
        flags = flags + [f"-fprofile-instr-use={profdata_path(name)}"] + PGO_USE_WARNINGS
        short.append("-fprofile-instr-use")
        bflags |= modfmt.BUILD_FLAGS["pgo-use"]
    return flags, " ".join(short + v.short[-1:]), v, bflags


def pack(elf, out, name, v, bflags, short, full):
    """modbuild.py pack with this module's own flag record."""
    data = modbuild.read_elf(elf)
    secs = modbuild.sections(data)
    image, code_size, bss_size, align = modbuild.layout(data, secs, elf)
    entry = int.from_bytes(data[0x18:0x1C], "little")
    relocs = modbuild.relocations(data, secs, elf)
    facts = modbuild.source_facts(source_of(name))
    blob = modfmt.pack(name, image[:code_size], image[code_size:], bss_size, relocs, entry,
                       module_version=facts["version"], align=align,
                       features=modfmt.feature_mask(v.features), tier=v.tier,
                       build_flags=bflags, cflags=short, cflags_full=full)
    modfmt.parse(blob)
    with open(out, "wb") as f:
        f.write(blob)


def build(name, variant):
    """Compile, link and pack one module variant; returns the .mod path."""
    flags, short, v, bflags = variant_flags(variant, name)
    d = os.path.join(PGO_DIR, "variants", variant)
    os.makedirs(d, exist_ok=True)
    obj, elf, mod = (os.path.join(d, name + ext) for ext in (".o", ".elf", ".mod"))
    run([CC] + flags + includes() + WARNINGS + ["-c", "-o", obj, source_of(name)])
    run([LD, "-m", "elf_i386", "-T", MODULE_LD, "--emit-relocs", "--no-undefined", "-static",
         "-o", elf, obj, libc_for(VARIANTS[variant][0])])
    pack(elf, mod, name, v, bflags, short, " ".join(flags))
    return mod


def build_many(pairs):
    """Build [(name, variant)] two at a time; returns {(name, variant): path or BuildError}."""
    out = {}
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        futs = {ex.submit(build, n, v): (n, v) for n, v in pairs}
        for fut in concurrent.futures.as_completed(futs):
            try:
                out[futs[fut]] = fut.result()
            except (BuildError, SystemExit) as e:
                out[futs[fut]] = BuildError(str(e))
    return out


def build_instrumented(name):
    """The -fprofile-instr-generate build (O2 flags); returns (.mod path, .elf path)."""
    d = os.path.join(PGO_DIR, "instr")
    os.makedirs(d, exist_ok=True)
    ld, stub_c, stub_o = (os.path.join(d, f) for f in ("instr.ld", "stub.c", "stub.o"))
    v = modbuild.Variant(BASELINE)
    for path, text in ((ld, INSTR_LD), (stub_c, INSTR_STUB)):
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)
    run([CC] + v.flags + ["-c", "-o", stub_o, stub_c])
    obj, elf, mod = (os.path.join(d, name + ext) for ext in (".o", ".elf", ".mod"))
    flags = v.flags + PGO_GEN_FLAGS
    run([CC] + flags + includes() + WARNINGS + ["-c", "-o", obj, source_of(name)])
    run([LD, "-m", "elf_i386", "-T", ld, "--emit-relocs", "--no-undefined", "-static",
         "-o", elf, obj, stub_o, libc_for(BASELINE)])
    short = " ".join(v.short[:-1] + ["-fprofile-instr-generate"] + v.short[-1:])
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


def runner_objects():
    """The host runner's objects, compiled into build/pgo/runner/ when a source or a header
    they include changed."""
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
