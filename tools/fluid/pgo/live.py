"""The live loop's host side (docs/live.md): the frame codec of kernel/bench/live_frame.h, a
session with a kernel booted in QEMU with COM2 on a unix socket, and the loop behind
`make pgo-live` (tools/pgo_live.py): read HELLO and PROFILE, build variants of the hottest
modules for the CPU the kernel reported, send them as VARIANT frames, log each ACK/NAK.

Every number of the format comes from the generated layout (boot/asm-offsets.c exports
live_frame.h), so this file holds no copy of a C constant.

    encode(type, seq, payload)       one frame's bytes
    Decoder().feed(data)             [(Frame or FrameError)] of the bytes so far
    variant_payload(module, mod)     a VARIANT payload
    LiveBoot(...)                    QEMU with COM2 on a socket this process listens on
    run_loop(...)                    the pgo-live loop"""
import functools
import json
import os
import socket
import struct
import tempfile
import threading
import time
import zlib

from fluid import ROOT, layout, qemu
from fluid.pgo import build

HEADER = struct.Struct("<IBBHII")      # magic, version, type, reserved, seq, length
CRC = struct.Struct("<I")
LIVE_DIR = os.path.join(ROOT, "build", "pgo", "live")
# Kernel CPU feature name -> (module format feature, clang flag). The kernel leaves AVX
# state off (kernel/core/cpu.h), so AVX and AVX2 are never asked for.
ISA_STEPS = [("sse3", "sse3", "-msse3"), ("ssse3", "ssse3", "-mssse3"),
             ("sse4_1", "sse41", "-msse4.1"), ("sse4_2", "sse42", "-msse4.2")]


@functools.lru_cache(maxsize=None)
def spec():
    """{NAME: value} of the LIVE_* constants, names without the prefix (read once)."""
    return layout.default().prefixed("LIVE_")


@functools.lru_cache(maxsize=None)
def types():
    """{type number: name} of the frame types (T_HELLO -> 'hello')."""
    return {v: k[2:].lower() for k, v in spec().items() if k.startswith("T_")}


def type_number(name):
    return spec()["T_" + name.upper()]


class FrameError(Exception):
    """A frame the decoder refused: reason (as the kernel's live_strerror), seq or None."""

    def __init__(self, reason, detail, seq=None):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.seq = reason, detail, seq


class Frame:
    def __init__(self, type_, seq, payload):
        self.type, self.seq, self.payload = type_, seq, payload

    @property
    def name(self):
        return types().get(self.type, f"0x{self.type:02x}")

    def json(self):
        """The payload as a JSON object (HELLO, PROFILE, ACK and NAK carry one)."""
        return json.loads(self.payload.decode("utf-8"))

    def __repr__(self):
        return f"Frame({self.name}, seq={self.seq}, {len(self.payload)} bytes)"


def encode(type_, seq, payload=b"", *, version=None, reserved=0, length=None, crc=None):
    """One frame. The keyword arguments forge a hostile one (tests): another version, a
    reserved value, a length field that lies, a CRC that does not match."""
    s = spec()
    if len(payload) > s["MAX_PAYLOAD"] and length is None:
        raise ValueError(f"payload of {len(payload)} bytes over the maximum {s['MAX_PAYLOAD']}")
    head = HEADER.pack(s["MAGIC"], s["VERSION"] if version is None else version, type_,
                       reserved, seq, len(payload) if length is None else length)
    body = head + payload
    return body + CRC.pack(zlib.crc32(body) if crc is None else crc)


def variant_payload(module, mod_bytes):
    """A VARIANT payload: the module's name, NUL-padded, then the .mod file."""
    n = spec()["VARIANT_NAME_LEN"]
    raw = module.encode()
    if not raw or len(raw) >= n:
        raise ValueError(f"module name {module!r} must be 1..{n - 1} bytes")
    return raw.ljust(n, b"\0") + mod_bytes


