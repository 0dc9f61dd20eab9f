"""fluid.profiles (tools/fluid_profile.py) on its own: extracting a profile from a serial log, importing one made on
real hardware (and refusing ones that were not), diffing two profiles, and showing a module's
adaptive run with its retired candidates."""
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


def test_show_lists_retired_candidates_and_their_history_events():
    """A module's adaptive object with retirements (format 2.4): each retired candidate is
    shown with its call, entry, label and why it went, and a retired event is not shown as a
    change of the slot."""
    variant = {"index": 1, "source": "offer", "label": "-O3 TILE=8", "median_cycles": 900,
               "demoted": False, "demoted_for": None, "placed": True}
    ad = {"calls": 5000, "current": 1, "measurements": 3, "planner_calls": 60,
          "planner_cycles": 100, "call_cycles": 9000, "run_cycles": 10000, "reruns": 0,
          "swaps": 1, "history_dropped": 0, "variants": [dict(variant, index=0, source="registry",
                                                              label="-O2")] + [variant],
          "retired": [{"index": 1, "call": 1200, "source": "offer", "label": "wrong build",
                       "crc32": 1, "demoted_for": "wrong_result", "median_cycles": 0},
                      {"index": 1, "call": 2400, "source": "offer", "label": "-O3 TILE=64",
                       "crc32": 2, "demoted_for": None, "median_cycles": 1500}],
          "history": [{"call": 1200, "from": 1, "to": 0, "reason": "retired",
                       "from_median_cycles": 0, "to_median_cycles": 0},
                      {"call": 2500, "from": 0, "to": 1, "reason": "faster",
                       "from_median_cycles": 1000, "to_median_cycles": 900}]}
    out = io.StringIO()
    fluid_profile.show_adaptive("gemm_tile", ad, out)
    text = out.getvalue()
    assert "retired at call 1200 from entry 1: offer    wrong build" in text, text
    assert "demoted: wrong_result" in text and "-O3 TILE=64" in text and " lost" in text, text
    assert "call     1200: 1 retired (the slot on 0)" in text, text
    assert "call     2500: 0 -> 1  faster" in text, text
