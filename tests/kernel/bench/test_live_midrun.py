"""QEMU tests of the live line while a module runs (docs/live.md, "Mid-run PROFILE frames")
and of the long-running mode by time (suite.seconds, docs/adaptive.md), under -icount (the
TSC counts guest instructions, so "a second" is 10^9 of them and the runs are short in real
time). Each boot has a timeout and is killed by its pid (fluid.qemu).

- mid-run PROFILE frames: a module running for 3 s sends one a second, each with its calls
  so far, its median so far and the candidate in its slot, all before the module's end;
- suite.seconds=2: the module runs two seconds of the calibrated TSC, the JSON says so, every
  answer checked; bad values (0, over the bound, not a number) are named and the short run
  done instead;
- the pgo-live loop serving a running module: sum runs 8 s, the host builds its flag sets
  when the first mid-run frame arrives and sends them, the kernel ACKs them while sum runs,
  the planner measures them with every answer checked and promotes one (sum's -O3 -msse3
  build takes fewer instructions than -O2: 290,885 against 458,807), and the profile's
  per-module live counters say what came from the line."""
import json

from fluid import profiles as fprofile
from fluid import qemu
from fluid.pgo import live

BOOT_TIMEOUT_S = 240
PROBE = "adapt_probe"
ONLY_PROBE = f"suite.modules={PROBE} test=bad-modules"
PROGRESS_S = 3
LOOP_SECONDS = 8
LINGER_MS = 10000
RUN_SLACK_S = 0.01          # past suite.seconds: one more call of adapt_probe is microseconds


def module_of(log, name):
    qemu.json_lines_strict(log)
    (m,) = [m for m in fprofile.extract(log)["modules"] if m["name"] == name]
    return m


def all_checked(m):
    """Every call's answer checked: the suite's calls and the planner's, none wrong."""
    ad = m["adaptive"]
    assert m["passed"] and m["status"] == "ok", m["error"]
    assert ad["wrong_answers"] == 0 and ad["reruns"] == 0, ad
    assert ad["answers_checked"] == ad["calls"] + ad["planner_calls"], ad


def test_midrun_profile_frames_reach_the_host_while_the_module_runs():
    cmdline = f"{ONLY_PROBE} suite.seconds={PROGRESS_S}"
    with live.LiveBoot(cmdline=cmdline, timeout=BOOT_TIMEOUT_S, icount=True,
                       memory="64M") as lb:
        frames = lb.profiles_until_done(timeout=BOOT_TIMEOUT_S)
        assert frames and frames[-1]["done"], "PROFILE frames stopped before the suite was done"
    b = lb.result

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        all_checked(module_of(b.log, PROBE))
    qemu.check("live_midrun_frames", b, check)
    first_end = next(i for i, f in enumerate(frames) if "modules" in f)
    running = [f["running"] for f in frames[:first_end] if "running" in f]
    assert len(running) >= PROGRESS_S - 1, frames
    assert all("running" not in f for f in frames[first_end:]), "a frame after the module's end"
    for i, r in enumerate(running):
        assert r["name"] == PROBE and r["seconds"] == PROGRESS_S and r["median"] > 0, r
        assert r["elapsed_ms"] >= 1000 * (i + 1), r       # one a second, not more often
        assert (r["variant"], r["candidates"], r["source"]) == (0, 1, "embedded"), r
        assert r["label"].startswith("-O2"), r
    calls = [r["calls"] for r in running]
    assert calls == sorted(calls) and calls[0] > 0 and len(set(calls)) == len(calls), calls
    assert lb.errors == [], lb.errors


def test_suite_seconds_runs_each_module_that_long():
    b = qemu.boot(memory="64M", icount=True, timeout=BOOT_TIMEOUT_S,
                  cmdline=f"{ONLY_PROBE} suite.seconds=2")

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        b.expect(r"^suite: each module runs 2 s \(the calibrated TSC\), at most 100000000 calls")
        m = module_of(b.log, PROBE)
        all_checked(m)
        prof = fprofile.extract(b.log)
        ad = m["adaptive"]
        assert ad["seconds"] == 2 and ad["calls"] > 100000, ad
        assert prof["seconds_per_module"] == 2 and prof["calls_per_module"] == 100000000, prof
        # the run lasted two seconds by the TSC, plus at most its last call and the live
        # line's look at COM2 (none here: no COM2)
        ran = ad["run_cycles"] / prof["clock"]["tsc_hz"]
        assert 2.0 <= ran < 2.0 + RUN_SLACK_S, (ran, ad, prof["clock"])
        assert ad["call_cycles"] < ad["run_cycles"], ad
    qemu.check("suite_seconds", b, check)


def test_suite_seconds_bad_values_are_named_and_the_short_run_done():
    for bad in ("0", "3601", "2s"):
        b = qemu.boot(memory="64M", icount=True, timeout=BOOT_TIMEOUT_S,
                      cmdline=f"{ONLY_PROBE} suite.seconds={bad}")

        def check(b):
            assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
            assert len(b.lines(f"suite: suite.seconds={bad} is not a number of seconds in "
                               "1..3600: ignored")) == 1, bad
            m = module_of(b.log, PROBE)
            assert m["passed"] and m["calls"] == 5 and "adaptive" not in m, m
        qemu.check(f"suite_seconds_bad_{bad}", b, check)


def test_pgo_live_serves_the_running_module_and_the_planner_adopts_it():
    said = []
    res = live.run_loop(hot=0, linger_ms=LINGER_MS, timeout=BOOT_TIMEOUT_S, log=said.append,
                        cmdline=f"suite.modules=sum suite.seconds={LOOP_SECONDS}", icount=True,
                        memory="64M")
    b = res.boot

    def check(b):
        assert b.status == qemu.EXIT_SUCCESS, f"exit status {b.status}"
        b.expect(r"^suite: 1 modules, 1 passed, 0 failed", "suite")
        m = module_of(b.log, "sum")
        all_checked(m)
        ad = m["adaptive"]
        cur = ad["variants"][ad["current"]]
        assert cur["source"] == "offer", ad["variants"]
        plan = res.search.plan("sum")
        sent = {s.crc: s for s in plan.sent}
        assert int(cur["crc32"], 16) in sent, (cur, [hex(c) for c in sent])
        assert any(h["reason"] == "faster" and ad["variants"][h["to"]]["source"] == "offer"
                   for h in ad["history"]), ad["history"]
        n = len([s for s in plan.sent if s.answer != "unbuilt"])   # frames actually sent
        assert ad["live"] == {"frames": n, "received": n, "accepted": len(plan.accepted()),
                              "rejected": n - len(plan.accepted())}, ad["live"]
        # ACKed while sum ran: logged between the suite's start and sum's result
        at, end = b.log.find("live: accepted frame seq 1: sum"), b.log.find("suite: sum ok")
        assert 0 <= b.log.find("stage: modules") < at < end, "not accepted while sum ran"
    qemu.check("live_serves_running", b, check)
    assert any(l.startswith("pgo-live: sum running") for l in said), said
    assert res.acks and not res.naks, said
