#!/usr/bin/env bash
# Trains the CI model fixtures with the real libraries (scripts/model-fixtures.py) and prints the
# folder they are in. Installs xgboost, lightgbm and catboost (the versions ../shared/models was made
# with) into a virtual environment under .build/, once.
#
# usage: scripts/model-fixtures.sh [OUT_DIR]     (default .build/model-fixtures)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/model-fixtures}
venv=.build/venv-models
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import xgboost, lightgbm, catboost" 2> /dev/null; then
    echo "== model fixtures: installing xgboost, lightgbm and catboost into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check numpy xgboost-cpu==3.2.0 lightgbm==4.7.0 catboost==1.2.10 >&2
fi
if [ ! -f "$out/manifest.json" ] || [ scripts/model-fixtures.py -nt "$out/manifest.json" ]; then
    echo "== model fixtures: training into $out" >&2
    "$venv/bin/python" scripts/model-fixtures.py "$out" > "$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
fi
echo "$out"
