#!/usr/bin/env python3
"""Independent reference answers for the benchmark modules (modules/*.c), computed with
Python's own tools (hashlib, sorted, re, cmath) rather than a port of the C code where one
exists. tests/modules/test_modules.py checks every module's FLUID_EXPECT line against these.

Usage: reference.py            print NAME VALUE for every module"""
import cmath
import hashlib
import math
import re

M32 = 0xFFFFFFFF
LCG_MUL, LCG_ADD = 1664525, 1013904223          # modules/include/fluid_module.h


def lcg(seed):
    state = seed
    while True:
        state = (state * LCG_MUL + LCG_ADD) & M32
        yield state


def take(gen, n):
    return [next(gen) for _ in range(n)]


def fibonacci():
    a, b = 0, 1
    for _ in range(22):
        a, b = b, a + b
    return a                                      # 17711, OEIS A000045


def sum_():
    words = take(lcg(1), 32768)
    plain = sum(words) & M32
    weighted = sum(w * (i + 1) for i, w in enumerate(words)) & M32
    return plain ^ weighted


def compute():
    total, longest, argmax = 0, 0, 0
    for n in range(1, 2501):
        steps, m = 0, n
        while m != 1:
            m = 3 * m + 1 if m & 1 else m // 2
            steps += 1
        total += steps
        if steps > longest:
            longest, argmax = steps, n
    return (total * 65599 + (longest << 16) + argmax) & M32


def primes():
    return sum(1 for n in range(2, 100001) if all(n % p for p in range(2, math.isqrt(n) + 1)))


def fft_1d():
    n = 1024
    x = [math.cos(2 * math.pi * 5 * k / n) + 0.5 * math.sin(2 * math.pi * 17 * k / n)
         for k in range(n)]
    # Only bins with energy need the O(N) sum; the rest round to 0 (checked at the known bins).
    sig = 0
    for k in range(n):
        if k not in (5, n - 5, 17, n - 17):
            continue
        xk = sum(x[t] * cmath.exp(-2j * math.pi * k * t / n) for t in range(n))
        sig += (k + 1) * (round(xk.real) + 3 * round(xk.imag))
    return sig & M32


def sha256():
    gen = lcg(7)
    data = bytes(next(gen) >> 24 for _ in range(8192))
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big")


def matrix_mul():
    n = 48
    a = [[(i * 7 + j * 3) % 17 - 8 for j in range(n)] for i in range(n)]
    b = [[(i * 5 + j * 11) % 13 - 6 for j in range(n)] for i in range(n)]
    s = 0
    for i in range(n):
        for j in range(n):
            c = sum(a[i][k] * b[k][j] for k in range(n))
            s = (s * 31 + (c & M32)) & M32
    return s


def quicksort():
    keys = sorted(take(lcg(12345), 2048))
    return sum(k * (i + 1) for i, k in enumerate(keys)) & M32


def strops():
    base = "the quick brown fox jumps over the lazy dog 0123456789"
    acc = 0
    for r in range(400):
        length = 100 + r % 50
        s = "".join(base[(i * 7 + r) % len(base)] for i in range(length))
        t = s[::-1]
        c = 1 if s < t else 2 if s > t else 0
        acc = (acc * 31 + len(s) + c + ord(t[0])) & M32
    return acc


def regex_dfa():
    alphabet = "abababcc0123 "
    gen = lcg(2024)
    text = "".join(alphabet[(next(gen) >> 16) % len(alphabet)] for _ in range(32768))
    matches, index_sum = 0, 0
    for i, tok in enumerate(text.split()):
        if re.fullmatch(r"(ab|ba)*c[0-9]+", tok):
            matches += 1
            index_sum += i
    return ((matches << 16) + (index_sum & 0xFFFF)) & M32


def gemm_tile():
    n = 64
    a = [[(i * 3 + j * 5) % 7 - 3 for j in range(n)] for i in range(n)]
    b = [[(i * 2 + j * 7) % 5 - 2 for j in range(n)] for i in range(n)]
    s = 0
    for i in range(n):
        for j in range(n):
            c = sum(a[i][k] * b[k][j] for k in range(n))
            s = (s * 31 + (c & M32)) & M32
    return s


def physics_step():
    n, dt, k = 64, 0.01, 1.0
    x = [0.0] * (n + 2)
    v = [0.0] * (n + 2)
    for i in range(1, n + 1):
        x[i] = ((i * 37) % 11 - 5) * 0.01

    def forces():
        return [0.0] + [k * (x[i + 1] - 2.0 * x[i] + x[i - 1]) for i in range(1, n + 1)] + [0.0]

    f = forces()
    for _ in range(400):
        for i in range(1, n + 1):
            v[i] += 0.5 * dt * f[i]
            x[i] += dt * v[i]
        f = forces()
        for i in range(1, n + 1):
            v[i] += 0.5 * dt * f[i]
    e = sum(0.5 * v[i] * v[i] for i in range(1, n + 1))
    e += sum(0.5 * k * (x[i + 1] - x[i]) ** 2 for i in range(0, n + 1))
    q = e + sum(0.001 * (i + 1) * x[i] for i in range(1, n + 1))
    scaled = q * 1e9
    return int(scaled - 0.5 if scaled < 0 else scaled + 0.5) & M32


REFERENCES = {"fibonacci": fibonacci, "sum": sum_, "compute": compute, "primes": primes,
              "fft_1d": fft_1d, "sha256": sha256, "matrix_mul": matrix_mul,
              "quicksort": quicksort, "strops": strops, "regex_dfa": regex_dfa,
              "gemm_tile": gemm_tile, "physics_step": physics_step}

if __name__ == "__main__":
    for name, fn in REFERENCES.items():
        print(name, f"0x{fn():08x}")
