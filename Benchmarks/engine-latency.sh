#!/usr/bin/env bash
# Tick-to-order latency and whole-pipeline throughput of the reference host on replayed data:
# the synthetic market (tern demo's), the CME ES MBO file and the Binance USD-M capture
# (../shared/data). Each configuration runs RUNS times (default 3) with the feed in lockstep (one
# venue message in flight: latency without replay queueing) and once saturating (events/s).
# Writes docs/benchmarks/engine.md and the latency pictures of the median run beside it.
#
# usage: Benchmarks/engine-latency.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
scripts/install-deps.sh > /dev/null
swift build -c release --product tern 2>&1 | grep -E "error|warning: " || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shared=$(cd .. && pwd)/shared

cat > "$work/synthetic.conf" <<CONF
[data]
format = synthetic
messages = 1000000
CONF
sed "s#\.\./\.\./\.\./shared#$shared#; s#= limits.conf#= $PWD/examples/engine/limits.conf#; s#= instruments.csv#= $PWD/examples/engine/instruments.csv#; s#= \.\./models/#= $PWD/examples/models/#" examples/engine/es-mbo.conf > "$work/es.conf"
sed "s#\.\./\.\./\.\./shared#$shared#; s#= limits.conf#= $PWD/examples/engine/limits.conf#; s#= instruments.csv#= $PWD/examples/engine/instruments.csv#; s#= \.\./models/#= $PWD/examples/models/#" examples/engine/binance-usdm.conf > "$work/binance.conf"

run() {  # config tag run → summary file
    .build/release/tern run --config "$1" --picture "$work/$2-$3.svg" > "$work/$2-$3.txt" 2> /dev/null
}

for tag in synthetic es binance; do
    for i in $(seq 1 "$runs"); do run "$work/$tag.conf" "$tag" "$i"; done
    cp "$work/$tag.conf" "$work/$tag-sat.conf"
    printf '\n[threads]\nlockstep = false\n' >> "$work/$tag-sat.conf"
    # es and binance have no [threads] section; synthetic neither.
    run "$work/$tag-sat.conf" "$tag" sat
done

python3 - "$work" "$runs" <<'PY'
import re, shutil, statistics, subprocess, sys, os
work, runs = sys.argv[1], int(sys.argv[2])
def us(text):
    m = re.match(r"([\d.]+) (ns|µs|ms|s)", text)
    v = float(m.group(1)); return v * {"ns": 1e-3, "µs": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
def parse(path):
    t = open(path).read()
    lat = re.search(r"tick→order  p50 (.+?)  p99 (.+?)  p99\.9 (.+?)  max (.+?)  \((\d+) requests\)", t)
    speed = re.search(r"speed +([\d,]+) events/s", t)
    data = re.search(r"^data +(.*)$", t, re.M).group(1)
    threads = re.search(r"^threads +(.*)$", t, re.M).group(1)
    return dict(p50=us(lat.group(1)), p99=us(lat.group(2)), p999=us(lat.group(3)), mx=us(lat.group(4)), n=int(lat.group(5)),
                eps=int(speed.group(1).replace(",", "")), data=data, threads=threads)
names = {"synthetic": "synthetic market (tern demo, 1M messages)", "es": "CME ES MBO, 2023-12-25 (Databento)", "binance": "Binance USD-M BTCUSDT, 2024-08-08"}
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
rows = []
for tag in ["synthetic", "es", "binance"]:
    rs = [parse(f"{work}/{tag}-{i}.txt") for i in range(1, runs + 1)]
    order = sorted(range(runs), key=lambda i: rs[i]["p50"])
    med = order[len(order) // 2]
    shutil.copy(f"{work}/{tag}-{med + 1}.svg", f"docs/benchmarks/engine-{tag}.svg")
    sat = parse(f"{work}/{tag}-sat.txt")
    rows.append((tag, rs, rs[med], sat))
out = ["# Engine: tick-to-order latency and pipeline throughput", "",
       f"Measured by `Benchmarks/engine-latency.sh` on {cpu}, {os.cpu_count()} CPUs (a shared, noisy cloud machine; no CPU isolation).",
       f"Threads: {rows[0][2]['threads']}.", "",
       "Tick-to-order: from the moment the feed thread hands on the venue message that caused a request to the",
       "moment the engine thread hands the request to the gateway thread (book, features, model, strategy, risk and",
       "journal record in between). Medians of " + str(runs) + " runs; the goals are p50 ≤ 2 µs and p99 ≤ 10 µs.", "",
       "| data | requests | p50 | p99 | p99.9 | max | p50 of each run | events/s (lockstep) | events/s (saturating) |",
       "|---|---|---|---|---|---|---|---|---|"]
for tag, rs, m, sat in rows:
    out.append(f"| {names[tag]} | {m['n']} | {m['p50']:.1f} µs | {m['p99']:.1f} µs | {m['p999']:.1f} µs | {m['mx']:.1f} µs | "
               + ", ".join(f"{r['p50']:.1f}" for r in rs) + f" µs | {statistics.median(r['eps'] for r in rs):,} | {sat['eps']:,} |")
out += ["", "The distributions of the median runs (latency against percentile, the goals dashed):", ""]
for tag, _, _, _ in rows:
    out += [f"![{names[tag]}](engine-{tag}.svg)", ""]
open("docs/benchmarks/engine.md", "w").write("\n".join(out))
print("\n".join(out[:16]))
PY
