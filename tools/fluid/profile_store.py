"""The /PROFILE rings the kernels save to (kernel/fs/profile_store.h): the suite's profile in
RUN0.JSN .., the LLM generation summary in GEN0.JSN .., slot files of PROFILE_STORE_SLOT_BYTES,
each a 64-byte header line
    FLUID-PROFILE 1 seq=0000000007 bytes=0000012345 crc32=1a2b3c4d
then the JSON, then newlines. The image tools write the empty ring; readers take the valid
slot (header well-formed, CRC-32 of the JSON matching) with the highest seq, so a slot torn by
a power cut is skipped and the previous profile is read. Works on an image file or on a block
device (a stick plugged into the build machine)."""
import json
import os
import re
import zlib

from fluid import layout

PAD = b"\n"


class StoreError(Exception):
    pass


def _L():
    return layout.default()


def kinds():
    """{"suite": "RUN", "llm": "GEN"}: the rings and their slot file prefixes."""
    L = _L()
    return {"suite": L["PROFILE_STORE_SUITE"], "llm": L["PROFILE_STORE_LLM"]}


def slot_names(kind="suite"):
    L = _L()
    prefix = kinds()[kind]
    return [f"{L['PROFILE_STORE_DIR']}/{prefix}{i}.JSN" for i in range(L["PROFILE_STORE_SLOTS"])]


def _header_re():
    L = _L()
    return re.compile(re.escape(L["PROFILE_STORE_MAGIC"]).encode() +
                      rb" %d seq=(\d{10}) bytes=(\d{10}) crc32=([0-9a-f]{8})"
                      % L["PROFILE_STORE_VERSION"])


def format_slot(seq, text):
    """A whole slot holding JSON text (str) as save number seq."""
    L = _L()
    body = text.encode()
    room = L["PROFILE_STORE_SLOT_BYTES"] - L["PROFILE_STORE_HEADER_BYTES"]
    if len(body) > room:
        raise StoreError(f"{len(body)} bytes of JSON do not fit a {room}-byte slot")
    head = (f"{L['PROFILE_STORE_MAGIC']} {L['PROFILE_STORE_VERSION']} seq={seq:010d} "
            f"bytes={len(body):010d} crc32={zlib.crc32(body):08x}").encode()
    head = head.ljust(L["PROFILE_STORE_HEADER_BYTES"] - 1) + b"\n"
    return head + body + PAD * (room - len(body))


def parse_slot(data):
    """(seq, JSON text) of a valid slot, None for a torn or foreign one."""
    L = _L()
    m = _header_re().match(data)
    if not m:
        return None
    seq, size, crc = int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
    start = L["PROFILE_STORE_HEADER_BYTES"]
    body = data[start:start + size]
    if size > len(data) - start or zlib.crc32(body) != crc:
        return None
    return seq, body.decode("utf-8", errors="replace")


def read_slots(path, kind="suite"):
    """[(slot name, seq or None, JSON text or None)] of ring kind on image or device path."""
    from fluid import cache, fatimg         # not at the top: fluid.image imports this module
    vol = fatimg.Volume(path, base=cache.volume_offset(path))
    out = []
    for name in slot_names(kind):
        try:
            parsed = parse_slot(vol.read_file(name))
        except (KeyError, ValueError) as e:
            raise StoreError(f"{path}: {name}: {e}")
        out.append((name, *(parsed or (None, None))))
    return out


def newest(path, kind="suite"):
    """The newest document of ring kind (dict) and where it came from ("RUN2.JSN seq 7")."""
    best = None
    for name, seq, text in read_slots(path, kind):
        if seq and (best is None or seq > best[1]):
            best = (name, seq, text)
    if best is None:
        raise StoreError(f"{path}: nothing saved in {_L()['PROFILE_STORE_DIR']}/"
                         f"{kinds()[kind]}*.JSN")
    try:
        return json.loads(best[2]), f"{best[0]} seq {best[1]}"
    except ValueError as e:
        raise StoreError(f"{path}: {best[0]}: not JSON: {e}")


def empty_ring_files(tmpdir):
    """[(host path, /PROFILE/XXXn.JSN)] of the never-written slots of every ring, made in
    tmpdir."""
    empty = os.path.join(tmpdir, "empty.jsn")
    with open(empty, "wb") as f:
        f.write(format_slot(0, ""))
    return [(empty, name) for kind in kinds() for name in slot_names(kind)]
