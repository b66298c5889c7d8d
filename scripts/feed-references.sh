#!/usr/bin/env bash
# Decodes every file in ../shared/data with independent decoders (scripts/feed-references.py:
# databento-dbn for DBN, itchfeed for ITCH, Python's json and decimal for Binance and Bybit) and
# prints the path of the JSON the market-data tests compare against. Installs the PyPI packages
# into a virtual environment under .build/, once.
#
# usage: scripts/feed-references.sh [OUT_JSON]     (default .build/feed-references.json)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/feed-references.json}
data=../shared/data
venv=.build/venv-feeds
[ -d "$data" ] || { echo "feed references: $data is missing" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import databento_dbn, itch, zstandard" 2> /dev/null; then
    echo "== feed references: installing databento-dbn, itchfeed and zstandard into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check databento-dbn==0.72.0 itchfeed==1.6.4 zstandard >&2
fi
if [ ! -f "$out" ] || [ scripts/feed-references.py -nt "$out" ]; then
    echo "== feed references: decoding $data into $out" >&2
    mkdir -p "$(dirname "$out")"
    "$venv/bin/python" scripts/feed-references.py "$data" "$out" > "$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
fi
echo "$out"
