#!/usr/bin/env python3
"""Fluid's test runner: host unit-test binaries and Python test modules, one summary line.

Usage: tests/run.py [-k SUBSTRING] [-j JOBS] [--bin PATH ...] [--py MODULE.py ...]

Host binaries print 'PASS: name' / 'FAIL: name: ...' lines (tests/lib/check.h); a binary
that exits non-zero without a FAIL line (a crash, a sanitizer report) counts as one failure,
and one that prints no result line at all is a failure too, so a test cannot pass by saying
nothing. Python modules define test_* functions (an assert or exception fails them) and may
define cases() yielding (name, callable) for parametrised tests. A test that raises
unittest.SkipTest (a tool it needs is missing) prints 'SKIP: name: reason' and counts as
neither passed nor failed. The last line printed is
'N passed, N failed'; the exit status is 0 only if nothing failed.

Test modules import the tools' package (tools/fluid), so the runner needs tools/ first on
PYTHONPATH, for itself and for the tools the tests start; without it, it starts itself again
with it there."""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
RESULT_LINE = re.compile(r"^(PASS|FAIL): (.*)$")
HOST_TEST_TIMEOUT_S = 600


class Result:
    def __init__(self, name, ok, detail="", seconds=0.0, skipped=False):
        self.name, self.ok, self.detail, self.seconds = name, ok, detail, seconds
        self.skipped = skipped


def run_binary(path):
    """Run one host test binary; return a list of Results."""
    name = os.path.relpath(path, ROOT)
    start = time.monotonic()
    try:
        proc = subprocess.run([path], cwd=ROOT, capture_output=True, text=True,
                              timeout=HOST_TEST_TIMEOUT_S, errors="replace")
    except subprocess.TimeoutExpired:
        return [Result(name, False, f"timed out after {HOST_TEST_TIMEOUT_S} s")]
    except OSError as e:
        return [Result(name, False, f"cannot run: {e}")]
    seconds = time.monotonic() - start
    results, detail = [], []
    for line in proc.stdout.splitlines():
        m = RESULT_LINE.match(line)
        if m:
            ok = m.group(1) == "PASS"
            results.append(Result(m.group(2).split(": ")[0], ok,
                                  "\n".join(detail + [line]) if not ok else "", seconds))
            detail = []
        else:
            detail.append(line)
    tail = "\n".join((detail + proc.stderr.splitlines())[-40:])
    if proc.returncode != 0 and all(r.ok for r in results):
        results.append(Result(name, False, f"exit status {proc.returncode}\n{tail}", seconds))
    if not results:
        results.append(Result(name, False, f"printed no PASS/FAIL line\n{tail}", seconds))
    return results


def load_module(path):
    spec = importlib.util.spec_from_file_location(
        "fluidtest_" + re.sub(r"\W", "_", os.path.relpath(path, ROOT)), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_cases(path):
    """Yield (name, callable) for every test in one Python test module."""
    rel = os.path.relpath(path, ROOT)
    try:
        module = load_module(path)
    except Exception:
        yield rel, lambda tb=traceback.format_exc(): (_ for _ in ()).throw(RuntimeError(tb))
        return
    for attr in sorted(dir(module)):
        if attr.startswith("test_") and callable(getattr(module, attr)):
            yield f"{rel}::{attr}", getattr(module, attr)
    if hasattr(module, "cases"):
        for case_name, fn in module.cases():
            yield f"{rel}::{case_name}", fn


def run_case(name, fn):
    start = time.monotonic()
    try:
        fn()
        return [Result(name, True, seconds=time.monotonic() - start)]
    except unittest.SkipTest as e:
        return [Result(name, True, str(e), time.monotonic() - start, skipped=True)]
    except Exception as e:
        detail = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-3:])
        return [Result(name, False, detail, time.monotonic() - start)]


def with_tools_on_path():
    """Start this runner again with tools/ first on PYTHONPATH, unless it is there already."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if paths[:1] != [TOOLS]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([TOOLS] + paths))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    with_tools_on_path()
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", dest="pattern", default="", help="run only tests whose name has this")
    ap.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--bin", nargs="*", default=[], help="host test binaries")
    ap.add_argument("--py", nargs="*", default=[], help="Python test modules")
    args = ap.parse_args()

    jobs = []
    for path in args.bin:
        if args.pattern in os.path.relpath(path, ROOT):
            jobs.append((run_binary, (os.path.abspath(path),)))
    for path in args.py:
        for name, fn in python_cases(os.path.abspath(path)):
            if args.pattern in name:
                jobs.append((run_case, (name, fn)))

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(fn, *fargs) for fn, fargs in jobs]
        for future in futures:
            for r in future.result():
                if r.skipped:
                    print(f"SKIP: {r.name}: {r.detail}")
                elif r.ok:
                    passed += 1
                    print(f"PASS: {r.name} ({r.seconds:.1f} s)")
                else:
                    failed += 1
                    print(f"FAIL: {r.name}\n" + "\n".join("    " + l for l in r.detail.splitlines()))
                sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
