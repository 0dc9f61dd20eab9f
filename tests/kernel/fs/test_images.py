"""FAT16 driver (kernel/fs/fat16.c) against images made by the real tools, through fat16cat.

Images come from mtools (mformat/mcopy/mmd) and dosfstools (mkfs.fat) with every FAT16 cluster
size from 1 to 64 sectors, bare or behind an MBR, with a fragmented file, subdirectories,
long names and deleted entries (fluid.fatimg). Corruptions are patched in with struct:
a cluster loop, a truncated chain, a file larger than its chain, bad cluster numbers and bad
boot-sector fields; each must end in a clear error naming the problem, within a timeout.
Needs build/host/fat16/fat16cat (make builds it before `make test`)."""
import os
import subprocess

from fluid import ROOT, fatimg

CAT = os.path.join(ROOT, "build", "host", "fat16", "fat16cat")
WORK = os.path.join(ROOT, "build", "fat16", "images")
TIMEOUT_S = 20          # a hang in the driver shows up as a failure, not a stuck run
CLUSTER_SIZES = (1, 2, 4, 8, 16, 32, 64)


def fat16cat(image, *args):
    """Runs fat16cat; returns (exit status, stdout bytes, stderr text)."""
    if not os.path.exists(CAT):
        raise AssertionError(f"{CAT} missing: run make {os.path.relpath(CAT, ROOT)}")
    proc = subprocess.run([CAT, image, *args], capture_output=True, timeout=TIMEOUT_S)
    return proc.returncode, proc.stdout, proc.stderr.decode(errors="replace")


def work_path(name):
    os.makedirs(WORK, exist_ok=True)
    return os.path.join(WORK, name)


def file_set(cluster_bytes):
    """Files around every sector and cluster boundary, in nested directories."""
    sizes = {"/ZERO.BIN": 0, "/ONE.BIN": 1, "/S511.BIN": 511, "/S512.BIN": 512,
             "/S513.BIN": 513, "/CACHE/I686/CM1.MOD": cluster_bytes - 1,
             "/CACHE/I686/C.MOD": cluster_bytes, "/CACHE/I686/CP1.MOD": cluster_bytes + 1,
             "/CACHE/X86_64/MULTI.MOD": 3 * cluster_bytes + 17, "/D1/D2/D3/DEEP.TXT": 70000,
             "/FRAG/BIG.BIN": 5 * cluster_bytes + 100}
    return {name: fatimg.payload(name, size) for name, size in sizes.items()}


def build_image(name, tool, cluster_sectors, partitioned, sector_size=fatimg.SECTOR):
    """Makes a volume with file_set, fragments /FRAG/BIG.BIN; returns (disk path, files)."""
    vol_path = work_path(name + ".vol")
    vol = fatimg.make_volume(vol_path, tool, cluster_sectors, sector_size=sector_size)
    files = file_set(vol.cluster_bytes)
    fatimg.add_files(vol_path, files)
    chain = fatimg.fragment(vol_path, "/FRAG/BIG.BIN")
    assert any(b != a + 1 for a, b in zip(chain, chain[1:])), f"not fragmented: {chain}"
    if not partitioned:
        return vol_path, files
    disk = work_path(name + ".disk")
    fatimg.partition(vol_path, disk)
    os.remove(vol_path)
    return disk, files


def check_image(disk, files):
    """tree lists exactly the files with their sizes; cat returns each one's bytes."""
    status, out, err = fat16cat(disk, "tree")
    assert status == 0, err
    want = sorted(f"{len(data)} {name}" for name, data in files.items())
    assert sorted(out.decode().splitlines()) == want, out.decode()
    for name, data in files.items():
        status, out, err = fat16cat(disk, "cat", name.lower() if len(data) % 2 else name)
        assert status == 0, f"{name}: {err}"
        assert out == data, f"{name}: {len(out)} bytes read, {len(data)} expected"


