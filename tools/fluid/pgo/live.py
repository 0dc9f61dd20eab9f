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
import concurrent.futures
import functools
import json
import os
import socket
import struct
import tempfile
import threading
import time
import zlib

from fluid import ROOT, layout, modfmt, qemu
from fluid.pgo import build
from fluid.pgo import params

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

    def __init__(self, image=qemu.IMAGE, cmdline=None, timeout=60, cpu=None, icount=False,
                 memory="32M"):
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
                                       args=(image, cmdline, timeout, cpu, extra, icount,
                                             memory))
        self.conn, self.decoder, self.pending, self.backlog = None, Decoder(), [], []
        self.errors = []

    def _boot(self, image, cmdline, timeout, cpu, extra, icount, memory):
        self.result = qemu.boot(image=image, cmdline=cmdline, timeout=timeout, cpu=cpu,
                                extra=extra, icount=icount, memory=memory)

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

    def profiles_until_done(self, timeout=30):
        """The JSON of each PROFILE frame up to the one with "done": true, in order (other
        frames are kept for later). If the frames stop first (timeout each), the list ends
        without it: the caller checks list[-1]["done"]."""
        out = []
        while not (out and out[-1]["done"]):
            f = self.next_frame(timeout, want="profile")
            if f is None:
                break
            out.append(f.json())
        return out

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


def has_sse2(hello):
    return bool(hello.get("sse_enabled")) and "sse2" in hello.get("features", [])


def cpu_variant(variant, hello):
    """variant (a name of fluid.pgo.build.VARIANTS) as this CPU can run it: without SSE2,
    the same optimisation with x87 floating point (O3-sse2 -> O3)."""
    return variant if has_sse2(hello) else variant.replace("-sse2", "")


def build_variant(name, hello, variant=None, setting=None, profile=None):
    """Compile module name for the reported CPU: variant (default O3-sse2; its x87 form on a
    CPU without SSE2, O2 when no variant is asked there) with the SSE levels above SSE2
    the CPU has, parameter setting {NAME: value} (none: the defaults), and the instrumented
    profile of build/pgo/profdata when profile is true (None: when one exists for that
    setting). Returns (path, short flags: the header's label)."""
    setting = setting or {}
    if variant is None:
        variant = "O3-sse2" if has_sse2(hello) else "O2"
    variant = cpu_variant(variant, hello)
    if profile is None:
        profile = os.path.exists(build.profdata_path(name, setting))
    flags, text, v, bflags, features = build.variant_flags(variant, name, setting, profile)
    extra, feats, extra_short = isa_flags(hello)
    features = features + feats
    words = [w for w in text.split() if w != build.MARCH_SHORT and not w.startswith("-D")]
    words = [build.PROFILE_USE_ALIAS if w == build.PROFILE_USE_SHORT else w for w in words]
    if extra_short:
        words = [extra_short[0] if w == "-msse2" else w for w in words]
    short = build.label(words, setting)
    flags = flags + extra
    os.makedirs(LIVE_DIR, exist_ok=True)
    stem = f"{name}-{variant}{params.tag(setting)}{'+profile' if profile else ''}"
    obj, elf, mod = (os.path.join(LIVE_DIR, stem + ext) for ext in (".o", ".elf", ".mod"))
    build.run([build.CC] + flags + build.includes() + build.WARNINGS +
              ["-c", "-o", obj, build.source_of(name)])
    build.run([build.LD, "-m", "elf_i386", "-T", build.MODULE_LD, "--emit-relocs",
               "--no-undefined", "-static", "-o", elf, obj,
               build.libc_for(build.VARIANTS[variant][0])])
    build.pack(elf, mod, name, v, bflags, short, " ".join(flags), features)
    return mod, short


# ---- the search while a module runs -----------------------------------------------------

# The first stage for a running module: the flag sets the offline search found to matter
# most (docs/pgo.md), at the default parameters. The planner in the kernel measures them
# against the module's build; the later stages search the parameters at each of them.
FLAG_ROUND = ["O3-sse2", "O3-sse2-unroll", "O2-sse2"]
# Builds the live search sends a module at most: the three flag sets, each parameter value
# at each of them (sha256's six other UNROLL values: 18) and a combination per flag set, cut
# here (the kernel retires at most PLANNER_MAX_RETIREMENTS a module a boot, 32).
LIVE_BUILD_BUDGET = 22


