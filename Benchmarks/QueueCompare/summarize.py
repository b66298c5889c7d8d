#!/usr/bin/env python3
"""Summarizes Benchmarks/compare-queues.sh output: medians per cell, and the median over rounds of
Tern's per-round ratio to the best C++ anchor of that round, checked against the goals.

usage: summarize.py RAW.txt [--svg OUT.svg]
"""

import argparse
import statistics
import sys
from collections import defaultdict


def parse(path):
    header, rows = [], []
    for line in open(path):
        line = line.strip()
        if not line.startswith("round="):
            if line and not line.startswith("=="):
                header.append(line)
            continue
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        rows.append(fields)
    return header, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("--svg")
    args = parser.parse_args()
    header, rows = parse(args.raw)

    # value[(queue, test, payload, metric)][round] = float
    value = defaultdict(dict)
    bad = []
    for r in rows:
        if "test" not in r:
            continue
        if r.get("ok") == "0":
            bad.append(r)
        for metric in ("steady_mps", "steady_p90_mps", "wall_mps", "p50_ns", "p99_ns", "p999_ns"):
            if metric in r:
                value[(r["queue"], r["test"], r["payload"], metric)][r["round"]] = float(r[metric])
    if bad:
        print(f"WARNING: {len(bad)} run(s) had a wrong checksum: {bad[:2]}")

    probes = list(value[("probe", "c2c", "0", "p50_ns")].values())
    rounds = sorted({r["round"] for r in rows}, key=int)
    for line in header:
        print(line)
    print(
        f"rounds: {len(rounds)}; one-line probe RTT p50 median {statistics.median(probes):.0f} ns"
        f" (range {min(probes):.0f}–{max(probes):.0f})"
        if probes
        else ""
    )
    print()

    # (label, test, payload, metric, anchors, higher_is_better, goal ratio, anchor metric override)
    checks = []
    for payload in ("8", "64"):
        checks += [
            (f"SPSC throughput {payload} B, steady M msg/s", "tput", payload, "steady_mps", ["boost", "rwq"], True, 1.0, None),
            (f"SPSC RTT p50 {payload} B, ns", "rtt", payload, "p50_ns", ["boost", "rwq"], False, 1.0, None),
            (f"SPSC RTT p99 {payload} B, ns", "rtt", payload, "p99_ns", ["boost", "rwq"], False, 1.2, None),
            (f"SPSC RTT p99.9 {payload} B, ns", "rtt", payload, "p999_ns", ["boost", "rwq"], False, 1.5, None),
            (f"batch API {payload} B, steady M msg/s", "batch", payload, "steady_mps", ["boost"], True, 1.0, None),
            (
                f"batch API {payload} B vs anchors' batched regime (p90)",
                "batch",
                payload,
                "steady_mps",
                ["boost", "rwq"],
                True,
                1.0,
                ("tput", "steady_p90_mps"),
            ),
        ]

    print("| measurement | boost | moodycamel rwq | Tern | Tern ÷ best anchor (median of rounds) | goal | met |")
    print("|---|---:|---:|---:|---:|---:|:---:|")
    chart = []
    all_met = True
    for label, test, payload, metric, anchors, higher, goal, override in checks:
        a_test, a_metric = override if override else (test, metric)
        tern = value.get(("tern", test, payload, metric), {})
        cells, ratios = [], []
        for anchor in ("boost", "rwq"):
            v = value.get((anchor, a_test, payload, a_metric), {})
            cells.append(f"{statistics.median(v.values()):.1f}" if anchor in anchors and v else "—")
        for rnd in rounds:
            anchor_values = [
                value[(a, a_test, payload, a_metric)][rnd]
                for a in anchors
                if rnd in value.get((a, a_test, payload, a_metric), {})
            ]
            if rnd not in tern or not anchor_values:
                continue
            best = max(anchor_values) if higher else min(anchor_values)
            if best > 0:
                ratios.append(tern[rnd] / best)
        if not ratios:
            continue
        ratio = statistics.median(ratios)
        met = ratio >= goal if higher else ratio <= goal
        all_met = all_met and met
        sign = "≥" if higher else "≤"
        print(
            f"| {label} | {cells[0]} | {cells[1]} | {statistics.median(tern.values()):.1f} | {ratio:.2f}× "
            f"(rounds {min(ratios):.2f}–{max(ratios):.2f}) | {sign} {goal:.1f}× | {'yes' if met else 'NO'} |"
        )
        chart.append((label, ratio if higher else 1 / ratio, goal if higher else 1 / goal))

    print()
    print("| MPSC / broadcast (8 B, M msg/s) | steady p50 | whole run | note |")
    print("|---|---:|---:|---|")
    for name in sorted({k[0] for k in value if k[0].startswith(("mpsc", "broadcast"))}):
        steady = value.get((name, "tput", "8", "steady_mps"), {})
        wall = value.get((name, "tput", "8", "wall_mps"), {})
        threads = int(name.rsplit("-", 1)[1][:-1]) + 1
        note = "oversubscribed: more threads than CPUs" if threads > 2 else ""
        if steady:
            print(
                f"| {name} | {statistics.median(steady.values()):.1f} | {statistics.median(wall.values()):.1f} | {note} |"
            )
    print()
    print("all SPSC goals met" if all_met else "NOT all SPSC goals met in this run")

    if args.svg:
        write_svg(args.svg, chart, header, probes, len(rounds))
        print(f"chart: {args.svg}")
    return 0


def write_svg(path, chart, header, probes, rounds):
    """A horizontal bar chart: Tern's advantage over the best anchor (>1 = Tern better)."""
    width, left, bar_h, gap, top = 760, 330, 18, 8, 58
    scale_max = max(2.0, max(r for _, r, _ in chart) * 1.1)
    scale_max = min(scale_max, 16)
    plot_w = width - left - 60
    height = top + len(chart) * (bar_h + gap) + 50

    def x(v):
        return left + min(v, scale_max) / scale_max * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        '<text x="10" y="20" font-size="15" font-weight="bold">Tern SPSCRing vs the best C++ anchor (boost, moodycamel), same run</text>',
        f'<text x="10" y="38" fill="#555">bar = Tern ÷ best anchor for throughput, best anchor ÷ Tern for latency: right of 1 means Tern is better. '
        f"Median of {rounds} interleaved rounds.</text>",
    ]
    for i, (label, ratio, goal) in enumerate(chart):
        y = top + i * (bar_h + gap)
        color = "#2f7d32" if ratio >= goal else "#c62828"
        parts.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{x(ratio) - left:.1f}" height="{bar_h}" fill="{color}" opacity="0.85"/>')
        parts.append(f'<line x1="{x(goal):.1f}" x2="{x(goal):.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="black" stroke-dasharray="3,2"/>')
        shown = f"{ratio:.2f}×" + ("+" if ratio > scale_max else "")
        parts.append(f'<text x="{x(ratio) + 4:.1f}" y="{y + 13}">{shown}</text>')
    base_y = top + len(chart) * (bar_h + gap)
    parts.append(f'<line x1="{x(1):.1f}" x2="{x(1):.1f}" y1="{top - 6}" y2="{base_y}" stroke="#333"/>')
    parts.append(f'<text x="{x(1):.1f}" y="{base_y + 14}" text-anchor="middle">1× (parity)</text>')
    parts.append(f'<text x="10" y="{base_y + 34}" fill="#555">dashed: the goal. {" · ".join(header[:1])}; probe RTT p50 {statistics.median(probes):.0f} ns</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    sys.exit(main())
