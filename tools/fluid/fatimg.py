#!/usr/bin/env python3
"""FAT16 test images without root: build with mtools or mkfs.fat, inspect and patch in Python.

Used by the FAT16 tests (tests/fat16/) and the fuzz seed corpus (fuzz/). Never mounts.

    make_volume(path, tool, cluster_sectors)   bare FAT16 volume file ('mtools' or 'mkfs')
    add_files(path, {"/DIR/NAME.EXT": bytes})  copy files in with mcopy (directories by mmd)
    partition(volume, disk)                    disk image: MBR + the volume at PARTITION_LBA
    Volume(path)                               parse BPB/FAT/dirs; patch FAT entries and BPB
    fragment(path, "/NAME")                    move a file's clusters so no two are adjacent

Offsets and rules follow Microsoft's fatgen103 (the same names as kernel/fs/fat16.c).
Command line: fatimg.py seeds OUTDIR   writes the fuzz seed corpus (small trimmed images)."""
import os
import random
import struct
import subprocess
import sys

SECTOR = 512
PARTITION_LBA = 2048             # include/fluid/memlayout.h PARTITION1_LBA
FUZZ_PARTITION_LBA = 63          # keeps partitioned fuzz seeds small
FAT16_MIN_CLUSTERS = 4085        # fatgen103 §3.5
FAT16_MAX_CLUSTERS = 65524
TARGET_CLUSTERS = 4600           # comfortably FAT16, as small as possible for speed
MBR_TYPE_FAT16_LBA = 0x0E
EOC = 0xFFFF
DIR_ENTRY = 32
ATTR_DIRECTORY = 0x10
ATTR_LONG_NAME = 0x0F

# BPB fields: name -> (offset, struct format), fatgen103 §3.1.
BPB = {
    "BPB_BytsPerSec": (11, "<H"), "BPB_SecPerClus": (13, "<B"), "BPB_RsvdSecCnt": (14, "<H"),
    "BPB_NumFATs": (16, "<B"), "BPB_RootEntCnt": (17, "<H"), "BPB_TotSec16": (19, "<H"),
    "BPB_Media": (21, "<B"), "BPB_FATSz16": (22, "<H"), "BPB_TotSec32": (32, "<I"),
}


