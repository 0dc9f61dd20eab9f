"""fluid.bochs's failure text: Bochs's error and panic lines come first, whatever the CPU state
dump after them, then the log's last lines."""
import os
import tempfile

from fluid import bochs

DUMP_LINES = 40


def tail_of(text, n=3):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bochs.log")
        with open(path, "w") as f:
            f.write(text)
        return bochs.tail(path, n).splitlines()


def test_errors_and_panics_lead_then_the_last_lines():
    dump = "".join(f"00000000000i[CPU1  ] | register line {i}\n" for i in range(DUMP_LINES))
    lines = tail_of("00000000000i[RFB   ] listening\n"
                    "00000000000e[RFB   ] bind() failed\n"
                    "00000001234p[SIM   ] >>PANIC<< quit\n" + dump)
    assert lines[:3] == ["00000000000e[RFB   ] bind() failed",
                         "00000001234p[SIM   ] >>PANIC<< quit", "..."], lines
    assert lines[3:] == [f"00000000000i[CPU1  ] | register line {i}"
                         for i in range(DUMP_LINES - 3, DUMP_LINES)], lines


def test_a_clean_log_gives_its_last_lines_only():
    lines = tail_of("".join(f"00000000000i[SIM   ] line {i}\n" for i in range(10)))
    assert lines == [f"00000000000i[SIM   ] line {i}" for i in range(7, 10)], lines


def test_no_log_is_said():
    assert bochs.tail("/nonexistent/bochs.log") == "(no bochs log)"
