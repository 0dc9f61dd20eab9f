"""Boot a Fluid image headless in QEMU and return what its serial port said.

Every boot has a timeout and is killed by its own pid; nothing is left running. QEMU runs
under TCG (never KVM: see README). The kernel leaves through isa-debug-exit: writing v to port
0xf4 makes QEMU exit with status (v << 1) | 1; EXIT_SUCCESS and EXIT_FAILURE are the statuses
of kernel/core/machine.h's DEBUG_EXIT_SUCCESS and DEBUG_EXIT_FAILURE (from the generated
layout, so importing this module needs a build)."""
import json
import os
import re
import subprocess
import tempfile
import time

from fluid import ROOT, layout

IMAGE = os.path.join(ROOT, "fluid.img")
LOG_DIR = os.path.join(ROOT, "build", "test-logs")


def exit_status(value):
    """QEMU's exit status for a kernel write of value to the isa-debug-exit port."""
    return (value << 1) | 1


EXIT_SUCCESS = exit_status(layout.default()["DEBUG_EXIT_SUCCESS"])
EXIT_FAILURE = exit_status(layout.default()["DEBUG_EXIT_FAILURE"])
POLL_INTERVAL_S = 0.05


class Boot:
    """The outcome of one boot: exit status (None if it was stopped), serial log, reason."""

    def __init__(self, status, log, stopped_because):
        self.status, self.log, self.stopped_because = status, log, stopped_because

    def lines(self, prefix=""):
        return [l for l in self.log.splitlines() if l.startswith(prefix)]

    def expect(self, pattern, what=None):
        """Return the first match of regex pattern in the log; fail with the log tail if none."""
        m = re.search(pattern, self.log, re.M)
        if not m:
            raise AssertionError(f"{what or pattern!r} not in serial log\n{self.tail()}")
        return m

    def tail(self, n=25):
        return "--- serial log (last lines) ---\n" + "\n".join(self.log.splitlines()[-n:])


# How the boot disk can be attached: the machine's own disk controller (IDE on pc, AHCI on
# q35), or a device SeaBIOS boots from, named by bootindex. The disk is -drive id=BOOT_DRIVE.
BOOT_DRIVE = "boot0"
ATTACH = {
    "default": [],
    "virtio-blk": ["-device", f"virtio-blk-pci,drive={BOOT_DRIVE},bootindex=0"],
    "virtio-scsi": ["-device", "virtio-scsi-pci,id=scsi0",
                    "-device", f"scsi-hd,drive={BOOT_DRIVE},bus=scsi0.0,bootindex=0"],
    "nvme": ["-device", f"nvme,drive={BOOT_DRIVE},serial=fluidboot,bootindex=0"],
    "usb-ehci": ["-device", "usb-ehci,id=ehci",
                 "-device", f"usb-storage,bus=ehci.0,drive={BOOT_DRIVE},bootindex=0"],
    "usb-xhci": ["-device", "qemu-xhci,id=xhci",
                 "-device", f"usb-storage,bus=xhci.0,drive={BOOT_DRIVE},bootindex=0"],
}


def qemu_command(image, machine, memory, cpu, cmdline, icount, drives, extra, writable=False,
                 attach="default"):
    system = "qemu-system-x86_64" if machine.endswith("64") else "qemu-system-i386"
    machine = machine[:-2] if machine.endswith("64") else machine
    cmd = [system, "-M", machine, "-m", memory, "-display", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-monitor", "none",
           "-drive", f"file={image},format=raw" + ("" if writable else ",snapshot=on") +
           ("" if attach == "default" else f",if=none,id={BOOT_DRIVE}")] + ATTACH[attach]
    if cpu:
        cmd += ["-cpu", cpu]
    if cmdline:
        # QEMU splits option values at commas; a doubled comma is one comma.
        cmd += ["-fw_cfg", f"name=opt/fluid/cmdline,string={cmdline.replace(',', ',,')}"]
    if icount:
        cmd += ["-icount", "shift=0"]
    for d in drives:
        cmd += ["-drive", f"file={d},format=raw,snapshot=on"]
    return cmd + list(extra)


def with_clock(cmdline, icount):
    """The kernel cannot tell plain TCG from hardware, so the harness names its clock."""
    words = (cmdline or "").split()
    if not any(w.startswith("clock=") for w in words):
        words.append("clock=icount" if icount else "clock=tcg")
    return " ".join(words)


def boot(image=IMAGE, machine="pc", memory="32M", cpu=None, cmdline=None, icount=False,
         timeout=60, until=None, drives=(), extra=(), serial=True, writable=False,
         attach="default"):
    """Boot image; return a Boot. Stops at exit, at timeout, or when regex `until` appears
    in the serial log (for paths that print and halt on purpose). serial=False boots a
    machine without COM1 (the log is then empty). writable=True lets the kernel's writes
    reach the image file (snapshot=on otherwise); attach names how the disk is connected
    (ATTACH)."""
    with tempfile.NamedTemporaryFile(prefix="fluid-serial-", suffix=".log", delete=False) as f:
        serial_log = f.name
    cmd = qemu_command(image, machine, memory, cpu, with_clock(cmdline, icount), icount,
                       drives, extra, writable, attach)
    cmd += ["-serial", f"file:{serial_log}" if serial else "none"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        reason = watch(proc, deadline, serial_log, until)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
    log = read(serial_log)
    os.unlink(serial_log)
    if reason == "exit" and proc.returncode not in (EXIT_SUCCESS, EXIT_FAILURE) and stderr:
        log += "\n[qemu stderr] " + stderr
    return Boot(proc.returncode if reason == "exit" else None, log, reason)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def watch(proc, deadline, log_path, until=None, interval=POLL_INTERVAL_S):
    """Polls an emulator's process until it exits ("exit"), time.monotonic() passes deadline
    ("timeout") or the regex until matches a line of the log at log_path ("until"); returns
    that reason and leaves a process still running to the caller to kill."""
    while proc.poll() is None:
        if time.monotonic() > deadline:
            return "timeout"
        if until and re.search(until, read(log_path), re.M):
            return "until"
        time.sleep(interval)
    return "exit"


def save_log(name, result):
    """Keep a failing boot's full log under build/test-logs/ and return its path."""
    os.makedirs(LOG_DIR, exist_ok=True)
    path = os.path.join(LOG_DIR, re.sub(r"[^\w.-]", "_", name) + ".log")
    with open(path, "w") as f:
        f.write(result.log)
    return path


def _no_constant(name):
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def json_lines_strict(log):
    """Asserts that every line of the log that starts with '{' is one valid JSON value, by
    RFC 8259's rules (Python's json alone would accept NaN and Infinity)."""
    for number, line in enumerate(log.splitlines(), 1):
        if line.startswith("{"):
            try:
                json.loads(line, parse_constant=_no_constant)
            except ValueError as e:
                raise AssertionError(f"log line {number} is not valid JSON ({e}): {line[:200]}")


def check(name, result, fn):
    """Run assertions fn(result), after checking that every JSON line of the log is valid
    JSON; on failure save the full log and name it in the error."""
    try:
        json_lines_strict(result.log)
        fn(result)
    except AssertionError as e:
        raise AssertionError(f"{e}\n(full log: {save_log(name, result)}, "
                             f"stopped by {result.stopped_because}, status {result.status})")