class Sent:
    """One variant sent for a module: what it is, how the kernel answered, and what the
    kernel measured of it (median in the mid-run frames' clock; None until a frame says)."""

    def __init__(self, name, variant, setting, path, label, seq):
        self.name, self.variant, self.setting = name, variant, dict(setting or {})
        self.path, self.label, self.seq = path, label, seq
        with open(path, "rb") as f:
            self.blob = f.read()
        self.crc = zlib.crc32(self.blob)
        self.key = key_of(self.blob)
        self.answer = None          # "ack", "nak" or None (no answer yet)
        self.median = None          # the kernel's measurement, once a frame showed it
        self.failed = False         # the kernel demoted it (wrong answer, fault, timeout)
        self.lost = False           # retired before a frame showed its median

    @classmethod
    def unbuilt(cls, name, variant, setting):
        """A build the compiler or the packer refused: never sent, answered "unbuilt"."""
        s = cls.__new__(cls)
        s.name, s.variant, s.setting = name, variant, dict(setting or {})
        s.path = s.label = s.seq = s.crc = s.key = s.median = None
        s.blob, s.answer, s.failed, s.lost = b"", "unbuilt", True, False
        return s

    def settled(self):
        """NAKed or never built, or ACKed and measured (or failed) as a frame showed: nothing
        more to learn."""
        return self.answer in ("nak", "unbuilt") or (self.answer == "ack" and (
            self.median is not None or self.failed or self.lost))


def key_of(blob):
    """A build's key as the kernel names it in a mid-run frame's `present` list (the wisdom
    key): ("0x" CRC-32 of the file, "0x" the header's flags hash). Two files of the same
    code differ in the second alone (the header's own CRC leaves the file's CRC as it was)."""
    return f"0x{zlib.crc32(blob):08x}", f"0x{modfmt.parse(blob)['cflags_hash']:08x}"


class ModulePlan:
    """The live search's state for one module: its stage ("flags", "params", "combine",
    "done") and what it sent."""

    def __init__(self, base=0):
        self.stage = "flags"
        self.sent = []
        self.base = base        # candidates the module had before any offer (first frame)

    def accepted(self):
        return [v for v in self.sent if v.answer == "ack"]

    def answered(self):
        return all(v.answer is not None for v in self.sent)

    def settled(self):
        return all(v.settled() for v in self.sent)

    def learn(self, running):
        """Medians and demotions of the candidates a frame lists, by key. Once the frame's
        candidates and retirements account for every ACKed build (all adopted), one missing
        from the list was retired before a frame showed it (a batch whose frames reached the
        kernel across two of its polls): a loser, settled with no median."""
        present = running.get("present", [])
        by_key = {(p["crc32"], p["flags_hash"]): p for p in present}
        acked = self.accepted()
        adopted = running.get("candidates", 0) + running.get("retired", 0) - self.base
        for s in acked:
            p = by_key.get(s.key)
            if p is None:
                s.lost = adopted >= len(acked)
            elif p.get("demoted"):
                s.failed = True
            elif p.get("measured"):
                s.median = p["median"]

    def measured(self, variant=None):
        """The builds measured and not failed (at flag set `variant` if given)."""
        return [s for s in self.sent if s.median is not None and not s.failed and
                (variant is None or s.variant == variant)]

    def flag_ranking(self):
        """The flag sets of the first stage that the kernel measured, fastest first."""
        best = {}
        for s in self.measured():
            if not s.setting and s.variant in FLAG_ROUND:
                best[s.variant] = min(best.get(s.variant, s.median), s.median)
        return sorted(best, key=lambda v: (best[v], FLAG_ROUND.index(v)))

    def best_setting(self, variant, decls):
        """Each parameter's best value at flag set `variant`, the others at their defaults
        (what the kernel measured; the default when nothing beat it): coordinate descent's
        end point, taken from one pass."""
        out = {}
        for p in decls:
            tried = [(s.median, s.setting.get(p.name, p.default)) for s in self.measured(variant)
                     if set(s.setting) <= {p.name}]
            if tried:
                out[p.name] = min(tried)[1]
        return {n: v for n, v in out.items()
                if v != next(p.default for p in decls if p.name == n)}


def param_order(decls):
    """[(NAME, value)] of every parameter's non-default values, nearest to the default in
    its candidate list first, parameters in declaration order at equal distance."""
    out = []
    for pi, p in enumerate(decls):
        d = p.values.index(p.default)
        out += [(abs(i - d), pi, p.name, v) for i, v in enumerate(p.values) if v != p.default]
    return [(n, v) for _, _, n, v in sorted(out)]


