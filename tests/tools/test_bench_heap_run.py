"""tools/bench_heap/run.py (make bench-heap, make bench-heap-instructions), over fake
benchmark binaries: a threaded cell takes each allocator's fastest run with the allocators
in turn round by round, and a run whose result fails its checks is reported; the
instruction mode reads callgrind's total from a valgrind found on PATH."""
import argparse
import importlib.util
import json
import os
import stat
import tempfile

from fluid import ROOT

_spec = importlib.util.spec_from_file_location(
    "bench_heap_run", os.path.join(ROOT, "tools", "bench_heap", "run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def fake_allocator(tmp, name, rates, log, alloc_check=True):
    """bench_threads_NAME: appends its name to log and prints the next rate of `rates` (one
    per call, counted in a file beside it) as ops_per_s."""
    result = {"alloc_check": alloc_check, "ops_per_s": 0, "bench_mallocs": 1}
    write_script(os.path.join(tmp, "bench_threads_" + name), f"""#!/usr/bin/env python3
import json, os
count = os.path.join({tmp!r}, {name!r} + ".count")
n = int(open(count).read()) if os.path.exists(count) else 0
open(count, "w").write(str(n + 1))
open({log!r}, "a").write({name!r} + "\\n")
r = json.loads({json.dumps(result)!r})
r["ops_per_s"] = {rates!r}[n]
print(json.dumps(r))
""")


def args_for(tmp, allocators, repeats):
    return argparse.Namespace(dir=tmp, repeats=repeats, scale=1.0, allocators=allocators)


def test_threaded_cell_is_best_of_interleaved_rounds():
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "order")
        fake_allocator(tmp, "fluid", [5.0, 9.0, 7.0], log)
        fake_allocator(tmp, "glibc", [8.0, 3.0, 4.0], log)
        best, failed = run.best_of_rounds(args_for(tmp, ["fluid", "glibc"], 3), "larson", 2)
        assert not failed
        assert best["fluid"]["ops_per_s"] == 9.0 and best["glibc"]["ops_per_s"] == 8.0, best
        with open(log) as f:
            assert f.read().split() == ["fluid", "glibc"] * 3


def test_threaded_cell_reports_a_run_that_fails_its_checks():
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "order")
        fake_allocator(tmp, "fluid", [5.0], log, alloc_check=False)
        best, failed = run.best_of_rounds(args_for(tmp, ["fluid"], 1), "larson", 2)
        assert failed and best["fluid"]["ops_per_s"] == 5.0, best


def test_instructions_read_from_callgrind():
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "bench_threads_fluid")
        with open("/bin/true", "rb") as src, open(binary, "wb") as dst:
            dst.write(src.read())               # an ELF file for strip to take
        os.chmod(binary, 0o755)
        bin_dir = os.path.join(tmp, "bin")
        os.mkdir(bin_dir)
        write_script(os.path.join(bin_dir, "valgrind"), """#!/bin/sh
echo '{"alloc_check": true, "ops_per_s": 1, "bench_mallocs": 1}'
echo '==4242== Collected : 123456789' >&2
""")
        path = os.environ["PATH"]
        os.environ["PATH"] = bin_dir + os.pathsep + path
        try:
            count, result = run.instructions_of(binary, "larson", 2, 0.2)
        finally:
            os.environ["PATH"] = path
        assert count == 123456789 and result["alloc_check"], (count, result)
