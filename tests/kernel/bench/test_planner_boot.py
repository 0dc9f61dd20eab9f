"""The planner in the kernel (docs/adaptive.md), booted under QEMU -icount with only the cheap
test module adapt_probe running (suite.modules=adapt_probe test=bad-modules) and variants of
it in a copied image's cache:

- thresholds honoured exactly: with the default thresholds and 10,001 calls the planner
  measures at calls 100, 1000 and 10000 and nowhere else, and promotes the fastest variant at
  call 100 (the JSON history); planner.thresholds=7,20 moves them; planner=off never measures;
- two -icount boots make identical decisions (history, medians, calls);
- swap under load: planner.swap=every-call swaps the slot on each of 10,000 calls over three
  variants and every answer is right;
- a wrong variant (fibonacci's code under adapt_probe's name), a faulting one (bad_divide's)
  and one that never returns (bad_endless's, stopped by the time budget) are demoted on the
  call they fail, reported in the log and the JSON, the call re-run on the
  previous tier, the module's result correct; while measuring, a wrong variant is demoted.
Every booted log is checked for strictly valid JSON."""
import io
import os
import re
import shutil
import subprocess

from fluid import ROOT
from fluid import cache as mkcache
from fluid import modfmt, qemu
from fluid import profiles as fprofile

WORK = os.path.join(ROOT, "build", "test-images", "planner")
MODS = os.path.join(ROOT, "build", "modules")
PROBE = "adapt_probe"
ONLY_PROBE = f"suite.modules={PROBE} test=bad-modules"
BOOT_TIMEOUT_S = 120
PLANNER_SHARE_MAX = 0.05    # the planner's share of a 10,000-call run, at most


def mod(variant, name):
    return os.path.join(MODS, variant, name + ".mod")


def renamed(src, name, out):
    """src's module under another module's name (header CRC resealed): another module's code
    posing as a variant of `name`."""
    with open(src, "rb") as f:
        blob = bytearray(f.read())
    s = modfmt.spec()
    off = s.OFFSETS["name"]
    blob[off:off + s.NAME_LEN] = name.encode().ljust(s.NAME_LEN, b"\0")
    with open(out, "wb") as f:
        f.write(modfmt.seal_header(bytes(blob)) + bytes(blob[s.HEADER_SIZE:]))
    return out


def image(name, variants):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name + ".img")
    shutil.copyfile(os.path.join(ROOT, "fluid.img"), path)
    mkcache.write_variants(path, variants)
    return path


def boot(img, name, cmdline):
    b = qemu.boot(image=img, memory="64M", icount=True, timeout=BOOT_TIMEOUT_S,
                  cmdline=f"{ONLY_PROBE} {cmdline}")
    try:
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        qemu.json_lines_strict(b.log)
        prof = fprofile.extract(b.log)
        (m,) = [m for m in prof["modules"] if m["name"] == PROBE]
        assert m["passed"] and m["status"] == "ok", m["error"]
        assert m["result"] == f"0x{85344:08x}"
    except (AssertionError, fprofile.ProfileError, ValueError) as e:
        raise AssertionError(f"{e}\n(full log: {qemu.save_log(name, b)})\n{b.tail()}")
    return b, m


def fast_and_slow(name):
    """Baseline O2 (embedded), then -O0 (slower) and -O3 -msse2 variants; an image of its
    own per test (tests/run.py may run them in threads)."""
    return image(name, [mod("O0", PROBE), mod("O3-sse2", PROBE)])


def test_default_thresholds_honoured_exactly():
    b, m = boot(fast_and_slow("thresholds"), "planner-thresholds", "suite.calls=10001")
    ad = m["adaptive"]
    assert ad["calls"] == 10001 and ad["measurements"] == 3, ad
    # thresholds x candidates x samples x 2: under -icount equal calls, so every burst is 2 calls
    assert ad["planner_calls"] == 3 * 3 * 5 * 2
    moves = [h for h in ad["history"] if h["reason"] == "faster"]
    assert moves and moves[0]["call"] == 100, ad["history"]
    assert all(h["call"] in (100, 1000, 10000) for h in ad["history"]), ad["history"]
    slow = ad["variants"][1]
    assert slow["label"].startswith("-O0") and ad["current"] != 1
    assert slow["median_cycles"] > ad["variants"][ad["current"]]["median_cycles"]
    # the planner's share of the 10,001-call run, the bound (1.41% measured; exact
    # under -icount): its instructions over the run's, calls and the kernel's cost included
    assert ad["planner_cycles"] <= PLANNER_SHARE_MAX * ad["run_cycles"], ad
    b.expect(r"planner: adapt_probe: call 100: variant 0 -> \d \(faster")
    shown = io.StringIO()
    fprofile.show(fprofile.extract(b.log), out=shown)    # fluid_profile.py show
    assert re.search(r"adapt_probe: 10001 calls, variant \d in the slot, 3 measurements",
                     shown.getvalue()), shown.getvalue()
    assert re.search(r"call +100: 0 -> \d +faster", shown.getvalue()), shown.getvalue()


def test_thresholds_option_and_off():
    img = fast_and_slow("option")
    _, m = boot(img, "planner-7-20", "suite.calls=30 planner.thresholds=7,20")
    ad = m["adaptive"]
    assert ad["measurements"] == 2 and ad["planner_calls"] == 2 * 3 * 5 * 2, ad
    assert [h["call"] for h in ad["history"]] in ([7], [7, 20]), ad["history"]
    _, m = boot(img, "planner-off", "suite.calls=200 planner=off")
    assert m["adaptive"]["measurements"] == 0 and m["adaptive"]["history"] == []


