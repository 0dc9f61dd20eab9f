"""Boot a Fluid image headless in Bochs and return what its COM1 said.

Bochs is a second emulator beside QEMU, with its own BIOS (rombios), its own CPU models (some
with x2APIC, which QEMU's TCG lacks) and its own UART timing. Each boot runs on a copy of the
image in a fresh directory, so the kernel's profile writes never reach the original; the
command line goes into that copy as /CMDLINE.TXT (Bochs has no fw_cfg; kernel/drivers/optfile.h).
Bochs has no exit device: the kernel prints "fluid: done, status ok|failed" and halts, so the
boot is stopped when the log shows its last line (or `until`), or at the timeout, and the
status is read from that line. Every Bochs is killed by its own pid; none is left running.

Debian's bochs is built with its debugger, which waits at a prompt: "c" on stdin continues.
It has no "nogui" display; "rfb" with timeout=0 runs headless. It takes the first free port
from 5900 on, but not safely when two start at once: its socket has SO_REUSEADDR, so two can
bind one port before either listens; the loser's listen fails and every later bind of that
socket too, and Bochs quits before its first instruction. So Bochs starts one at a time,
machine-wide, under a file lock held until its log says it listens."""
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time

from fluid import ROOT, fatimg, qemu

BOCHS = "bochs"
BIOS = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS = "/usr/share/vgabios/vgabios.bin"
IMAGE = os.path.join(ROOT, "fluid.img")
# Haswell: long mode, AVX2, and x2APIC in CPUID.1:ECX[21] (bochs -help cpu lists the models).
CPU_MODEL = "corei7_haswell_4770"
# Bochs's virtual clock: instructions per emulated second. The TSC counts at this rate, and the
# PIT ticks by it, so a boot's emulated time is its instruction count over IPS.
IPS = 50_000_000
CMDLINE_PATH = "/CMDLINE.TXT"
LAST_LINE = r"^fluid: no debug-exit device at port"
STATUS_LINE = re.compile(r"^fluid: done, status (ok|failed)$", re.M)
POLL_INTERVAL_S = 0.1
PARTITION_OFFSET = fatimg.PARTITION_LBA * fatimg.SECTOR
# Bochs's rfb start-up, serialized across processes (see above).
RFB_LOCK = os.path.join(tempfile.gettempdir(), "fluid-bochs-rfb.lock")
# Bochs's log once its rfb display is up, or has given up.
RFB_STARTED = r"listening for connections on port|RFB could not bind"
RFB_START_TIMEOUT_S = 10

CONFIG = """megs: {megs}
cpu: model={model}, count={cpus}, ips={ips}, reset_on_triple_fault=0
romimage: file={bios}
vgaromimage: file={vga_bios}
ata0-master: type=disk, path={disk}, mode=flat
boot: disk
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev={com1}
log: {log}
panic: action=fatal
error: action=report
sound: driver=dummy
speaker: enabled=0
"""


def missing():
    """Why Bochs cannot run here, or None: the Debian 12 packages bochs, bochsbios, vgabios."""
    if not shutil.which(BOCHS):
        return "bochs is not installed (Debian: apt-get install bochs bochsbios vgabios)"
    for path, package in ((BIOS, "bochsbios"), (VGA_BIOS, "vgabios")):
        if not os.path.isfile(path):
            return f"{path} is missing (Debian package {package})"
    return None


class Boot(qemu.Boot):
    """One Bochs boot: qemu.Boot's log, reason and checks, with ok (True/False from the
    kernel's status line, None if it never came) in place of an exit status, and the Bochs
    log's tail after the serial log's in tail()."""

    def __init__(self, ok, log, stopped_because, bochs_log):
        super().__init__(None, log, stopped_because)
        self.ok, self.bochs_log = ok, bochs_log

    def tail(self, n=25):
        return super().tail(n) + "\n--- bochs log (last lines) ---\n" + self.bochs_log


def prepare(tmp, image, cmdline):
    """The disk Bochs boots: a copy of image in tmp, with cmdline as /CMDLINE.TXT."""
    disk = os.path.join(tmp, "disk.img")
    subprocess.run(["cp", "--sparse=always", image, disk], check=True)
    if cmdline is not None:
        fatimg.add_files(disk, {CMDLINE_PATH: cmdline.encode() + b"\n"}, PARTITION_OFFSET)
    return disk


def boot(image=IMAGE, cpus=1, cmdline=None, timeout=120, until=LAST_LINE, megs=256,
         model=CPU_MODEL):
    """Boot image under Bochs with `cpus` CPUs of `model`; return a Boot. Stops when regex
    `until` appears in the COM1 log (by default the kernel's last line), when Bochs exits,
    or after timeout seconds. cmdline=None boots with no /CMDLINE.TXT written."""
    tmp = tempfile.mkdtemp(prefix="fluid-bochs-")
    try:
        disk = prepare(tmp, image, cmdline)
        com1, log = os.path.join(tmp, "com1.log"), os.path.join(tmp, "bochs.log")
        rc = os.path.join(tmp, "bx.rc")
        with open(rc, "w") as f:
            f.write(CONFIG.format(megs=megs, model=model, cpus=cpus, ips=IPS, bios=BIOS,
                                  vga_bios=VGA_BIOS, disk=disk, com1=com1, log=log))
        for path in (com1, log):        # both polled before Bochs first writes them
            open(path, "wb").close()
        reason = run(["bochs", "-q", "-f", rc], tmp, com1, timeout, until)
        text = read(com1)
        m = STATUS_LINE.search(text)
        return Boot(None if not m else m.group(1) == "ok", text, reason, tail(log))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(cmd, cwd, com1, timeout, until):
    """Runs Bochs past its debugger prompt until `until` shows in com1, it exits, or the
    timeout; kills it by its pid. Returns the reason it stopped."""
    deadline = time.monotonic() + timeout
    lock = open(RFB_LOCK, "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except BaseException:
        lock.close()
        raise
    reason = "exit"
    try:
        try:
            # The other Bochs starts wait at most RFB_START_TIMEOUT_S under RFB_LOCK.
            qemu.watch(proc, time.monotonic() + RFB_START_TIMEOUT_S, os.path.join(cwd, "bochs.log"),
                       RFB_STARTED, POLL_INTERVAL_S / 10)
        finally:
            lock.close()                # closing the file releases the lock
        try:
            proc.stdin.write(b"c\n")    # the debugger's "continue"
            proc.stdin.flush()
        except BrokenPipeError:
            pass                        # Bochs ended at once: its log says why
        reason = qemu.watch(proc, deadline, com1, until, POLL_INTERVAL_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    return reason


read = qemu.read


# A Bochs log line: the tick, a level letter (i info, e error, p panic, d debug), [module].
LOG_LEVEL = re.compile(r"^\d+([iepd])\[")
LOG_PROBLEM_LEVELS = "ep"
LOG_PROBLEMS_MAX = 20


def tail(path, n=15):
    """Bochs's own log for a failure message: its error and panic lines (the cause: they come
    before the CPU state dump a stop ends with), then its last n lines; or a note."""
    if not os.path.exists(path):
        return "(no bochs log)"
    lines = read(path).splitlines()
    problems = [line for line in lines
                if (m := LOG_LEVEL.match(line)) and m.group(1) in LOG_PROBLEM_LEVELS]
    head = problems[:LOG_PROBLEMS_MAX] + ["..."] if problems else []
    return "\n".join(head + lines[-n:])
