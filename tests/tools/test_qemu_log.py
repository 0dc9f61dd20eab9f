"""fluid.qemu's strict JSON check, which every booted test runs over its serial log."""
from fluid.qemu import json_lines_strict


def rejects(log):
    try:
        json_lines_strict(log)
    except AssertionError as e:
        return str(e)
    return None


def test_valid_lines_and_other_text_pass():
    assert rejects('fluid: banner\n{"a": 1, "b": [0.5, -2e3, null]}\nstage: x\n') is None


def test_bare_nan_and_infinity_are_refused():
    for bad in ("NaN", "Infinity", "-Infinity"):
        why = rejects(f'ok\n{{"llm_logits": {{"first": [{bad}]}}}}\n')
        assert why and "line 2" in why and "not JSON" in why, (bad, why)


def test_a_cut_or_doubled_line_is_refused():
    assert rejects('{"llm": {"dim": 8\n')
    assert rejects('{"a": 1}{"b": 2}\n')