def read_case(tool, k, partitioned):
    def run():
        disk, files = build_image(f"{tool}-c{k}-{'mbr' if partitioned else 'bare'}", tool, k,
                                  partitioned)
        try:
            check_image(disk, files)
        finally:
            os.remove(disk)
    return run


def cases():
    """One read test per tool and cluster size; every other one behind an MBR."""
    for tool in ("mtools", "mkfs"):
        for i, k in enumerate(CLUSTER_SIZES):
            partitioned = (i + (tool == "mkfs")) % 2 == 1
            yield f"read_{tool}_cluster{k}_{'mbr' if partitioned else 'bare'}", \
                read_case(tool, k, partitioned)


def test_mkfs_4096_byte_sectors():
    disk, files = build_image("mkfs-s4096", "mkfs", 2, False, sector_size=4096)
    check_image(disk, files)


def test_long_names_and_deleted_entries():
    path = work_path("lfn.vol")
    fatimg.make_volume(path, "mtools", 4)
    long_data = fatimg.payload("long", 3000)
    fatimg.add_files(path, {"/a rather long file name.text": long_data,
                            "/GONE.TXT": b"deleted", "/KEEP.TXT": b"kept",
                            "/SUB/another long name here.bin": b"x" * 10})
    fatimg.delete_file(path, "/GONE.TXT")
    status, out, err = fat16cat(path, "ls", "/")
    assert status == 0, err
    names = [line.split()[2] for line in out.decode().splitlines()]
    assert len(names) == 3 and "KEEP.TXT" in names and "SUB" in names, names
    alias = next(n for n in names if "~" in n)
    assert alias.endswith(".TEX"), alias
    status, out, _ = fat16cat(path, "cat", "/" + alias)
    assert status == 0 and out == long_data
    status, _, err = fat16cat(path, "cat", "/GONE.TXT")
    assert status == 1 and "not found" in err, err
    status, out, err = fat16cat(path, "ls", "/SUB")
    assert status == 0 and len(out.decode().splitlines()) == 1, (out, err)


def test_second_disk_plain_volume_and_mbr_types():
    """A bare volume (as on the second disk, cache.img) and each FAT16 partition type."""
    vol = work_path("types.vol")
    fatimg.make_volume(vol, "mkfs", 8)
    fatimg.add_files(vol, {"/CACHE/I686/SHA256.MOD": b"module"})
    assert fat16cat(vol, "cat", "/CACHE/I686/SHA256.MOD")[1] == b"module"
    for ptype in (0x04, 0x06, 0x0E):
        disk = work_path(f"types-{ptype:02x}.disk")
        fatimg.partition(vol, disk, ptype=ptype)
        assert fat16cat(disk, "cat", "/cache/i686/sha256.mod")[1] == b"module"
    fatimg.partition(vol, disk, ptype=0x83)
    status, _, err = fat16cat(disk, "tree")
    assert status == 1 and "no FAT16 partition" in err, err


# ---- corruption: each must fail with a named error, quickly --------------------------------

def corrupt_volume(name):
    path = work_path(name + ".vol")
    vol = fatimg.make_volume(path, "mtools", 1)
    fatimg.add_files(path, {"/FILE.BIN": fatimg.payload("f", 10 * vol.cluster_bytes),
                            "/DIR/IN.TXT": b"inside"})
    return path, fatimg.Volume(path)


def expect_failure(path, args, message):
    status, _, err = fat16cat(path, *args)
    assert status == 1, f"exit {status}, expected 1: {err}"
    assert message in err, f"{message!r} not in: {err}"


def test_corrupt_cluster_loop():
    path, vol = corrupt_volume("loop")
    chain = vol.chain(vol.first_cluster("/FILE.BIN"))
    vol.set_fat(chain[-1], chain[3])
    expect_failure(path, ("cat", "/FILE.BIN"), "cluster chain loops")
    vol.set_fat(chain[0], chain[0])
    expect_failure(path, ("cat", "/FILE.BIN"), "cluster chain loops")


