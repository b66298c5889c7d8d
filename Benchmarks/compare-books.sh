#!/usr/bin/env bash
# TernMarketData (issue 7): DBN decode, MBO apply to the L3 book (mean and per-event tail) and
# Binance JSON decode on the real files, with databento-dbn, NautilusTrader's L3 book and Python's
# json.loads as anchors in the same run; writes docs/benchmarks/market-data.md and market-data.svg.
#
# NautilusTrader needs Python >= 3.12: the script makes Benchmarks/.build/venv-nautilus with it when
# a python3.12 is found (pyenv's included), else the anchors run without it and the table says so.
#
# usage: Benchmarks/compare-books.sh [--reps N]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p ../docs/benchmarks
venv=.build/venv-nautilus
if [ ! -x "$venv/bin/python" ]; then
    py312=$(command -v python3.12 2> /dev/null || ls -d /root/.pyenv/versions/3.1[2-4]*/bin/python3 2> /dev/null | head -1 || true)
    if [ -n "$py312" ] && "$py312" --version > /dev/null 2>&1; then
        echo "== installing nautilus-trader, databento-dbn and zstandard into $venv"
        "$py312" -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check nautilus-trader databento-dbn==0.72.0 zstandard
    fi
fi
python=$venv/bin/python
if [ ! -x "$python" ]; then
    echo "== no Python 3.12: NautilusTrader is left out of the comparison"
    (cd .. && scripts/feed-references.sh > /dev/null)
    python=../.build/venv-feeds/bin/python
fi
echo "== building book-compare (release)"
swift build -c release --product book-compare 2>&1 | grep -E "error|Compiling|Build" || true
.build/release/book-compare --python "$PWD/$python" --markdown ../docs/benchmarks/market-data.md --svg ../docs/benchmarks/market-data.svg "$@"
