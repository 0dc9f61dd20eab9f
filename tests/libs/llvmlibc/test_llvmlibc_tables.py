"""libs/llvmlibc constant tables and freestanding archives.

The 2/pi and pi/2 tables of rem_pio2_large.c and the Cody-Waite pieces of rem_pio2.c are
recomputed here from pi (Machin's formula, exact integers), expf.c's 2^(i/N) table from exact
integer roots, and its polynomial's error bound with 40-digit decimals; the freestanding
archives must define every symbol they use (the kernel links no libgcc / compiler-rt)."""
import decimal
import math
import os
import re
import subprocess
from fractions import Fraction

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
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


def c_define(source, name):
    """Value of a '#define NAME <integer expression>' line (shifts, masks, other defines)."""
    expr = re.search(r"#define\s+" + name + r"\s+(.+?)(?:/\*.*)?$", source, re.M).group(1)
    expr = re.sub(r"(\d)u\b", r"\1", expr)
    expr = re.sub(r"\b([A-Z][A-Z0-9_]+)\b", lambda m: str(c_define(source, m.group(1))), expr)
    return eval(expr, {})                                   # integers and operators only


def iroot(a, n):
    """floor(a ** (1/n)) for positive integers (Newton's method, exact)."""
    x = 1 << -(-a.bit_length() // n)
    while True:
        y = ((n - 1) * x + a // x ** (n - 1)) // n
        if y >= x:
            break
        x = y
    while x ** n > a:
        x -= 1
    return x


def test_expf_exp2_table():
    """exp2_table[i] = bits of 2^(i/N) rounded to nearest, minus i << (52 - table bits)."""
    src = read("expf.c")
    src = src.replace("F64_MANT_BITS", "52")
    bits = c_define(src, "EXPF_TABLE_BITS")
    n = 1 << bits
    table = c_array(src, "exp2_table")
    assert len(table) == n
    for i, entry in enumerate(table):
        t = iroot(1 << (i + n * 53), n)           # floor(2^(i/N) * 2^53); never a tie for i > 0
        mantissa = (t + 1) >> 1                   # round to 53 bits
        assert mantissa < 1 << 53
        want = ((1023 << 52) + mantissa - (1 << 52) - (i << (52 - bits))) % (1 << 64)
        assert entry == want, f"exp2_table[{i}] = {entry:#018x}, want {want:#018x}"


def test_expf_polynomial_and_rounding_guard():
    """1 + C1 r + C2 r^2 is within 2^-33 of 2^(r/N) on |r| <= 1/2, and ROUNDING_GUARD covers
    the fast path's whole error in units of the double's last place (2^53 times the relative
    error, plus a few ulps of evaluation error), so no misrounded result escapes the check."""
    src = read("expf.c").replace("F64_MANT_BITS", "52")
    n = 1 << c_define(src, "EXPF_TABLE_BITS")
    c1, c2 = hexfloat(src, "C1"), hexfloat(src, "C2")
    ctx = decimal.Context(prec=40)
    ln2_n = ctx.divide(ctx.ln(decimal.Decimal(2)), n)
    worst = 0
    steps = 2000
    for j in range(-steps, steps + 1):
        r = Fraction(j, 2 * steps)
        exact = ctx.exp(ctx.multiply(ln2_n, decimal.Decimal(r.numerator) / r.denominator))
        approx = 1 + c1 * r + c2 * r * r
        rel = abs(Fraction(approx) / Fraction(exact) - 1)
        worst = max(worst, rel)
    assert worst < Fraction(1, 2**33), f"polynomial error {float(worst):.3g}"
    # Rounding errors, in units of the double's last place: z = x * N/ln2 (|x| < 87) carries
    # half an ulp of z (below 2^15) plus |x| times half an ulp of N/ln2, and that error in z
    # scales the result by ln2/N; the table entry and the final addition add half an ulp each.
    z_error = 2.0**(14 - 53) + 87 * 2.0**(8 - 53)
    evaluation_ulps = z_error * math.log(2) / n * 2**53 + 1
    bound_ulps = worst * 2**53 + Fraction(evaluation_ulps)
    assert c_define(src, "ROUNDING_GUARD") >= 2 * bound_ulps, "guard narrower than twice the error"


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
