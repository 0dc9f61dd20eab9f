"""The PGO loop's report (docs/pgo.md): report.json (everything), report.md (a table a
person reads) and chart.svg (per module: -O2, the best uniform build when it was measured,
and the final build, as bars), plus the geometric mean used by the report, `make bench-pgo`
and `make bench-adaptive`."""
import json
import math
import os
from xml.sax.saxutils import escape

BAR_H, GAP, LABEL_W, BAR_W, PAD = 12, 10, 130, 420, 20
BASE_COLOR, UNIFORM_COLOR, FINAL_COLOR = "#9e9e9e", "#ff7f0e", "#1f77b4"
SERIES = [("baseline", "-O2", BASE_COLOR), ("uniform", "best uniform", UNIFORM_COLOR),
          ("final", "final", FINAL_COLOR)]
LEGEND_W = 100


def geomean(ratios):
    ratios = [r for r in ratios if r > 0]
    return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")


def rows(baseline, final, plan, uniform=None):
    """Per module: name, baseline and final cost, speedup, build, reason; with uniform (a
    profile of every module at the best uniform build, same clock) also its cost and the
    final build's speedup over it."""
    fin = {m["name"]: m for m in final["modules"]}
    uni = {m["name"]: m for m in uniform["modules"]} if uniform else {}
    chosen = {m["name"]: m for m in plan.get("modules", [])} if plan else {}
    out = []
    for b in baseline["modules"]:
        f = fin.get(b["name"])
        if not f:
            continue
        c = chosen.get(b["name"], {})
        out.append({"name": b["name"], "baseline": b["median_cycles"],
                    "final": f["median_cycles"], "passed": b["passed"] and f["passed"],
                    "speedup": b["median_cycles"] / f["median_cycles"] if f["median_cycles"] else 0,
                    "build": c.get("proposed", "O2"), "flags": f.get("flags", ""),
                    "source": f.get("source", ""), "reason": c.get("reason", "")})
        u = uni.get(b["name"])
        if u and u["median_cycles"] and f["median_cycles"]:
            out[-1].update(uniform=u["median_cycles"], passed=out[-1]["passed"] and u["passed"],
                           over_uniform=u["median_cycles"] / f["median_cycles"])
    return out


def svg(table, unit, title):
    """Per module one bar per series present in every row (-O2, best uniform, final)."""
    series = [x for x in SERIES if table and all(x[0] in r for r in table)]
    top = max([r[k] for r in table for k, _, _ in series] + [1])
    h = PAD * 4 + len(table) * (len(series) * BAR_H + GAP)
    w = LABEL_W + BAR_W + 120
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{PAD}" y="{PAD}" font-size="13">{escape(title)}</text>']
    for i, (_, name, color) in enumerate(series):
        x = LABEL_W + LEGEND_W * i            # the legend's own line, under the title
        out.append(f'<rect x="{x}" y="{2 * PAD - 9}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{x + 14}" y="{2 * PAD}">{escape(name)}</text>')
    y = PAD * 3
    for r in table:
        mid = y + len(series) * BAR_H // 2 + 4
        out.append(f'<text x="{PAD}" y="{mid}">{escape(r["name"])}</text>')
        for i, (key, _, color) in enumerate(series):
            bw = max(1, int(BAR_W * r[key] / top))
            out.append(f'<rect x="{LABEL_W}" y="{y + i * BAR_H}" width="{bw}" '
                       f'height="{BAR_H - 1}" fill="{color}"/>')
        out.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{mid}">{r["speedup"]:.2f}x</text>')
        y += len(series) * BAR_H + GAP
    out.append(f'<text x="{PAD}" y="{h - 6}" fill="#555">{escape(unit)} per call (median); '
               'shorter is faster; speedup of final over -O2</text></svg>')
    return "\n".join(out) + "\n"


def markdown(rep):
    lines = [f"# PGO loop report", "",
             f"Profile clock: **{rep['clock']}** ({rep['unit']}); candidates chosen by "
             f"**{rep['select_clock']}**. Iterations: {len(rep['iterations']) - 1}; "
             f"stop rule: total improves by less than {rep['stop_below'] * 100:.0f}%.", "",
             "| iteration | total (sum of medians) | change |", "|---|---|---|"]
    prev = None
    for it in rep["iterations"]:
        ch = "baseline (-O2)" if prev is None else f"{(prev - it['total']) / prev * 100:+.1f}%"
        lines.append(f"| {it['iteration']} | {it['total']} | {ch} |")
        prev = it["total"]
    uni = rep.get("uniform")
    lines += ["", "| module | -O2 | best uniform | final | speedup | over uniform | build | "
              "reason |", "|---|---|---|---|---|---|---|---|"]
    for r in rep["modules"]:
        u = (f"{r['uniform']} | " if "uniform" in r else "- | ")
        ou = f"{r['over_uniform']:.2f}x" if "over_uniform" in r else "-"
        lines.append(f"| {r['name']} | {r['baseline']} | {u}{r['final']} | {r['speedup']:.2f}x "
                     f"| {ou} | `{r['flags']}` ({r['source']}) | {r['reason']} |")
    lines += ["", f"Geometric mean speedup: **{rep['geomean']:.3f}x**; total "
              f"{rep['total_speedup']:.3f}x. All answers correct: {rep['all_correct']}."]
    if uni:
        lines.append(f"Best uniform build (`{uni['flags']}`, {uni['how']}): final is "
                     f"**{rep['geomean_over_uniform']:.3f}x** over it.")
    else:
        lines.append("Best uniform build: not measured in this clock.")
    lines += ["", "![-O2, best uniform and final](chart.svg)", ""]
    return "\n".join(lines)


def write(workdir, baseline, final, plan, iterations, select_clock, stop_below, uniform=None):
    """uniform: None or {"flags", "how", "profile"}: every module at the best uniform build,
    profiled in the same clock as final."""
    table = rows(baseline, final, plan, uniform["profile"] if uniform else None)
    clock = final["clock"]
    rep = {"clock": clock["source"], "unit": clock.get("unit", ""),
           "select_clock": select_clock, "stop_below": stop_below, "iterations": iterations,
           "modules": table, "geomean": geomean([r["speedup"] for r in table]),
           "total_speedup": (sum(r["baseline"] for r in table) /
                             max(1, sum(r["final"] for r in table))),
           "all_correct": all(r["passed"] for r in table),
           "candidates": plan.get("modules", []) if plan else []}
    if uniform and all("over_uniform" in r for r in table):
        rep["uniform"] = {k: uniform[k] for k in ("flags", "how")}
        rep["geomean_over_uniform"] = geomean([r["over_uniform"] for r in table])
    with open(os.path.join(workdir, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    with open(os.path.join(workdir, "report.md"), "w") as f:
        f.write(markdown(rep))
    with open(os.path.join(workdir, "chart.svg"), "w") as f:
        f.write(svg(table, f"{rep['clock']} {rep['unit']}",
                    f"Fluid PGO: -O2, best uniform, final; {rep['geomean']:.2f}x geometric mean"))
    return rep
