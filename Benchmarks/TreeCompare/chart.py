"""Draws docs/benchmarks/trees.svg from the table tree-compare wrote (docs/benchmarks/trees.md):
single-row p50 latency per predictor and model, as horizontal bars on a log scale.

usage: python3 chart.py TREES_MD OUT_SVG
"""
import math
import sys

rows = []
baseline = False  # after the "### The same Tern code built for baseline x86-64" heading
for line in open(sys.argv[1]):
    if line.startswith("### The same"):
        baseline = True
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 6 and cells[0] in ("xgb_bin", "lgb_reg"):
        if not baseline:
            rows.append((cells[0], cells[1], float(cells[2]), float(cells[3])))
        elif cells[1] == "tern":
            rows.append((cells[0], "tern (baseline x86-64)", float(cells[2]), float(cells[3])))
width, left, bar, gap = 760, 190, 18, 6
lo, hi = math.log10(1000), math.log10(200_000)
x = lambda ns: left + (math.log10(max(ns, 1000)) - lo) / (hi - lo) * (width - left - 70)
y = 40
parts = []
titles = {"xgb_bin": "xgb_bin: XGBoost, 300 trees, depth 6", "lgb_reg": "lgb_reg: LightGBM, 500 trees, 31 leaves"}
for model in ("xgb_bin", "lgb_reg"):
    parts.append(f'<text x="10" y="{y + 12}" font-weight="bold">{titles[model]}</text>')
    y += 22
    for m, name, p50, p99 in sorted((r for r in rows if r[0] == model), key=lambda r: r[2]):
        color = "#1f77b4" if name == "tern" else "#b0b0b0"
        parts.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{x(p50) - left:.1f}" height="{bar}" fill="{color}"/>')
        parts.append(f'<line x1="{x(p99):.1f}" x2="{x(p99):.1f}" y1="{y + 2}" y2="{y + bar - 2}" stroke="#333"/>')
        parts.append(f'<text x="{x(max(p50, p99)) + 6:.1f}" y="{y + 13}">{p50 / 1000:.2f} µs  (p99 {p99 / 1000:.2f})</text>')
        y += bar + gap
    y += 14
for ns in (1000, 10_000, 100_000):
    parts.append(f'<line x1="{x(ns):.1f}" x2="{x(ns):.1f}" y1="30" y2="{y - 10}" stroke="#ddd"/>')
    parts.append(f'<text x="{x(ns):.1f}" y="{y + 4}" text-anchor="middle" fill="#666">{ns // 1000} µs</text>')
head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 30}" font-family="sans-serif" font-size="12">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text x="10" y="20" font-size="14">Single-row latency, p50 bar, p99 tick (log scale; lower is better)</text>')
open(sys.argv[2], "w").write(head + "".join(parts) + "</svg>\n")
