"""The profile saved to the boot disk's /PROFILE ring (kernel/bench/profile_store.h), under
QEMU with writes reaching a copy of fluid.img: the first boot (-M pc, ATA PIO writes) fills
RUN0 with exactly the profile of its serial log; the next (-M q35, INT 13h AH=43h writes)
fills RUN1 with seq 2; a torn newest slot (as after a power cut) is skipped by the reader,
which returns the previous profile, and is the one the next boot rewrites; `profile.write=0`
leaves the ring alone. The image stays a clean FAT16 volume throughout (fsck.fat -n). The
largest partition the tools make (2047 MiB, 32 KiB clusters) is written the same way, and the
x86-64 kernel saves its generation summary to the GEN ring (ATA, then the BIOS from long
mode). Also the Python side of the format on its own: round trip, torn slots, newest-wins."""
import os
import shutil
import subprocess

from fluid import ROOT
from fluid import cache as mkcache
from fluid import fatimg, profile_store, qemu
from fluid import profiles as fprofile

WORK = os.path.join(ROOT, "build", "test-images", "profile-disk")


def fresh(name):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name)
    shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
    return path


def boot(path, name, machine="pc", cmdline=None):
    b = qemu.boot(image=path, machine=machine, memory="64M", icount=True, timeout=90,
                  cmdline=cmdline, writable=True)
    qemu.check(name, b, lambda b: None)
    assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}\n{b.tail()}"
    return b


def fsck_clean(path):
    """fsck.fat -n over the partition, copied out data extent by data extent (the image is
    sparse: SEEK_DATA/SEEK_HOLE skip the holes): no repair needed."""
    part = path + ".part"
    base, end = mkcache.volume_offset(path), os.path.getsize(path)
    with open(path, "rb") as src, open(part, "wb") as dst:
        pos = base
        while pos < end:
            try:
                data = os.lseek(src.fileno(), pos, os.SEEK_DATA)
            except OSError:                 # no data after pos
                break
            hole = os.lseek(src.fileno(), data, os.SEEK_HOLE)
            src.seek(data)
            dst.seek(data - base)
            dst.write(src.read(hole - data))
            pos = hole
        dst.truncate(end - base)
    p = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
    os.unlink(part)
    assert p.returncode == 0, p.stdout + p.stderr


def tear(path, slot_name):
    """Changes one byte of a slot's JSON, as a write cut short would leave it."""
    vol = fatimg.Volume(path, base=mkcache.volume_offset(path))
    off = vol.cluster_offset(vol.first_cluster(slot_name)) + 200
    vol.write(off, bytes([vol.read(off, 1)[0] ^ 0x20]))


def test_boots_fill_the_ring_and_a_torn_slot_is_skipped():
    path = fresh("ring.img")
    names = profile_store.slot_names()
    assert [s for _, s, _ in profile_store.read_slots(path)] == [0] * len(names)
    b1 = boot(path, "profile_disk_pc")
    b1.expect(r"^profile: saved to ata0p1:/PROFILE/RUN0\.JSN, seq 1, \d+ bytes")
    saved, where = profile_store.newest(path)
    assert where == f"{names[0]} seq 1" and saved == fprofile.extract(b1.log), where
    b2 = boot(path, "profile_disk_q35", machine="q35")
    b2.expect(r"^profile: saved to bios80p1:/PROFILE/RUN1\.JSN, seq 2, \d+ bytes")
    assert profile_store.newest(path)[0] == fprofile.extract(b2.log)
    fsck_clean(path)
    tear(path, names[1])
    assert profile_store.newest(path)[1] == f"{names[0]} seq 1"
    b3 = boot(path, "profile_disk_after_tear")
    b3.expect(r"^profile: saved to ata0p1:/PROFILE/RUN1\.JSN, seq 2, \d+ bytes")
    before = [s for _, s, _ in profile_store.read_slots(path)]
    b4 = boot(path, "profile_disk_off", cmdline="profile.write=0 clock=icount")
    b4.expect(r"^profile: not saved to disk \(profile\.write=0\)")
    assert [s for _, s, _ in profile_store.read_slots(path)] == before
    fsck_clean(path)


