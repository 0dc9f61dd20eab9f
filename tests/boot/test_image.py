"""The disk image as a file: MBR layout, the FAT16 partition mtools and Linux see, and
byte-identical rebuilds. Also the image tools' refusals."""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

from fluid import ROOT, image, kernel_image, layout
from fluid.qemu import IMAGE

OFFSETS = os.path.join(ROOT, "build", "gen", "asm-offsets.inc")
L = layout.load(OFFSETS)


def mbr():
    with open(IMAGE, "rb") as f:
        return f.read(512)


def test_mbr_signature_and_active_fat16_partition():
    sector = mbr()
    assert sector[510:512] == b"\x55\xAA"
    status, ptype = sector[446], sector[446 + 4]
    lba, count = struct.unpack_from("<II", sector, 446 + 8)
    assert status == 0x80, f"partition 1 not active: status 0x{status:02x}"
    assert ptype in (0x06, 0x0E), f"partition type 0x{ptype:02x}"
    assert lba == 2048 == L["PARTITION1_LBA"]
    assert os.path.getsize(IMAGE) == (lba + count) * 512
    assert sector[446 + 16:510] == bytes(510 - 446 - 16), "only partition 1 is used"


def test_bpb_gap_left_for_usb_bios():
    sector = mbr()
    assert sector[0] == 0xEB and sector[1] == 0x58, "stage1 must jump over the BPB area"
    assert sector[3:90] == bytes(87)


