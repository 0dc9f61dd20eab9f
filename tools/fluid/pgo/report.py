"""The PGO loop's report (docs/pgo.md): report.json (everything), report.md (a table a
person reads) and chart.svg (per module, baseline vs final cost as two bars), plus the
geometric mean used by the report and by `make bench-pgo`."""
import json
import math
import os
from xml.sax.saxutils import escape

BAR_H, GAP, LABEL_W, BAR_W, PAD = 12, 10, 130, 420, 20
BASE_COLOR, FINAL_COLOR = "#9e9e9e", "#1f77b4"


def geomean(ratios):
    ratios = [r for r in ratios if r > 0]
    return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")


def rows(baseline, final, plan):
    """Per module: name, baseline and final cost, speedup, build, reason."""
    fin = {m["name"]: m for m in final["modules"]}
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
    return out


def svg(table, unit, title):
    top = max([max(r["baseline"], r["final"]) for r in table] + [1])
    h = PAD * 3 + len(table) * (2 * BAR_H + GAP)
    w = LABEL_W + BAR_W + 120
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{PAD}" y="{PAD}" font-size="13">{escape(title)}</text>',
           f'<rect x="{w - 110}" y="{PAD - 9}" width="10" height="10" fill="{BASE_COLOR}"/>'
           f'<text x="{w - 96}" y="{PAD}">-O2</text>',
           f'<rect x="{w - 60}" y="{PAD - 9}" width="10" height="10" fill="{FINAL_COLOR}"/>'
           f'<text x="{w - 46}" y="{PAD}">final</text>']
    y = PAD * 2
    for r in table:
        out.append(f'<text x="{PAD}" y="{y + BAR_H + 4}">{escape(r["name"])}</text>')
        for i, (key, color) in enumerate((("baseline", BASE_COLOR), ("final", FINAL_COLOR))):
            bw = max(1, int(BAR_W * r[key] / top))
            out.append(f'<rect x="{LABEL_W}" y="{y + i * BAR_H}" width="{bw}" '
                       f'height="{BAR_H - 1}" fill="{color}"/>')
        out.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{y + BAR_H + 4}">'
                   f'{r["speedup"]:.2f}x</text>')
        y += 2 * BAR_H + GAP
    out.append(f'<text x="{PAD}" y="{h - 6}" fill="#555">{escape(unit)} per call (median); '
               'shorter is faster</text></svg>')
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
    lines += ["", f"| module | -O2 | final | speedup | build | reason |", "|---|---|---|---|---|---|"]
    for r in rep["modules"]:
        lines.append(f"| {r['name']} | {r['baseline']} | {r['final']} | {r['speedup']:.2f}x | "
                     f"`{r['flags']}` ({r['source']}) | {r['reason']} |")
    lines += ["", f"Geometric mean speedup: **{rep['geomean']:.3f}x**; total "
              f"{rep['total_speedup']:.3f}x. All answers correct: {rep['all_correct']}.", "",
              "![baseline vs final](chart.svg)", ""]
    return "\n".join(lines)


def write(workdir, baseline, final, plan, iterations, select_clock, stop_below):
    table = rows(baseline, final, plan)
    clock = final["clock"]
    rep = {"clock": clock["source"], "unit": clock.get("unit", ""),
           "select_clock": select_clock, "stop_below": stop_below, "iterations": iterations,
           "modules": table, "geomean": geomean([r["speedup"] for r in table]),
           "total_speedup": (sum(r["baseline"] for r in table) /
                             max(1, sum(r["final"] for r in table))),
           "all_correct": all(r["passed"] for r in table),
           "candidates": plan.get("modules", []) if plan else []}
    with open(os.path.join(workdir, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    with open(os.path.join(workdir, "report.md"), "w") as f:
        f.write(markdown(rep))
    with open(os.path.join(workdir, "chart.svg"), "w") as f:
        f.write(svg(table, f"{rep['clock']} {rep['unit']}",
                    f"Fluid PGO: -O2 vs final, {rep['geomean']:.2f}x geometric mean"))
    return rep
