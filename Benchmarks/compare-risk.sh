#!/usr/bin/env bash
# TernRisk's full check set and kill switch (issue 5) beside NautilusTrader's RiskEngine, in one run
# on one pinned CPU; prints the tables and the goals, and writes docs/benchmarks/risk.md and
# docs/benchmarks/risk.svg (latency by percentile).
#
# NautilusTrader needs Python >= 3.12: the script uses python3.12 from PATH or pyenv and installs
# nautilus-trader 1.231.0 into Benchmarks/.venv-risk (once, about 1 GB). Without Python 3.12 the
# anchor is skipped and the report says so.
#
# usage: Benchmarks/compare-risk.sh [--orders N] [--reps N] [--kills N]
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv-risk
work=.build/risk
mkdir -p "$work" ../docs/benchmarks
cpu=$(( $(nproc) - 1 ))
python312=$(command -v python3.12 || true)
for candidate in "$python312" ~/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2> /dev/null; then
        python312=$candidate
        break
    fi
    python312=
done
nautilus=()
if [ -n "$python312" ]; then
    if ! "$venv/bin/python" -c "import nautilus_trader" 2> /dev/null; then
        echo "== installing nautilus-trader 1.231.0 into $venv ($python312)"
        "$python312" -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check nautilus-trader==1.231.0
    fi
    echo "== NautilusTrader RiskEngine (CPU $cpu)"
    taskset -c "$cpu" "$venv/bin/python" RiskCompare/nautilus_risk.py --orders 20000 --reps 5 --out "$work/nautilus.json"
    nautilus=(--nautilus "$work/nautilus.json")
else
    echo "== no Python >= 3.12 found: NautilusTrader is not measured"
fi
echo "== building risk-compare (release)"
swift build -c release --product risk-compare 2>&1 | grep -E "error|Compiling|Build" || true
.build/release/risk-compare --cpu "$cpu" "${nautilus[@]}" --markdown ../docs/benchmarks/risk.md --curve "$work/curve.csv" "$@"
python3 RiskCompare/chart.py "$work/curve.csv" "$work/nautilus.json" ../docs/benchmarks/risk.svg