def test_corrupt_directory_loop():
    path, vol = corrupt_volume("dirloop")
    c = vol.first_cluster("/DIR")
    vol.set_fat(c, c)
    expect_failure(path, ("ls", "/DIR"), "cluster chain loops")
    expect_failure(path, ("tree",), "cluster chain loops")


def test_corrupt_truncated_chain():
    path, vol = corrupt_volume("trunc")
    chain = vol.chain(vol.first_cluster("/FILE.BIN"))
    vol.set_fat(chain[4], fatimg.EOC)
    expect_failure(path, ("cat", "/FILE.BIN"), "has a chain of only 5 clusters")


def test_corrupt_file_larger_than_chain():
    path, vol = corrupt_volume("large")
    vol.set_size("/FILE.BIN", 10 * vol.cluster_bytes + 1)
    expect_failure(path, ("cat", "/FILE.BIN"), "cluster chain shorter than file")
    vol.set_size("/FILE.BIN", 0xFFFFFFFF)
    expect_failure(path, ("cat", "/FILE.BIN"), "cluster chain shorter than file")


def test_corrupt_cluster_numbers():
    path, vol = corrupt_volume("badclus")
    chain = vol.chain(vol.first_cluster("/FILE.BIN"))
    for value, word in ((0, "free/reserved"), (vol.clusters + 2, "out-of-range"),
                        (0xFFF7, "bad")):
        vol.set_fat(chain[2], value)
        expect_failure(path, ("cat", "/FILE.BIN"), f"links to {word} cluster")
    vol.set_first_cluster("/FILE.BIN", 1)
    expect_failure(path, ("cat", "/FILE.BIN"), "starts at invalid cluster 1")


BOOT_SECTOR_CASES = [
    ("BPB_BytsPerSec", 1000, "BPB_BytsPerSec 1000"),
    ("BPB_SecPerClus", 3, "BPB_SecPerClus 3 is not a power of two"),
    ("BPB_RsvdSecCnt", 0, "BPB_RsvdSecCnt 0 is zero"),
    ("BPB_NumFATs", 3, "BPB_NumFATs 3"),
    ("BPB_RootEntCnt", 17, "BPB_RootEntCnt 17"),
    ("BPB_Media", 0x12, "BPB_Media 0x12"),
    ("BPB_FATSz16", 0, "BPB_FATSz16 0 is zero"),
    ("BPB_FATSz16", 1, "BPB_FATSz16 1 sectors cannot hold"),
    ("BPB_TotSec16", 3000, "is outside FAT16's 4085..65524"),   # FAT12-sized
]


def test_corrupt_boot_sector_fields():
    path, vol = corrupt_volume("bpb")
    with open(path, "rb") as f:
        good = f.read(fatimg.SECTOR)
    for field, value, message in BOOT_SECTOR_CASES:
        vol.write(0, good)
        vol.set_bpb(field, value)
        if field == "BPB_TotSec16":
            vol.set_bpb("BPB_TotSec32", 0)
        expect_failure(path, ("tree",), message)
    vol.write(0, good)
    vol.write(510, b"\x55\x00")
    expect_failure(path, ("tree",), "signature 0x5500")
    vol.write(0, good)
    assert fat16cat(path, "cat", "/DIR/IN.TXT")[1] == b"inside"


def test_corrupt_random_bytes_never_crash():
    """Random garbage in the FAT and root directory: any result but a crash or hang."""
    import random
    path, vol = corrupt_volume("noise")
    rng = random.Random(4)
    for _ in range(12):
        for _ in range(40):
            off = rng.randrange(vol.fat_start, vol.data_start)
            vol.write(off, bytes([rng.randrange(256)]))
        status, _, err = fat16cat(path, "tree")
        assert status in (0, 1), f"exit {status}: {err[-2000:]}"