class LiveSearch:
    """What to build for a module while it runs, from its mid-run PROFILE frames ("running",
    docs/live.md), in stages as the offline search orders them:

    1. "flags": FLAG_ROUND at the default parameters;
    2. "params": each parameter's other values, one at a time, at every flag set of stage 1
       the kernel measured, fastest first (nearest values first, each at every flag set,
       before the next value);
    3. "combine": at each of those flag sets where two parameters or more found a better
       value than their default, those values together (where the offline coordinate
       descent ends up).

    At most LIVE_BUILD_BUDGET builds a module. A stage's builds go out in batches of at most
    the frame's `room` (what the kernel's table can take now, retiring losers); the next
    batch waits until every build sent was answered and a frame showed its measurement
    (matched by key in the frame's `present` list), so the kernel never retires a build
    before its median is known. Pure: decide() returns [(variant, setting)] to build; the
    caller builds, sends, and records each with sent() and its answer."""

    def __init__(self, hello, decls_of=None, budget=LIVE_BUILD_BUDGET):
        self.hello = hello
        self.max = hello.get("max_candidates", 0)
        self.budget = budget
        self.plans = {}
        self.queue = {}         # module -> [(variant, setting)] of its stage not sent yet
        self.decls_of = decls_of or (lambda n: params.parse(build.source_of(n)))

    def plan(self, name):
        return self.plans.get(name)

    def _room(self, running):
        if "room" in running:
            return running["room"]
        return max(self.max - running["candidates"], 0)     # a kernel without retirement

    def _stage_builds(self, name, p):
        """The next stage's builds (p.stage moves on); [] when the search is over."""
        decls = self.decls_of(name)
        done = {(s.variant, tuple(sorted(s.setting.items()))) for s in p.sent}
        if p.stage == "flags":
            p.stage = "params"
            flags = p.flag_ranking()
            todo = [(f, {n: v}) for n, v in param_order(decls) for f in flags]
        elif p.stage == "params":
            p.stage = "combine"
            todo = []
            for f in p.flag_ranking():
                best = p.best_setting(f, decls)
                if len(best) >= 2:
                    todo.append((f, best))
        else:
            p.stage = "done"
            return []
        return [t for t in todo if (t[0], tuple(sorted(t[1].items()))) not in done]

    def decide(self, running):
        name = running["name"]
        p = self.plans.get(name)
        if p is None:
            p = self.plans[name] = ModulePlan(running.get("candidates", 0) +
                                              running.get("retired", 0))
            self.queue[name] = [(v, {}) for v in FLAG_ROUND]
        p.learn(running)
        if not p.settled():
            return []
        left = self.budget - len(p.sent)
        while not self.queue[name] and p.stage != "done":      # a stage may have nothing
            todo = self._stage_builds(name, p)
            if p.stage == "params":
                # keep the budget's last builds for the combinations (one per flag set, for
                # a module with two parameters or more)
                reserve = len(p.flag_ranking()) if len(self.decls_of(name)) >= 2 else 0
                todo = todo[:max(left - reserve, 0)]
            self.queue[name] = todo
        batch = self.queue[name][:max(min(self._room(running), left), 0)]
        self.queue[name] = self.queue[name][len(batch):]
        return batch

    def stage(self, name):
        p = self.plans.get(name)
        return p.stage if p else None

    def sent(self, item):
        self.plans[item.name].sent.append(item)

    def final(self, name, crc32, label):
        """The Sent a module finished on, given its record in the profile (`crc32` as a hex
        string, `label`); None for a candidate the search did not send."""
        p = self.plans.get(name)
        crc = int(crc32, 16)
        for s in (p.sent if p else []):
            if s.crc == crc and s.label == label:
                return s
        return None


def hottest(profile, count):
    """The count modules with the most cycles so far (calls x median), hottest first."""
    mods = [m for m in profile.get("modules", []) if m.get("status") == "ok"]
    mods.sort(key=lambda m: m["calls"] * m["median"], reverse=True)
    return [m["name"] for m in mods[:count]]


class LoopResult:
    """What run_loop did: answers (acks, naks: the JSON of each, None for no answer), the
    boot (fluid.qemu's result), the live search (search.plans: per module what was sent
    while it ran), and `after`: the Sent items of the modules built after the suite."""

    def __init__(self):
        self.acks, self.naks, self.boot, self.search, self.after = [], [], None, None, []


def _build_one(name, hello, variant, setting, profile):
    """(path, label) of one build, or (None, why) when the build refused it (a flags label
    past the header's field, a compiler error): one build lost, not the loop."""
    try:
        return build_variant(name, hello, variant, setting, profile)
    except build.BuildError as e:
        return None, str(e).splitlines()[0]