def test_mtools_lists_the_partition():
    out = subprocess.run(["mdir", "-i", f"{IMAGE}@@1M", "::/"], capture_output=True,
                         text=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    assert out.returncode == 0, out.stderr
    assert "CACHE" in out.stdout, out.stdout
    info = subprocess.run(["minfo", "-i", f"{IMAGE}@@1M", "::"], capture_output=True, text=True)
    assert "hidden sectors: 2048" in info.stdout, info.stdout


def test_partition_passes_fsck_fat():
    """dosfstools' checker, which reads the volume the way Linux's vfat driver expects it."""
    with open(IMAGE, "rb") as f:
        f.seek(L["PARTITION1_LBA"] * 512)
        volume = f.read()
    with tempfile.NamedTemporaryFile(suffix=".fat") as part:
        part.write(volume)
        part.flush()
        out = subprocess.run(["fsck.fat", "-n", part.name], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_fat_type_is_fat16_by_cluster_count():
    with open(IMAGE, "rb") as f:
        f.seek(L["PARTITION1_LBA"] * 512)
        bs = f.read(512)
    bytes_per_sector, spc, reserved, fats, root_entries, total16 = struct.unpack_from(
        "<HBHBHH", bs, 11)
    fat_size, = struct.unpack_from("<H", bs, 22)
    total32, = struct.unpack_from("<I", bs, 32)
    total = total16 or total32
    root_sectors = (root_entries * 32 + bytes_per_sector - 1) // bytes_per_sector
    clusters = (total - reserved - fats * fat_size - root_sectors) // spc
    assert 4085 <= clusters <= 65524, f"{clusters} clusters is not FAT16 (fatgen103)"


def test_image_build_is_reproducible():
    """Two builds from scratch, in different build directories, give the same bytes."""
    digests = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("a", "b"):
            build = os.path.join(tmp, name)
            out = os.path.join(build, "fluid.img")
            proc = subprocess.run(["make", "-s", f"BUILD={build}", f"IMAGE={out}", out],
                                  cwd=ROOT, capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
            with open(out, "rb") as f:
                digests.append(hashlib.sha256(f.read()).hexdigest())
    assert digests[0] == digests[1], digests


def test_stage2_crc_covers_all_its_sectors():
    """The image tool stores the CRC-32 of stage2's sectors, up to the CRC itself, in their
    last four bytes (boot/stage2.asm check_stage2 compares them)."""
    with open(IMAGE, "rb") as f:
        area = f.read(L["KERNEL_LBA"] * 512)
    start = L["STAGE2_LBA"] * 512
    end = start + L["STAGE2_CRC_OFFSET"]
    assert end + 4 == (L["STAGE2_LBA"] + L["STAGE2_MAX_SECTORS"]) * 512
    stored, = struct.unpack_from("<I", area, end)
    assert stored == zlib.crc32(area[start:end]), f"stored 0x{stored:08x}"


def test_mkimage_refuses_a_stage2_over_its_crc():
    with open(os.path.join(ROOT, "build", "boot", "stage2.bin"), "rb") as f:
        stage2 = bytearray(f.read())
    assert len(stage2) == L["STAGE2_MAX_SECTORS"] * 512
    stage2[L["STAGE2_CRC_OFFSET"]] = 1
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "stage2.bin")
        with open(bad, "wb") as f:
            f.write(stage2)
        try:
            image.build(os.path.join(tmp, "x.img"), os.path.join(ROOT, "build", "i686", "kernel.img"),
                        stage2=bad)
        except image.ImageError as e:
            assert "CRC-32" in str(e), str(e)
        else:
            raise AssertionError("mkimage accepted a stage2 that overwrites its CRC")


def test_mkkernel_refuses_a_kernel_larger_than_the_boot_area():
    raw = bytearray(L["KERNEL_MAX_SECTORS"] * 512 + 1)
    struct.pack_into("<IHH", raw, 0, L["KH_MAGIC_VALUE"], 1, L["KH_SIZE"])
    try:
        kernel_image.finish(bytes(raw), L, "test", 0)
    except kernel_image.KernelImageError as e:
        assert "boot area" in str(e), str(e)
    else:
        raise AssertionError("mkkernel accepted an oversize kernel")


def test_mkkernel_fills_size_and_crc():
    raw = bytearray(4096)
    struct.pack_into("<IHH", raw, 0, L["KH_MAGIC_VALUE"], 1, L["KH_SIZE"])
    raw[100:104] = b"abcd"
    img = kernel_image.finish(bytes(raw), L, "rev123", 77)
    assert struct.unpack_from("<I", img, L["KH_IMAGE_SIZE"])[0] == 4096
    at = L["KH_CRC32"]
    crc = struct.unpack_from("<I", img, at)[0]
    assert crc == zlib.crc32(img[at + 4:], zlib.crc32(img[:at])), "CRC of all but the CRC field"
    moved = bytearray(img)
    struct.pack_into("<I", moved, L["KH_ENTRY"], struct.unpack_from("<I", img, L["KH_ENTRY"])[0] + 1)
    assert kernel_image.image_crc(moved, L) != crc, "the CRC must cover the header's entry field"
    assert img[L["KH_BUILD_ID"]:L["KH_BUILD_ID"] + 6] == b"rev123"


def test_asm_offsets_do_not_depend_on_the_target():
    """The x86-64 kernel shares boot_info and the kernel header: their layout must be the same
    when asm-offsets.c is compiled for x86-64 as for i686 (packed structs, fixed widths)."""
    with tempfile.TemporaryDirectory() as tmp:
        asm = os.path.join(tmp, "o.s")
        inc = os.path.join(tmp, "o.inc")
        subprocess.run(["clang", "--target=x86_64-elf", "-ffreestanding", "-I.", "-Iinclude",
                        "-S", "-o", asm, "boot/asm-offsets.c"], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "tools/gen_asm_offsets.py", asm, inc], cwd=ROOT,
                       check=True)
        assert layout.load(inc) == L


def test_partition_size_auto_fits_the_files_and_fat16():
    """--fat-mib auto sizes the partition for what it holds; a partition too small for the
    files, or files beyond FAT16's 2047 MiB, fail before anything is written, naming sizes."""
    from fluid import image
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(d, "model.bin")
        with open(model, "wb") as f:
            f.truncate(100 << 20)               # sparse: nothing written to disk
        files = [(model, "/MODELS/MODEL.BIN")]
        size = image.partition_mib("auto", ["/MODELS"], files)
        assert 100 < size <= 100 + image.AUTO_SLACK_MIB + 2, size
        assert image.partition_mib("auto", [], []) == image.MIN_FAT16_MIB
        need = -(-image.bytes_needed(["/MODELS"], files) // image.MIB)
        assert 100 < need < 100 + 4, need       # the file, the directory, the profile rings
        for fat_mib, message in ((32, f"the files need up to {need} MiB; the partition has 32"),
                                 (2048, "holds at most 2047 MiB")):
            try:
                image.partition_mib(fat_mib, ["/MODELS"], files)
                raise AssertionError(f"--fat-mib {fat_mib} accepted")
            except image.ImageError as e:
                assert message in str(e), str(e)
        with open(model, "r+b") as f:
            f.truncate(2100 << 20)
        try:
            image.partition_mib("auto", ["/MODELS"], files)
            raise AssertionError("2100 MiB of files accepted")
        except image.ImageError as e:
            assert "at most 2047 MiB" in str(e) and f"need {need + 2000} MiB" in str(e), str(e)
