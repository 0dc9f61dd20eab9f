"""The fuzz targets (mk/fuzz.mk) build and run: each one, built by `make test`, runs once over
every input of its seed corpus (libFuzzer -runs=0: the seeds, no mutations), so a harness or
a reader that crashes, hangs, leaks or trips a sanitizer on a seed fails here, and so does a
fix undone whose input is among the seeds. `make fuzz` is the long run; this is the check
that it still works, in about a second per target."""
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# libFuzzer's own hang limit per input, seconds: far above what any seed takes.
SEED_TIMEOUT_S = 10
# The whole run of one target, seeds included.
RUN_TIMEOUT_S = 120


def make_vars(*names):
    """{name: value} of make variables, as the makefiles set them."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS")}
    rule = "fluid-print-vars: ; @" + "".join(f"echo '{n}=$({n})';" for n in names)
    proc = subprocess.run(["make", "--no-print-directory", "-s", "--eval", rule,
                           "fluid-print-vars"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return dict(line.split("=", 1) for line in proc.stdout.splitlines())


def run_seeds(fuzzer, seeds, max_len):
    """Every seed once, each as long as `make fuzz` lets inputs be."""
    assert os.path.isfile(fuzzer), f"{fuzzer} not built (make test builds it)"
    files = os.listdir(seeds)
    assert files, f"no seeds in {seeds}"
    crashes = os.path.join(os.path.dirname(seeds), "seed-crashes") + os.sep
    shutil.rmtree(crashes, ignore_errors=True)      # only this run's failure, if any
    os.makedirs(crashes)
    proc = subprocess.run([fuzzer, "-runs=0", f"-max_len={max_len}",
                           f"-timeout={SEED_TIMEOUT_S}", f"-artifact_prefix={crashes}", seeds],
                          cwd=ROOT,
                          capture_output=True, text=True, errors="replace",
                          timeout=RUN_TIMEOUT_S)
    tail = "\n".join(proc.stderr.splitlines()[-40:])
    assert proc.returncode == 0, f"{fuzzer} over {seeds}: exit {proc.returncode}\n{tail}"
    # libFuzzer says how many files it read and, once past them all, that it is done; its
    # count of runs differs from run to run (an empty input added, ...), so it is not checked.
    assert f"{len(files)} files found" in proc.stderr and "\nDone " in proc.stderr, \
        f"{fuzzer} did not run all {len(files)} seeds:\n{tail}"


def test_make_names_fuzz_targets():
    assert make_vars("FUZZ_TARGETS")["FUZZ_TARGETS"].split(), "make names no fuzz targets"


def cases():
    try:
        v = make_vars("FUZZ_TARGETS", "FUZZ_DIR")
        targets = v["FUZZ_TARGETS"].split()
        max_len = make_vars(*(f"FUZZ_{t}_MAX_LEN" for t in targets))
    except subprocess.CalledProcessError:
        return      # test_make_names_fuzz_targets reports it
    fuzz_dir = os.path.join(ROOT, v["FUZZ_DIR"])
    for t in targets:
        yield (f"fuzz_{t}_runs_its_seeds",
               lambda t=t: run_seeds(os.path.join(fuzz_dir, f"fuzz_{t}"),
                                     os.path.join(fuzz_dir, t, "seeds"),
                                     max_len[f"FUZZ_{t}_MAX_LEN"]))