class Decoder:
    """The host's receiver: the same rules as the kernel's (magic resync, version, type,
    reserved, length, CRC), for the kernel's frame types."""

    def __init__(self):
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data):
        self.buf += data
        out = []
        while True:
            item = self._one()
            if item is None:
                return out
            out.append(item)

    def _one(self):
        s = spec()
        magic = struct.pack("<I", s["MAGIC"])
        at = self.buf.find(magic)
        if at < 0:
            keep = next((k for k in range(3, 0, -1) if self.buf.endswith(magic[:k])), 0)
            self.skipped += len(self.buf) - keep
            del self.buf[:len(self.buf) - keep]
            return None
        self.skipped += at
        del self.buf[:at]
        if len(self.buf) < s["HEADER_SIZE"]:
            return None
        _, version, type_, reserved, seq, length = HEADER.unpack_from(self.buf)
        bad = None
        if version != s["VERSION"]:
            bad = ("bad_version", f"version {version} (supported {s['VERSION']})")
        elif type_ not in types() or type_ >= 0x80:
            bad = ("bad_type", f"type 0x{type_:02x} is not a kernel frame type")
        elif reserved:
            bad = ("bad_reserved", f"reserved field 0x{reserved:04x} (must be 0)")
        elif length > s["MAX_PAYLOAD"]:
            bad = ("too_long", f"payload length {length} over the maximum {s['MAX_PAYLOAD']}")
        if bad:
            del self.buf[:s["HEADER_SIZE"]]
            return FrameError(*bad, seq=seq)
        total = s["HEADER_SIZE"] + length + s["CRC_SIZE"]
        if len(self.buf) < total:
            return None
        body = bytes(self.buf[:total - s["CRC_SIZE"]])
        (want,) = CRC.unpack_from(self.buf, total - s["CRC_SIZE"])
        del self.buf[:total]
        if zlib.crc32(body) != want:
            return FrameError("bad_crc", f"bad CRC-32 0x{want:08x} (computed "
                              f"0x{zlib.crc32(body):08x})", seq=seq)
        return Frame(type_, seq, body[s["HEADER_SIZE"]:])


