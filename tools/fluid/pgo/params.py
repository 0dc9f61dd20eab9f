"""Tunable compile-time parameters of benchmark modules (docs/pgo.md, "Parameters"): the
FLUID_PARAM(NAME, default, candidates...) lines of a module source (modules/include/
fluid_module.h), read and checked; the -D flags and the header label part of one setting.

A declaration is refused (ParamError naming the source, the parameter and the bad value) when
a value is not an integer literal, a candidate repeats, the default is not a candidate, a
name is declared twice, or the source's `#define NAME value` default differs from the
declared one: the embedded build must be the declared default."""
import re

DECL_RE = re.compile(r"^FLUID_PARAM\(([^)]*)\)\s*;", re.M)
NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
INT_RE = re.compile(r"^-?\d+$")


class ParamError(Exception):
    pass


class Param:
    """One declared parameter: name, default, candidate values in declaration order."""

    def __init__(self, name, default, values):
        self.name, self.default, self.values = name, default, values

    def __repr__(self):
        return f"Param({self.name}, {self.default}, {self.values})"


def _ints(where, name, words):
    out = []
    for w in words:
        if not INT_RE.match(w):
            raise ParamError(f"{where}: parameter {name}: value {w!r} is not an integer literal")
        out.append(int(w))
    return out


def parse_text(text, where="module"):
    """[Param] declared by a module source text, in declaration order."""
    out, seen = [], set()
    for m in DECL_RE.finditer(text):
        words = [w for w in re.split(r"[\s,]+", m.group(1).strip()) if w]
        if len(words) < 3:
            raise ParamError(f"{where}: FLUID_PARAM({m.group(1)}) needs a name, a default "
                             "and at least one candidate")
        name = words[0]
        if not NAME_RE.match(name):
            raise ParamError(f"{where}: parameter name {name!r} is not an upper-case C "
                             "identifier")
        if name in seen:
            raise ParamError(f"{where}: parameter {name} declared twice")
        seen.add(name)
        default, = _ints(where, name, words[1:2])
        values = _ints(where, name, words[2:])
        dup = sorted({v for v in values if values.count(v) > 1})
        if dup:
            raise ParamError(f"{where}: parameter {name}: candidate {dup[0]} repeats")
        if default not in values:
            raise ParamError(f"{where}: parameter {name}: default {default} is not among its "
                             f"candidates {values}")
        d = re.search(r"^#define\s+%s\s+(\S+)\s*$" % re.escape(name), text, re.M)
        if not d or d.group(1) != str(default):
            found = d.group(1) if d else "none"
            raise ParamError(f"{where}: parameter {name}: the source's #define default is "
                             f"{found}, the declaration says {default}")
        out.append(Param(name, default, values))
    return out


def parse(path):
    with open(path) as f:
        return parse_text(f.read(), path)


def check_setting(decls, setting, where="module"):
    """Refuse a setting {NAME: value} naming an undeclared parameter or value."""
    by_name = {p.name: p for p in decls}
    for name, value in setting.items():
        if name not in by_name:
            raise ParamError(f"{where}: no parameter {name} (declared: "
                             f"{', '.join(by_name) or 'none'})")
        if value not in by_name[name].values:
            raise ParamError(f"{where}: parameter {name}: {value} is not a candidate "
                             f"{by_name[name].values}")


def defines(setting):
    """The -D flags of a setting, in a stable (sorted) order."""
    return [f"-D{n}={v}" for n, v in sorted(setting.items())]


def tag(setting):
    """A file-name part for a setting: '' for none, else e.g. '-TILE8-UNROLL4'."""
    return "".join(f"-{n}{v}" for n, v in sorted(setting.items()))


def non_default(decls, setting):
    """The part of a setting that differs from the declared defaults."""
    defaults = {p.name: p.default for p in decls}
    return {n: v for n, v in setting.items() if defaults.get(n) != v}