def run(*cmd):
    """Runs a tool; raises with its output if it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def volume_sectors(cluster_sectors, clusters=TARGET_CLUSTERS):
    """Sectors for a volume of about `clusters` clusters plus room for FATs and root."""
    fat_sectors = (clusters + 2) * 2 // SECTOR + 1
    return clusters * cluster_sectors + 2 * fat_sectors + 64 + 8


def make_volume(path, tool, cluster_sectors, sectors=None, sector_size=SECTOR):
    """Creates a bare FAT16 volume at path with mtools' mformat or dosfstools' mkfs.fat
    (sector_size other than 512: mkfs only). sectors counts 512-byte sectors."""
    sectors = sectors or volume_sectors(cluster_sectors) * sector_size // SECTOR
    if os.path.exists(path):
        os.remove(path)
    if tool == "mtools":
        with open(path, "wb") as f:
            f.truncate(sectors * SECTOR)
        run("mformat", "-i", path, "-T", str(sectors), "-h", "16", "-s", "63",
            "-c", str(cluster_sectors), "-v", "FLUIDTEST", "::")
    elif tool == "mkfs":
        run("mkfs.fat", "-F", "16", "-s", str(cluster_sectors), "-S", str(sector_size),
            "-n", "FLUIDTEST",
            "-C", path, str(sectors * SECTOR // 1024))
    else:
        raise ValueError(f"fatimg: unknown tool {tool!r}")
    vol = Volume(path)
    if not FAT16_MIN_CLUSTERS <= vol.clusters <= FAT16_MAX_CLUSTERS:
        raise RuntimeError(f"fatimg: {tool} made {vol.clusters} clusters, not FAT16")
    return vol


def add_files(path, files, offset=0):
    """Copies {"/DIR/NAME": bytes} into the volume at byte offset, making directories."""
    image = f"{path}@@{offset}" if offset else path
    made = set()
    tmp = path + ".tmp"
    for name, data in files.items():
        parts = name.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                run("mmd", "-D", "s", "-i", image, "::/" + d)
                made.add(d)
        with open(tmp, "wb") as f:
            f.write(data)
        run("mcopy", "-D", "o", "-i", image, tmp, "::/" + "/".join(parts))
    if os.path.exists(tmp):
        os.remove(tmp)


def delete_file(path, name):
    run("mdel", "-i", path, "::" + name)


def sparse_copy(src, dst, offset):
    """Copies file src into dst at byte offset, leaving all-zero blocks as holes."""
    block = 64 * 1024
    with open(src, "rb") as s, open(dst, "r+b") as d:
        pos = 0
        while chunk := s.read(block):
            if chunk.count(0) != len(chunk):
                d.seek(offset + pos)
                d.write(chunk)
            pos += len(chunk)


def partition(volume, disk, ptype=MBR_TYPE_FAT16_LBA, lba=PARTITION_LBA):
    """Writes disk: an MBR whose entry 1 holds volume at sector lba, then the volume."""
    size = os.path.getsize(volume)
    sectors = size // SECTOR
    with open(disk, "wb") as f:
        f.truncate(lba * SECTOR + size)
        mbr = bytearray(SECTOR)
        mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\0\0\0", ptype, b"\0\0\0",
                                   lba, sectors)
        mbr[510:512] = b"\x55\xaa"
        f.write(mbr)
    sparse_copy(volume, disk, lba * SECTOR)


class Volume:
    """A parsed FAT16 volume file (bare, at byte offset `base`)."""

    def __init__(self, path, base=0):
        self.path, self.base = path, base
        bs = self.read(0, SECTOR)
        f = {k: struct.unpack_from(fmt, bs, off)[0] for k, (off, fmt) in BPB.items()}
        self.bps, self.spc = f["BPB_BytsPerSec"], f["BPB_SecPerClus"]
        self.fat_start = f["BPB_RsvdSecCnt"] * self.bps
        self.fat_bytes = f["BPB_FATSz16"] * self.bps
        self.nfats = f["BPB_NumFATs"]
        self.root_start = self.fat_start + self.nfats * self.fat_bytes
        self.root_entries = f["BPB_RootEntCnt"]
        self.data_start = self.root_start + self.root_entries * DIR_ENTRY
        self.cluster_bytes = self.bps * self.spc
        total = f["BPB_TotSec16"] or f["BPB_TotSec32"]
        self.clusters = (total * self.bps - self.data_start) // self.cluster_bytes

    def read(self, off, n):
        with open(self.path, "rb") as f:
            f.seek(self.base + off)
            return f.read(n)

    def write(self, off, data):
        with open(self.path, "r+b") as f:
            f.seek(self.base + off)
            f.write(data)

    def set_bpb(self, field, value):
        off, fmt = BPB[field]
        self.write(off, struct.pack(fmt, value))

    def fat(self, c):
        return struct.unpack("<H", self.read(self.fat_start + 2 * c, 2))[0]

    def set_fat(self, c, value):
        """Sets entry c in every FAT copy."""
        for i in range(self.nfats):
            self.write(self.fat_start + i * self.fat_bytes + 2 * c, struct.pack("<H", value))

    def chain(self, first):
        out, c = [], first
        while 2 <= c < 0xFFF8 and len(out) <= self.clusters:
            out.append(c)
            c = self.fat(c)
        return out

    def cluster_offset(self, c):
        return self.data_start + (c - 2) * self.cluster_bytes

    def _dir_entries(self, first):
        """Yields (byte offset, 32-byte entry) of a directory (first 0: the root)."""
        if first == 0:
            spans = [(self.root_start, self.root_entries * DIR_ENTRY)]
        else:
            spans = [(self.cluster_offset(c), self.cluster_bytes) for c in self.chain(first)]
        for start, length in spans:
            data = self.read(start, length)
            for i in range(0, length, DIR_ENTRY):
                e = data[i:i + DIR_ENTRY]
                if e[0] == 0:
                    return
                if e[0] != 0xE5 and e[11] & 0x3F != ATTR_LONG_NAME and not e[11] & 0x08:
                    yield start + i, e

    def entry(self, path):
        """(byte offset, entry) of the 8.3 path, e.g. "/CACHE/A.MOD"."""
        first, found = 0, None
        for part in path.strip("/").upper().split("/"):
            base, _, ext = part.partition(".")
            want = base.ljust(8).encode() + ext.ljust(3).encode()
            found = next((x for x in self._dir_entries(first) if x[1][:11] == want), None)
            if found is None:
                raise KeyError(path)
            first = struct.unpack_from("<H", found[1], 26)[0]
        return found

    def first_cluster(self, path):
        return struct.unpack_from("<H", self.entry(path)[1], 26)[0]

    def set_size(self, path, size):
        self.write(self.entry(path)[0] + 28, struct.pack("<I", size))

    def set_first_cluster(self, path, c):
        self.write(self.entry(path)[0] + 26, struct.pack("<H", c))


def fragment(path, name, seed=1):
    """Moves the clusters of file `name` to free clusters in shuffled order, with at least one
    free cluster between neighbours, so its chain jumps back and forth. Returns the new chain."""
    vol = Volume(path)
    old = vol.chain(vol.first_cluster(name))
    free = [c for c in range(2, vol.clusters + 2) if vol.fat(c) == 0]
    spaced = free[::2][:len(old)]
    if len(spaced) < len(old):
        raise RuntimeError("fatimg: not enough free clusters to fragment")
    random.Random(seed).shuffle(spaced)
    for src, dst in zip(old, spaced):
        vol.write(vol.cluster_offset(dst), vol.read(vol.cluster_offset(src), vol.cluster_bytes))
    for i, c in enumerate(spaced):
        vol.set_fat(c, spaced[i + 1] if i + 1 < len(spaced) else EOC)
    for c in old:
        vol.set_fat(c, 0)
    vol.set_first_cluster(name, spaced[0])
    return spaced


def payload(name, size):
    """Deterministic file contents for a test file."""
    return random.Random(f"{name}:{size}").randbytes(size)


def write_seeds(outdir):
    """Fuzz seeds: small volumes (1-sector clusters), bare and behind an MBR, cut after their
    last non-zero byte (the fuzz target reads zeros past the end of its input)."""
    os.makedirs(outdir, exist_ok=True)
    work, disk = os.path.join(outdir, "work.img"), os.path.join(outdir, "disk.img")
    for tool in ("mtools", "mkfs"):
        make_volume(work, tool, 1)
        add_files(work, {"/A.TXT": payload("a", 700), "/CACHE/I686/SHA256.MOD": payload("m", 1500),
                         "/a long name.txt": payload("l", 100)})
        fragment(work, "/CACHE/I686/SHA256.MOD")
        partition(work, disk, lba=FUZZ_PARTITION_LBA)
        for kind, src in (("bare", work), ("mbr", disk)):
            with open(src, "rb") as f:
                data = f.read()
            with open(os.path.join(outdir, f"seed-{tool}-{kind}.img"), "wb") as f:
                f.write(data[:len(data.rstrip(b"\0")) + 1])
    os.remove(work)
    os.remove(disk)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seeds":
        write_seeds(sys.argv[2])
    else:
        sys.exit(__doc__)