class LiveBoot:
    """A boot of the image with COM2 connected to a unix socket this process listens on.
    QEMU runs in a thread through fluid.qemu.boot (timeout, killed by its pid); frames()
    yields what the kernel sends, send() writes to it. Use as a context manager."""

    def __init__(self, image=qemu.IMAGE, cmdline=None, timeout=60, cpu=None):
        self.dir = tempfile.mkdtemp(prefix="fluid-live-")
        self.path = os.path.join(self.dir, "com2.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.listener.settimeout(timeout)
        extra = ["-chardev", f"socket,id=live,path={self.path}",
                 "-device", "isa-serial,chardev=live,iobase=0x2f8,irq=3"]
        self.result = None
        self.thread = threading.Thread(target=self._boot, daemon=True,
                                       args=(image, cmdline, timeout, cpu, extra))
        self.conn, self.decoder, self.pending, self.backlog = None, Decoder(), [], []
        self.errors = []

    def _boot(self, image, cmdline, timeout, cpu, extra):
        self.result = qemu.boot(image=image, cmdline=cmdline, timeout=timeout, cpu=cpu,
                                extra=extra)

    def __enter__(self):
        self.thread.start()
        self.conn, _ = self.listener.accept()
        return self

    def __exit__(self, *exc):
        self.thread.join()      # QEMU ends by itself or at its timeout; the line stays open
        self.close()
        os.unlink(self.path)
        os.rmdir(self.dir)

    def close(self):
        """Hang up the host's end: QEMU drops what it has not read yet, and the kernel sees
        silence."""
        if self.conn:
            self.conn.close()
            self.conn = None
        self.listener.close()

    def send(self, data):
        self.conn.sendall(data)

    def next_frame(self, timeout=30, want=None, match=None):
        """The next frame the kernel sent of type name `want` (any if None) for which
        match(frame) holds (if given); frames passed over are kept for later calls, frames
        the decoder refused go to self.errors. None at timeout or when the line closed."""
        def fits(f):
            return (want is None or f.name == want) and (match is None or match(f))
        deadline = time.monotonic() + timeout
        while True:
            for i, f in enumerate(self.backlog):
                if fits(f):
                    return self.backlog.pop(i)
            while self.pending:
                item = self.pending.pop(0)
                if isinstance(item, FrameError):
                    self.errors.append(item)
                elif fits(item):
                    return item
                else:
                    self.backlog.append(item)
            left = deadline - time.monotonic()
            if left <= 0 or not self.conn:
                return None
            self.conn.settimeout(left)
            try:
                data = self.conn.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.pending += self.decoder.feed(data)

    def answer_to(self, seq, timeout=30):
        """The ACK or NAK for the host's frame seq (other frames are kept for later)."""
        return self.next_frame(timeout, match=lambda f: f.name in ("ack", "nak") and
                               f.json().get("seq") == seq)


# ---- building variants for the CPU the kernel reported --------------------------------

def isa_flags(hello):
    """(clang flags, module features, short form) beyond SSE2 that the reported CPU has."""
    have = set(hello.get("features", []))
    flags, feats, short = [], [], []
    if not hello.get("sse_enabled") or "sse2" not in have:
        return flags, feats, short
    for kname, feat, flag in ISA_STEPS:
        if kname not in have:
            break           # each step implies the ones before it
        flags.append(flag)
        feats.append(feat)
        short = [flag]
    return flags, feats, short


def build_variant(name, hello):
    """Compile module name for the reported CPU: O3 with SSE2 and the SSE levels above it
    the CPU has (-O2 x87 on a CPU without SSE2), with the instrumented profile when
    build/pgo/profdata/<name>.profdata exists. Returns (path, short flags)."""
    sse = hello.get("sse_enabled") and "sse2" in hello.get("features", [])
    has_prof = os.path.exists(build.profdata_path(name))
    variant = ("O3-sse2" if sse else "O2") + ("-pgo" if has_prof else "")
    flags, short, v, bflags, features = build.variant_flags(variant, name)
    extra, feats, extra_short = isa_flags(hello)
    features = features + feats
    opt = short.split()[0]
    short = " ".join([opt] + (extra_short or (["-msse2"] if sse else [])) +
                     (["-fprofile-use"] if has_prof else []) + ["-march=pentium2"])
    flags = flags + extra
    os.makedirs(LIVE_DIR, exist_ok=True)
    obj, elf, mod = (os.path.join(LIVE_DIR, name + ext) for ext in (".o", ".elf", ".mod"))
    build.run([build.CC] + flags + build.includes() + build.WARNINGS +
              ["-c", "-o", obj, build.source_of(name)])
    build.run([build.LD, "-m", "elf_i386", "-T", build.MODULE_LD, "--emit-relocs",
               "--no-undefined", "-static", "-o", elf, obj,
               build.libc_for(build.VARIANTS[variant][0])])
    build.pack(elf, mod, name, v, bflags, short, " ".join(flags), features)
    return mod, short


def hottest(profile, count):
    """The count modules with the most cycles so far (calls x median), hottest first."""
    mods = [m for m in profile.get("modules", []) if m.get("status") == "ok"]
    mods.sort(key=lambda m: m["calls"] * m["median"], reverse=True)
    return [m["name"] for m in mods[:count]]


def run_loop(image=qemu.IMAGE, hot=2, linger_ms=60000, timeout=300, log=print):
    """Boot, read HELLO and PROFILE frames until the suite is done, build the hottest
    modules for the reported CPU, send them, log each ACK/NAK, say BYE. Returns
    (acks, naks, boot result)."""
    cmdline = f"live.linger={linger_ms}"
    acks, naks = [], []
    with LiveBoot(image=image, cmdline=cmdline, timeout=timeout) as lb:
        hello = lb.next_frame(timeout=60, want="hello")
        if hello is None:
            raise RuntimeError("pgo-live: no HELLO from the kernel on COM2")
        h = hello.json()
        log(f"pgo-live: HELLO {h['vendor']} family {h['family']} model {h['model']} "
            f"stepping {h['stepping']}, build {h['build_id']}, "
            f"features {' '.join(h['features'])}")
        profile = None
        while True:
            f = lb.next_frame(timeout=120, want="profile")
            if f is None:
                raise RuntimeError("pgo-live: the kernel stopped sending PROFILE frames")
            profile = f.json()
            if profile["done"]:
                break
        names = hottest(profile, hot)
        log(f"pgo-live: suite done; hottest: {', '.join(names)}")
        seq = 1
        for name in names:
            path, short = build_variant(name, h)
            with open(path, "rb") as fp:
                mod = fp.read()
            log(f"pgo-live: VARIANT seq {seq}: {name} \"{short}\", {len(mod)} bytes")
            lb.send(encode(type_number("variant"), seq, variant_payload(name, mod)))
            ans = lb.answer_to(seq, timeout=60)
            if ans is None:
                log(f"pgo-live: no answer to seq {seq}")
                naks.append(None)
            else:
                a = ans.json()
                log(f"pgo-live: {ans.name.upper()} seq {seq}: {a['reason']}: {a['detail']}")
                (acks if ans.name == "ack" else naks).append(a)
            seq += 1
        lb.send(encode(type_number("bye"), seq))
        for e in lb.errors:
            log(f"pgo-live: refused a kernel frame: {e}")
    return acks, naks, lb.result
