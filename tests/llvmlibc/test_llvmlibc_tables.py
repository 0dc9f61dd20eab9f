"""libs/llvmlibc constant tables and freestanding archives.

The 2/pi and pi/2 tables of rem_pio2_large.c and the Cody-Waite pieces of rem_pio2.c are
recomputed here from pi (Machin's formula, exact integers); the freestanding archives must
define every symbol they use (the kernel links no libgcc / compiler-rt)."""
import os
import re
import subprocess
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MATH = os.path.join(ROOT, "libs", "llvmlibc", "src", "math")
BUILD = os.path.join(ROOT, "build")
PI_BITS = 2200


def arctan_inv(n, bits):
    """arctan(1/n) * 2^bits, truncated (Taylor series in exact integers)."""
    x = (1 << bits) // n
    total, k, sign = x, 1, -1
    while x:
        x //= n * n
        k += 2
        total += sign * (x // k)
        sign = -sign
    return total


def pi_scaled():
    """floor(pi * 2^PI_BITS) up to a few units in the last place (Machin 1706)."""
    guard = 20
    b = PI_BITS + guard
    return (16 * arctan_inv(5, b) - 4 * arctan_inv(239, b)) >> guard


def c_array(source, name):
    body = re.search(name + r"\[[^\]]*\]\s*=\s*\{([^}]*)\}", source).group(1)
    return [int(v, 16) for v in re.findall(r"0x[0-9a-fA-F]+", body)]


def read(name):
    with open(os.path.join(MATH, name)) as f:
        return f.read()


def test_two_over_pi_table():
    pi = pi_scaled()
    two_over_pi = (2 << (2 * PI_BITS)) // pi           # 2/pi * 2^PI_BITS
    words = c_array(read("rem_pio2_large.c"), "two_over_pi")
    assert len(words) == 48
    for k, w in enumerate(words):
        want = (two_over_pi >> (PI_BITS - 32 * (k + 1))) & 0xffffffff
        assert w == want, f"two_over_pi[{k}] = {w:#010x}, want {want:#010x}"


def test_pio2_limbs():
    limbs = c_array(read("rem_pio2_large.c"), "pio2_limbs")
    value = sum(l << (32 * i) for i, l in enumerate(limbs))
    assert value == (pi_scaled() >> 1) >> (PI_BITS - 126)


def hexfloat(source, name):
    m = re.search(r"\b" + name + r"\s*=\s*(-?0x[0-9a-fA-F.]+p[-+]?\d+)", source)
    return Fraction(float.fromhex(m.group(1)))


def test_cody_waite_pieces():
    """pio2_1 + pio2_2 + pio2_3 are consecutive 33-bit pieces of pi/2, each t the rest."""
    src = read("rem_pio2.c")
    rest = Fraction(pi_scaled() >> 1, 1 << PI_BITS)
    for piece, tail in (("pio2_1", "pio2_1t"), ("pio2_2", "pio2_2t"), ("pio2_3", "pio2_3t")):
        p = hexfloat(src, piece)
        assert abs(p.numerator).bit_length() <= 33, piece            # n*piece exact for n < 2^20
        assert abs(rest - p) < p / 2**32, piece              # 33 leading bits agree
        assert float(rest - p) == float(hexfloat(src, tail)), tail
        rest -= p
    assert float(Fraction(2) / (Fraction(pi_scaled(), 1 << PI_BITS))) == \
        float(hexfloat(src, "invpio2"))


def archive_symbols(path):
    out = subprocess.run(["llvm-nm", path], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TtDdRrBbW":
            defined.add(parts[2])
    return defined, undefined


def test_freestanding_archives_are_self_contained():
    for arch in ("i686", "i686-sse2", "x86_64"):
        path = os.path.join(BUILD, arch, "libllvmlibc.a")
        assert os.path.exists(path), f"{path} not built (make llvmlibc)"
        defined, undefined = archive_symbols(path)
        missing = undefined - defined
        assert not missing, f"{arch}: undefined symbols {sorted(missing)}"
        for name in ("memcpy", "memset", "memmove", "sinf", "powf", "sqrt"):
            assert name in defined, f"{arch}: {name} missing"
