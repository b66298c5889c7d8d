#!/usr/bin/env python3
"""Summarizes Benchmarks/compare-queues.sh output. Each measurement carries the one-line probe RTT
taken just before it; measurements are split into the VM's fast and slow states by that probe, and
within each state the table gives the median of every cell and Tern's median divided by the best
anchor's median, checked against the goals.

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


FAST_STATE_NS = 200  # probe RTT below this: the VM's fast state (ringbuf.md §1)


def state_of(row):
    probe = float(row.get("probe_ns", 0))
    return "fast" if probe < FAST_STATE_NS else "slow"


def checks():
    """(label, test, payload, metric, anchors, higher_is_better, goal, (anchor test, anchor metric) or None)"""
    out = []
    for payload in ("8", "64"):
        out += [
            (f"SPSC throughput {payload} B, steady M msg/s", "tput", payload, "steady_mps", ["boost", "rwq"], True, 1.0, None),
            (f"SPSC RTT p50 {payload} B, ns", "rtt", payload, "p50_ns", ["boost", "rwq"], False, 1.0, None),
            (f"SPSC RTT p99 {payload} B, ns", "rtt", payload, "p99_ns", ["boost", "rwq"], False, 1.2, None),
            (f"SPSC RTT p99.9 {payload} B, ns", "rtt", payload, "p999_ns", ["boost", "rwq"], False, 1.5, None),
            (f"batch API {payload} B, steady M msg/s", "batch", payload, "steady_mps", ["boost"], True, 1.0, None),
            (
                f"batch API {payload} B vs anchors' batched regime (p90)",
                "batch", payload, "steady_mps", ["boost", "rwq"], True, 1.0, ("tput", "steady_p90_mps"),
            ),
        ]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("--svg")
    args = parser.parse_args()
    header, rows = parse(args.raw)

    # values[state][(queue, test, payload, metric)] = [float, ...]
    values = defaultdict(lambda: defaultdict(list))
    probes = defaultdict(list)
    bad = [r for r in rows if r.get("ok") == "0"]
    for r in rows:
        if "test" not in r:
            continue
        state = state_of(r)
        probes[state].append(float(r.get("probe_ns", 0)))
        for metric in ("steady_mps", "steady_p90_mps", "wall_mps", "p50_ns", "p99_ns", "p999_ns"):
            if metric in r:
                values[state][(r["queue"], r["test"], r["payload"], metric)].append(float(r[metric]))
    if bad:
        print(f"WARNING: {len(bad)} run(s) had a wrong checksum: {bad[:2]}")
    for line in header:
        print(line)
    rounds = sorted({r["round"] for r in rows}, key=int)
    print(f"rounds: {len(rounds)}; measurements per state: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(probes.items())))

    chart, verdicts = [], []
    for state in ("fast", "slow"):
        if state not in values:
            continue
        v = values[state]
        p = probes[state]
        print()
        print(
            f"### {state} state: one-line probe RTT < {FAST_STATE_NS} ns" if state == "fast"
            else f"### slow state: one-line probe RTT >= {FAST_STATE_NS} ns"
        )
        print(f"probe RTT p50: median {statistics.median(p):.0f} ns (range {min(p):.0f}–{max(p):.0f})")
        print()
        print("| measurement | boost | moodycamel rwq | Tern | Tern ÷ best anchor | goal | met |")
        print("|---|---:|---:|---:|---:|---:|:---:|")
        for label, test, payload, metric, anchors, higher, goal, override in checks():
            a_test, a_metric = override if override else (test, metric)
            tern = v.get(("tern", test, payload, metric))
            medians = {a: statistics.median(v[(a, a_test, payload, a_metric)]) for a in anchors if v.get((a, a_test, payload, a_metric))}
            if not tern or not medians:
                continue
            best = max(medians.values()) if higher else min(medians.values())
            ratio = statistics.median(tern) / best
            met = ratio >= goal if higher else ratio <= goal
            verdicts.append((state, label, met))
            cells = [f"{medians[a]:.1f}" if a in medians else "—" for a in ("boost", "rwq")]
            n = min(len(tern), *(len(v[(a, a_test, payload, a_metric)]) for a in medians))
            sign = "≥" if higher else "≤"
            print(
                f"| {label} | {cells[0]} | {cells[1]} | {statistics.median(tern):.1f} | {ratio:.2f}× (n={n}) "
                f"| {sign} {goal:.1f}× | {'yes' if met else 'NO'} |"
            )
            chart.append((f"{label} [{state}]", ratio if higher else 1 / ratio, goal if higher else 1 / goal))
        print()
        print("| MPSC / broadcast (8 B, M msg/s) | steady p50 | whole run | note |")
        print("|---|---:|---:|---|")
        for name in sorted({k[0] for k in v if k[0].startswith(("mpsc", "broadcast"))}):
            steady = v.get((name, "tput", "8", "steady_mps"))
            wall = v.get((name, "tput", "8", "wall_mps"))
            threads = int(name.rsplit("-", 1)[1][:-1]) + 1
            note = "oversubscribed: more threads than CPUs" if threads > 2 else ""
            if steady:
                print(f"| {name} | {statistics.median(steady):.1f} | {statistics.median(wall):.1f} | {note} |")

    print()
    missed = [f"{label} [{state}]" for state, label, met in verdicts if not met]
    print("all SPSC goals met in every state measured" if not missed else "goals NOT met: " + "; ".join(missed))
    if args.svg:
        all_probes = [x for p in probes.values() for x in p]
        write_svg(args.svg, chart, header, all_probes, len(rounds))
        print(f"chart: {args.svg}")
    return 0


def write_svg(path, chart, header, probes, rounds):
    """A horizontal bar chart: Tern's advantage over the best anchor (>1 = Tern better)."""
    width, left, bar_h, gap, top = 900, 430, 18, 8, 58
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
        '<text x="10" y="38" fill="#555">right of 1× = Tern better (throughput: Tern ÷ best anchor; latency: best anchor ÷ Tern);'
        f" medians within each probe state, {rounds} interleaved rounds</text>",
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
    parts.append(f'<text x="10" y="{base_y + 34}" fill="#555">dashed: the goal. {" · ".join(header[:1])}; fast state: probe &lt; {FAST_STATE_NS} ns</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    sys.exit(main())