def test_two_icount_boots_decide_the_same():
    img = fast_and_slow("repeat")
    runs = [boot(img, f"planner-repeat-{i}", "suite.calls=1001")[1]["adaptive"]
            for i in range(2)]
    keys = ("history", "current", "planner_cycles", "calls")
    assert runs[0]["history"], "no decision was made: nothing to compare"
    assert [{k: r[k] for k in keys} for r in runs][0] == {k: runs[1][k] for k in keys}
    assert [v["median_cycles"] for v in runs[0]["variants"]] == \
           [v["median_cycles"] for v in runs[1]["variants"]]


def test_swap_every_call_under_load():
    img = image("swap", [mod("O0", PROBE), mod("O3-sse2", PROBE)])
    b, m = boot(img, "planner-swap", "suite.calls=10000 planner.swap=every-call")
    ad = m["adaptive"]
    assert ad["calls"] == 10000 and ad["swaps"] == 10000 and ad["reruns"] == 0, ad
    # The slot really changed: under -icount each build has its own exact cost, and the
    # kept samples (a ring of the last calls, oldest at calls % its length) rotate through
    # the three (-O0, -O3 -msse2, the embedded -O2).
    oldest = ad["calls"] % len(m["samples"])
    s = m["samples"][oldest:] + m["samples"][:oldest]
    assert len(set(s)) == 3 and all(s[i] == s[i + 3] != s[i + 1] for i in range(len(s) - 3)), s
    assert ad["wrong_answers"] == 0 and not any(v["demoted"] for v in ad["variants"])


def hostile_variants():
    os.makedirs(WORK, exist_ok=True)
    wrong = renamed(mod("O2", "fibonacci"), PROBE, os.path.join(WORK, "wrong.mod"))
    fault = renamed(mod("O2", "bad_divide"), PROBE, os.path.join(WORK, "fault.mod"))
    endless = renamed(mod("O2", "bad_endless"), PROBE, os.path.join(WORK, "endless.mod"))
    return wrong, fault, endless


def test_wrong_faulting_and_endless_variants_demoted_and_call_rerun():
    wrong, fault, endless = hostile_variants()
    img = image("hostile", [wrong, fault, endless])
    b, m = boot(img, "planner-demote", "suite.calls=10 planner.swap=every-call")
    ad = m["adaptive"]
    assert ad["calls"] == 13 and ad["reruns"] == 3 and ad["wrong_answers"] == 1, ad
    assert [(h["call"], h["from"], h["to"], h["reason"]) for h in ad["history"]] == [
        (0, 1, 0, "wrong_result"), (1, 2, 0, "fault"), (2, 3, 0, "timeout")], ad["history"]
    v = ad["variants"]
    assert v[1]["demoted"] and v[1]["demoted_for"] == "wrong_result"
    assert "wrong result" in v[1]["error"]
    assert v[2]["demoted"] and v[2]["demoted_for"] == "fault" and "#DE" in v[2]["error"]
    assert v[3]["demoted"] and v[3]["demoted_for"] == "timeout"
    assert "time budget exceeded" in v[3]["error"], v[3]
    b.expect(r"planner: adapt_probe: call 0: variant 1 -> 0 \(wrong_result.*demoted, call "
             r"re-run: module adapt_probe: wrong result")
    b.expect(r"planner: adapt_probe: call 1: variant 2 -> 0 \(fault.*demoted, call re-run")
    b.expect(r"planner: adapt_probe: call 2: variant 3 -> 0 \(timeout.*demoted, call re-run")


def test_wrong_variant_demoted_while_measuring():
    wrong, _, _ = hostile_variants()
    img = image("hostile-measure", [mod("O0", PROBE), wrong])
    _, m = boot(img, "planner-demote-measure", "suite.calls=20 planner.thresholds=5")
    v = m["adaptive"]["variants"]
    assert v[2]["demoted"] and v[2]["demoted_for"] == "wrong_result", v
    assert m["adaptive"]["current"] != 2 and m["adaptive"]["reruns"] == 0


def test_hostrun_runs_the_planner():
    """tools/hostrun --adaptive: the kernel's planner over variant files on the host CPU; the
    summary line's fields (docs/pgo.md), the wrong variant demoted, every answer right."""
    wrong, _, _ = hostile_variants()
    hostrun = os.path.join(ROOT, "build", "host", "hostrun", "hostrun")
    p = subprocess.run([hostrun, "--adaptive", "300", "--thresholds", "50,200", "--only", PROBE,
                        "--bad-modules", "--variant", mod("O0", PROBE), "--variant", wrong],
                       capture_output=True, text=True, timeout=BOOT_TIMEOUT_S)
    assert p.returncode == 0, p.stderr[-2000:]
    (line,) = [l for l in p.stdout.splitlines() if l.startswith("adaptive: ")]
    f = dict(kv.split("=", 1) for kv in re.findall(r'(\w+=(?:"[^"]*"|\S+))', line))
    assert line.split()[1] == PROBE and f["candidates"] == "3" and f["demoted"] == "1", line
    assert f["hot_call"] == "50" and f["final"] in ("0", "1") and f["overhead"].endswith("%")
    assert int(f["hot_to_final"]) == int(f["final_call"]) - 50
    m = [m for m in fprofile.extract(p.stdout)["modules"] if m["name"] == PROBE][0]
    assert m["passed"] and m["adaptive"]["calls"] == 300 + m["adaptive"]["reruns"]
    assert m["adaptive"]["variants"][2]["demoted_for"] == "wrong_result"