def _build_all(name, hello, todo, profile=None):
    """Builds todo [(variant, setting)] of module name, two at a time, with profile as
    build_variant takes it; [(variant, setting, path or None, label or why)] in todo's
    order."""
    with concurrent.futures.ThreadPoolExecutor(build.JOBS) as ex:
        futs = [ex.submit(_build_one, name, hello, v, st, profile) for v, st in todo]
        return [(v, st) + f.result() for (v, st), f in zip(todo, futs)]


def run_loop(image=qemu.IMAGE, hot=2, linger_ms=60000, timeout=300, log=print, cmdline=None,
             icount=False, memory="32M", use_profile=None):
    """Boot (with cmdline's options added) and serve the kernel: for each module whose
    mid-run PROFILE frames arrive ("running": a long run, suite.calls or suite.seconds), the
    live search's stages (LiveSearch) built for the reported CPU and sent while it runs;
    after the suite, the `hot` modules with the most cycles that were not served while
    running, built as before (build_variant's default); every ACK/NAK logged; BYE at the
    end. use_profile: build_variant's profile (None: a profile where one exists; False: none, so the
    builds do not depend on what earlier searches left in build/pgo). Returns a LoopResult."""
    opts = f"live.linger={linger_ms}" + (f" {cmdline}" if cmdline else "")
    res = LoopResult()
    by_seq = {}
    seq = 1

    def record(f):
        a = f.json()
        item = by_seq.get(a.get("seq"))
        if item is not None and item.answer is None:
            item.answer = f.name
            (res.acks if f.name == "ack" else res.naks).append(a)
            log(f"pgo-live: {f.name.upper()} seq {a['seq']}: {a['reason']}: {a['detail']}")

    def send(lb, name, built):
        nonlocal seq
        out = []
        for variant, setting, path, short in built:
            if path is None:
                log(f"pgo-live: {name} {variant} {setting or ''}: not built: {short}")
                out.append(Sent.unbuilt(name, variant, setting))
                continue
            item = Sent(name, variant, setting, path, short, seq)
            by_seq[seq] = item
            log(f"pgo-live: VARIANT seq {seq}: {name} \"{short}\", {len(item.blob)} bytes")
            lb.send(encode(type_number("variant"), seq, variant_payload(name, item.blob)))
            seq += 1
            out.append(item)
        return out

    with LiveBoot(image=image, cmdline=opts, timeout=timeout, icount=icount,
                  memory=memory) as lb:
        hello = lb.next_frame(timeout=60, want="hello")
        if hello is None:
            raise RuntimeError("pgo-live: no HELLO from the kernel on COM2")
        h = hello.json()
        log(f"pgo-live: HELLO {h['vendor']} family {h['family']} model {h['model']} "
            f"stepping {h['stepping']}, build {h['build_id']}, "
            f"features {' '.join(h['features'])}")
        res.search = search = LiveSearch(h)
        while True:
            f = lb.next_frame(timeout=120)
            if f is None:
                raise RuntimeError("pgo-live: the kernel stopped sending PROFILE frames")
            if f.name in ("ack", "nak"):
                record(f)
                continue
            if f.name != "profile":
                continue
            profile = f.json()
            run = profile.get("running")
            if run:
                todo = search.decide(run)
                if todo:
                    log(f"pgo-live: {run['name']} running ({run['calls']} calls, median "
                        f"{run['median']} {profile['clock']}, variant {run['variant']} "
                        f"\"{run['label']}\", room {run.get('room')}): "
                        f"{search.stage(run['name'])} stage, {len(todo)} builds")
                    for item in send(lb, run["name"],
                                     _build_all(run["name"], h, todo, use_profile)):
                        search.sent(item)
            elif profile["done"]:
                break
        names = [n for n in hottest(profile, hot) if search.plan(n) is None]
        if names:
            log(f"pgo-live: suite done; hottest not served while running: {', '.join(names)}")
        for name in names:
            res.after += send(lb, name, [(None, None) + build_variant(name, h, None, None,
                                                                       use_profile)])
        for item in [i for i in by_seq.values() if i.answer is None]:
            ans = lb.answer_to(item.seq, timeout=60)
            if ans is None:
                log(f"pgo-live: no answer to seq {item.seq}")
                res.naks.append(None)
            else:
                record(ans)
        lb.send(encode(type_number("bye"), seq))
        for e in lb.errors:
            log(f"pgo-live: refused a kernel frame: {e}")
    res.boot = lb.result
    return res
