"""fluid.wisdom (the host side of the planner's wisdom file, kernel/bench/wisdom.h): a round
trip, the never-written file, and each rule the kernel's parser enforces refused with the
kernel's words: the header, bytes= past the room, the CRC, a module before the cpu line, a
vendor that is not printable ASCII, a bad key; and the fuzz seeds it writes for the kernel
parser's fuzz target."""
import os
import tempfile
import zlib

from fluid import wisdom

CPU = dict(vendor="AuthenticAMD", family=23, model=49, stepping=0, features=0x3F)
MODULES = [dict(module="sum", chosen=1, keys=[(0xA4077C49, 0xF3FFF6E8), (1, 2)])]


def refused(data, words):
    try:
        wisdom.parse(data)
    except wisdom.WisdomError as e:
        assert words in str(e), (words, str(e))
        return
    raise AssertionError(f"accepted; expected an error with {words!r}")


def reseal(body):
    """A file with a true header around body (as wisdom.format_wisdom seals it)."""
    good = wisdom.format_wisdom(CPU, [])
    head = (f"{wisdom.MAGIC} {wisdom.VERSION} bytes={len(body):010d} "
            f"crc32={zlib.crc32(body):08x}").ljust(wisdom.HEADER_BYTES - 1).encode() + b"\n"
    return head + body + b"\n" * (len(good) - len(head) - len(body))


def test_round_trip_and_empty():
    data = wisdom.format_wisdom(CPU, MODULES)
    assert len(data) == wisdom.FILE_BYTES
    cpu, modules = wisdom.parse(data)
    assert cpu == CPU and modules == MODULES
    assert wisdom.parse(wisdom.empty()) is None


def test_each_rule_refused():
    good = wisdom.format_wisdom(CPU, MODULES)
    refused(b"FLUID-WISDOM 2" + good[14:], "header is not")
    refused(good[:21] + b"9999999999" + good[31:], "bytes=9999999999, room for")
    n = int(good[21:31])
    flipped = bytearray(good)
    flipped[wisdom.HEADER_BYTES + n - 2] ^= 1
    refused(bytes(flipped), "CRC-32")
    refused(reseal(b"module sum 0 2 00000001:00000002,00000003:00000004\n"), "line 2")
    refused(reseal(b"cpu Genu\x01neIntel 6 6 3 0000001f\n"), "line 2: not a cpu")
    refused(reseal(b"cpu Genu\xe9neIntel 6 6 3 0000001f\n"), "line 2: not a cpu")
    refused(reseal(b"cpu ThirteenChars 6 6 3 0000001f\n"), "line 2: not a cpu")
    refused(reseal(b"cpu AuthenticAMD 23 49 0 0000003f\nmodule sum 1 2 zz\n"), "line 3")
    refused(reseal(b"\n"), "no cpu line")
    refused(reseal(b"cpu AuthenticAMD 23 49 0 0000003f\nmodule " + b"x" * wisdom.MAX_LINE),
            "line 3: too long")
    refused(reseal(b"cpu AuthenticAMD 23 49 0 0000003f\nmodule sum 0 2 00000001:00000002\n"),
            "line 3: not a cpu")


def test_fuzz_seeds_written():
    with tempfile.TemporaryDirectory() as d:
        wisdom.fuzz_seeds(d)
        names = sorted(os.listdir(d))
        assert "file-good" in names and "body-good" in names and len(names) >= 8
        with open(os.path.join(d, "file-good"), "rb") as f:
            assert wisdom.parse(f.read())[0]["vendor"] == "GenuineIntel"
        with open(os.path.join(d, "body-good"), "rb") as f:
            assert f.read(1)[0] & 1                 # odd first byte: a body to seal
