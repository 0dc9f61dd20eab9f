"""fluid.profiles (tools/fluid_profile.py) on its own: extracting a profile from a serial log, importing one made on
real hardware (and refusing ones that were not), and diffing two profiles."""
import io
import json
import os

from fluid import ROOT, layout
from fluid import profiles as fluid_profile


def sample(source="unspecified", hypervisor="", runner="kernel-i686", cycles=1000):
    return {"format_version": "2.0", "runner": runner, "build_id": "abc",
            "cpu": {"vendor": "GenuineIntel", "brand": "x", "hypervisor": hypervisor},
            "clock": {"source": source, "unit": "unknown", "is_cycles": False, "tsc_hz": 1},
            "modules": [{"name": "sum", "tier": "O2", "calls": 5, "total_cycles": cycles,
                         "median_cycles": cycles // 5, "min_cycles": 1, "max_cycles": cycles,
                         "status": "ok"}]}


def serial_log(profile, newline="\r\n"):
    lines = ["fluid: banner", fluid_profile.BEGIN, json.dumps(profile), fluid_profile.END,
             "fluid: done, status ok"]
    return newline.join(lines) + newline


def test_import_marks_a_hardware_log_as_hardware_cycles():
    prof = fluid_profile.import_hardware_log(serial_log(sample()), "/logs/pc.log")
    assert prof["clock"]["source"] == "hw" and prof["clock"]["is_cycles"] is True
    assert prof["clock"]["reported_source"] == "unspecified"
    assert prof["imported_from"] == "/logs/pc.log"


def test_import_refuses_a_log_made_under_a_hypervisor():
    try:
        fluid_profile.import_hardware_log(serial_log(sample(hypervisor="KVMKVMKVM")), "x")
    except fluid_profile.ProfileError as e:
        assert "hypervisor" in str(e)
    else:
        raise AssertionError("a VM's log was imported as real hardware")


def test_import_refuses_an_icount_profile():
    try:
        fluid_profile.import_hardware_log(serial_log(sample(source="icount"), "\n"), "x")
    except fluid_profile.ProfileError as e:
        assert "icount" in str(e)
    else:
        raise AssertionError("an icount profile was imported as hardware cycles")


def test_extract_refuses_a_cut_log():
    text = serial_log(sample())
    try:
        fluid_profile.extract(text[: text.index(fluid_profile.END)])
    except fluid_profile.ProfileError as e:
        assert "end" in str(e)
    else:
        raise AssertionError("a log without the end marker was accepted")


def test_diff_reports_the_speedup():
    out = io.StringIO()
    fluid_profile.diff(sample(cycles=2000), sample(cycles=1000), out=out)
    assert "2.00" in out.getvalue(), out.getvalue()


def test_markers_and_units_are_the_kernels():
    """The copies that let a log be read without a build: the same as the C ones."""
    L = layout.default()
    assert (fluid_profile.BEGIN, fluid_profile.END) == (L["PROFILE_BEGIN"], L["PROFILE_END"])
    with open(os.path.join(ROOT, "kernel", "bench", "profile.c")) as f:
        assert f'{{"hw", "{fluid_profile.HW_UNIT}"}}' in f.read()
