"""Draws docs/benchmarks/risk.svg: latency by percentile (log scale both ways) for Tern's evaluate
and submit from risk-compare's curve CSV, with NautilusTrader's p50/p99/p99.9 from its JSON when
present, and the goals as dashed lines.

usage: python3 chart.py CURVE_CSV NAUTILUS_JSON OUT_SVG
"""
import csv
import json
import math
import os
import sys

series = {}
for row in csv.DictReader(open(sys.argv[1])):
    series.setdefault(row["series"], []).append((float(row["percentile"]), float(row["ns"])))
if os.path.exists(sys.argv[2]):
    n = json.load(open(sys.argv[2]))
    c = n["checked"]
    series[f"NautilusTrader {n['version']} execute (checks on)"] = [(0.5, c["p50_ns"]), (0.99, c["p99_ns"]), (0.999, c["p999_ns"])]

width, height, left, right, top, bottom = 760, 420, 70, 20, 40, 60
qs = [0.5, 0.9, 0.99, 0.999, 0.9999, 1.0]
def xq(q):  # position by "nines": 0.5 → 0.3, 0.9 → 1, 0.99 → 2 ... max at the right edge
    nines = 5.0 if q >= 1.0 else -math.log10(1 - q)
    return left + (nines - 0.3) / (5.0 - 0.3) * (width - left - right)
lo, hi = math.log10(20), math.log10(300_000)
def yv(ns):
    return top + (hi - math.log10(max(ns, 20))) / (hi - lo) * (height - top - bottom)
colors = ["#1f77b4", "#2ca02c", "#d62728"]
parts = []
for v, label in [(100, "100 ns"), (1000, "1 µs"), (10_000, "10 µs"), (100_000, "100 µs")]:
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yv(v):.1f}" y2="{yv(v):.1f}" stroke="#e5e5e5"/>')
    parts.append(f'<text x="{left - 6}" y="{yv(v) + 4:.1f}" text-anchor="end" fill="#666">{label}</text>')
for q, label in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9"), (0.9999, "p99.99"), (1.0, "max")]:
    parts.append(f'<line x1="{xq(q):.1f}" x2="{xq(q):.1f}" y1="{top}" y2="{height - bottom}" stroke="#f0f0f0"/>')
    parts.append(f'<text x="{xq(q):.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#666">{label}</text>')
for ns, label in [(150, "goal p50 ≤ 150 ns"), (1000, "goal p99.9 ≤ 1 µs")]:
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yv(ns):.1f}" y2="{yv(ns):.1f}" stroke="#999" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{width - right - 4}" y="{yv(ns) - 4:.1f}" text-anchor="end" fill="#777">{label}</text>')
for k, (name, points) in enumerate(series.items()):
    pts = [(xq(q), yv(ns)) for q, ns in points if q >= 0.5]
    d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(pts))
    parts.append(f'<path d="{d}" fill="none" stroke="{colors[k % 3]}" stroke-width="2"/>')
    for x, y in pts:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colors[k % 3]}"/>')
    parts.append(f'<rect x="{left + 10}" y="{top + 8 + 18 * k}" width="12" height="3" fill="{colors[k % 3]}"/>')
    parts.append(f'<text x="{left + 28}" y="{top + 14 + 18 * k}">{name}</text>')
head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text x="10" y="22" font-size="14">Pre-trade check latency by percentile (log scales; lower is better)</text>'
        f'<text x="{(left + width - right) / 2}" y="{height - 18}" text-anchor="middle" fill="#444">percentile of orders</text>')
open(sys.argv[3], "w").write(head + "".join(parts) + "</svg>\n")