def test_slot_format_round_trip_and_newest_wins():
    slot = profile_store.format_slot(9, '{"x":1}\n')
    assert len(slot) == qemu.layout.default()["PROFILE_STORE_SLOT_BYTES"]
    assert slot.startswith(b"FLUID-PROFILE 1 seq=0000000009 bytes=0000000008 crc32=")
    assert profile_store.parse_slot(slot) == (9, '{"x":1}\n')
    torn = bytearray(slot)
    torn[70] ^= 1
    assert profile_store.parse_slot(bytes(torn)) is None
    assert profile_store.parse_slot(b"\0" * len(slot)) is None
    path = fresh("newest.img")
    vol = fatimg.Volume(path, base=mkcache.volume_offset(path))
    for name, seq in zip(profile_store.slot_names(), (4, 6, 5, 0)):
        vol.write(vol.cluster_offset(vol.first_cluster(name)),
                  profile_store.format_slot(seq, f'{{"seq":{seq}}}'))
    assert profile_store.newest(path) == ({"seq": 6}, f"{profile_store.slot_names()[1]} seq 6")


def test_largest_fat16_partition_32k_clusters():
    """The image tools' largest partition (2047 MiB, 32 KiB clusters, sparse on the host):
    the kernel mounts it, runs, and saves its profile there, and fsck.fat finds it clean."""
    from fluid import image
    path = os.path.join(WORK, "fat2047.img")
    os.makedirs(WORK, exist_ok=True)
    image.build(path, os.path.join(ROOT, "build", "i686", "kernel.img"),
                fat_mib=image.MAX_FAT16_MIB, dirs=["/CACHE", "/CACHE/I686"])
    vol = fatimg.Volume(path, base=mkcache.volume_offset(path))
    assert vol.cluster_bytes == 32 * 1024, vol.cluster_bytes
    b = boot(path, "profile_disk_2047")
    b.expect(r"^profile: saved to ata0p1:/PROFILE/RUN0\.JSN, seq 1")
    assert profile_store.newest(path)[0] == fprofile.extract(b.log)
    fsck_clean(path)
    os.unlink(path)


def test_x86_64_saves_its_generation_summary():
    """The x86-64 kernel saves its {"llm": ...} summary line to the GEN ring of fluid64.img,
    through ATA (-M pc) and then through the BIOS from long mode (-M q35)."""
    import json
    from fluid import image, shared_models
    os.makedirs(WORK, exist_ok=True)
    cfg, path = os.path.join(WORK, "llm.cfg"), os.path.join(WORK, "llm.img")
    with open(cfg, "w") as f:
        f.write("model = MODEL.BIN\ntokenizer = TOKENIZ.BIN\nsteps = 8\ntemperature = 0\n")
    image.build(path, os.path.join(ROOT, "build", "x86_64", "kernel.img"), fat_mib="auto",
                dirs=["/MODELS"],
                files=[(cfg, "/MODELS/LLAMA.CFG"),
                       (shared_models.path("tok512.bin"), "/MODELS/TOKENIZ.BIN"),
                       (shared_models.path("stories260K.bin"), "/MODELS/MODEL.BIN")])
    for machine, seq, disk in (("pc64", 1, "ata0p1"), ("q3564", 2, "bios80p1")):
        b = qemu.boot(image=path, machine=machine, memory="512M", icount=True, timeout=120,
                      writable=True)
        qemu.check(f"profile_disk_llm_{machine}", b, lambda b: None)
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}\n{b.tail()}"
        b.expect(rf"^profile: saved to {disk}:/PROFILE/GEN{seq - 1}\.JSN, seq {seq}")
        summary = json.loads(b.expect(r'^\{"llm": .*\}$').group(0))
        saved, where = profile_store.newest(path, "llm")
        assert saved == summary and where.endswith(f"seq {seq}"), (where, saved)
    assert [s for _, s, _ in profile_store.read_slots(path, "suite")] == [0, 0, 0, 0]
    os.unlink(path)
