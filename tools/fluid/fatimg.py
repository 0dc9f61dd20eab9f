"""FAT16 test images without root: build with mtools or mkfs.fat, inspect and patch in Python.

Used by the FAT16 image tests, the PGO tests and the fuzz seed corpus (tools/fatimg.py seeds).
Never mounts.

    make_volume(path, tool, cluster_sectors)   bare FAT16 volume file ('mtools' or 'mkfs')
    add_files(path, {"/DIR/NAME.EXT": bytes})  copy files in with mcopy (directories by mmd)
    partition(volume, disk)                    disk image: MBR + the volume at PARTITION_LBA
    Volume(path)                               parse BPB/FAT/dirs; patch FAT entries and BPB
    fragment(path, "/NAME")                    move a file's clusters so no two are adjacent

Offsets and rules follow Microsoft's fatgen103; the numbers are kernel/fs/fat16.h's (same
names), from the generated layout, so the images are read the way the kernel reads them."""
import os
import random
import struct
import subprocess

from fluid import layout, mbr

_L = layout.default()
SECTOR = _L["SECTOR_SIZE"]
PARTITION_LBA = _L["PARTITION1_LBA"]
FUZZ_PARTITION_LBA = 63          # keeps partitioned fuzz seeds small
FAT16_MIN_CLUSTERS = _L["FAT16_MIN_CLUSTERS"]
FAT16_MAX_CLUSTERS = _L["FAT16_MAX_CLUSTERS"]
TARGET_CLUSTERS = 4600           # comfortably FAT16, as small as possible for speed
MBR_TYPE_FAT16_LBA = _L["MBR_TYPE_FAT16_LBA"]
FIRST_CLUSTER = _L["FAT_FIRST_CLUSTER"]
EOC_MIN = _L["FAT_EOC_MIN"]
EOC = 0xFFFF                     # the end-of-chain value mkfs.fat writes (any >= EOC_MIN)
FAT_ENTRY = _L["FAT_ENTRY_BYTES"]
DIR_ENTRY = _L["DIR_ENTRY_SIZE"]
ATTR_VOLUME_ID = _L["ATTR_VOLUME_ID"]
ATTR_LONG_NAME = _L["ATTR_LONG_NAME"]
ATTR_LONG_NAME_MASK = _L["ATTR_LONG_NAME_MASK"]

# BPB fields: name -> (offset, struct format), fatgen103 §3.1.
BPB = {name: (_L[name], fmt) for name, fmt in (
    ("BPB_BytsPerSec", "<H"), ("BPB_SecPerClus", "<B"), ("BPB_RsvdSecCnt", "<H"),
    ("BPB_NumFATs", "<B"), ("BPB_RootEntCnt", "<H"), ("BPB_TotSec16", "<H"),
    ("BPB_Media", "<B"), ("BPB_FATSz16", "<H"), ("BPB_TotSec32", "<I"))}


def run(*cmd):
    """Runs a tool; raises with its output if it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def volume_sectors(cluster_sectors, clusters=TARGET_CLUSTERS):
    """Sectors for a volume of about `clusters` clusters plus room for FATs and root."""
    fat_sectors = (clusters + FIRST_CLUSTER) * FAT_ENTRY // SECTOR + 1
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
        sector0 = bytearray(SECTOR)
        mbr.write_table(sector0, [mbr.entry(ptype, lba, sectors)])
        f.write(sector0)
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
        return struct.unpack("<H", self.read(self.fat_start + FAT_ENTRY * c, FAT_ENTRY))[0]

    def set_fat(self, c, value):
        """Sets entry c in every FAT copy."""
        for i in range(self.nfats):
            self.write(self.fat_start + i * self.fat_bytes + FAT_ENTRY * c,
                       struct.pack("<H", value))

    def chain(self, first):
        out, c = [], first
        while FIRST_CLUSTER <= c < EOC_MIN and len(out) <= self.clusters:
            out.append(c)
            c = self.fat(c)
        return out

    def cluster_offset(self, c):
        return self.data_start + (c - FIRST_CLUSTER) * self.cluster_bytes

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
                name, attr = e[_L["DIR_Name"]], e[_L["DIR_Attr"]]
                if name == _L["DIR_NAME_FREE_ALL"]:
                    return
                if (name != _L["DIR_NAME_DELETED"] and
                        attr & ATTR_LONG_NAME_MASK != ATTR_LONG_NAME and not attr & ATTR_VOLUME_ID):
                    yield start + i, e

    def entry(self, path):
        """(byte offset, entry) of the 8.3 path, e.g. "/CACHE/A.MOD"."""
        first, found = 0, None
        name_at = _L["DIR_Name"]
        for part in path.strip("/").upper().split("/"):
            base, _, ext = part.partition(".")
            want = base.ljust(_L["DIR_BASE_LEN"]).encode() + ext.ljust(_L["DIR_EXT_LEN"]).encode()
            found = next((x for x in self._dir_entries(first)
                          if x[1][name_at:name_at + _L["DIR_NAME_LEN"]] == want), None)
            if found is None:
                raise KeyError(path)
            first = struct.unpack_from("<H", found[1], _L["DIR_FstClusLO"])[0]
        return found

    def read_file(self, path):
        """The bytes of the file at path, following its cluster chain."""
        e = self.entry(path)[1]
        size = struct.unpack_from("<I", e, _L["DIR_FileSize"])[0]
        first = struct.unpack_from("<H", e, _L["DIR_FstClusLO"])[0]
        data = b"".join(self.read(self.cluster_offset(c), self.cluster_bytes)
                        for c in self.chain(first))
        if len(data) < size:
            raise ValueError(f"{path}: cluster chain shorter than its {size} bytes")
        return data[:size]

    def first_cluster(self, path):
        return struct.unpack_from("<H", self.entry(path)[1], _L["DIR_FstClusLO"])[0]

    def set_size(self, path, size):
        self.write(self.entry(path)[0] + _L["DIR_FileSize"], struct.pack("<I", size))

    def set_first_cluster(self, path, c):
        self.write(self.entry(path)[0] + _L["DIR_FstClusLO"], struct.pack("<H", c))


def fragment(path, name, seed=1):
    """Moves the clusters of file `name` to free clusters in shuffled order, with at least one
    free cluster between neighbours, so its chain jumps back and forth. Returns the new chain."""
    vol = Volume(path)
    old = vol.chain(vol.first_cluster(name))
    free = [c for c in range(FIRST_CLUSTER, vol.clusters + FIRST_CLUSTER) if vol.fat(c) == 0]
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

