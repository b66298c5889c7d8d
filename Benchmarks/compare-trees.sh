#!/usr/bin/env bash
# Tern's QuantizedForest against the fastest native predictors of the same two models (trees.md
# §7), in one process, on one pinned CPU, interleaved rep by rep; prints the table and the ratios
# the goals are stated in, and writes it to docs/benchmarks/trees.md.
#
#   xgb_bin (XGBoost, 300 trees, depth 6):  XGBoost C API, tl2cgen C (plain and quantize=1)
#   lgb_reg (LightGBM, 500 trees, 31 leaves): LightGBM C API, tl2cgen C (both), lleaves
#
# Installs the anchors from PyPI into Benchmarks/.venv-trees (xgboost, lightgbm, treelite, tl2cgen,
# lleaves with llvmlite<0.45), generates and compiles tl2cgen's C with gcc -O3 -march=native,
# compiles lleaves objects, and makes a 100k-row benchmark matrix from ../shared/models (once; in
# .build/trees/; the tl2cgen compile of the 500-tree model takes about four minutes).
#
# usage: Benchmarks/compare-trees.sh [--reps N] [--single N] [--batch N]
set -euo pipefail
cd "$(dirname "$0")"
../scripts/install-deps.sh gcc python3-venv
venv=.venv-trees
work=.build/trees
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import xgboost, lightgbm, treelite, tl2cgen, lleaves" 2> /dev/null; then
    echo "== installing the anchors into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check numpy xgboost-cpu==3.2.0 lightgbm==4.7.0 treelite==4.8.1 \
        tl2cgen==1.0.0 lleaves==1.3.0 'llvmlite<0.45'
fi
if [ ! -f "$work/anchors.json" ] || [ TreeCompare/prepare.py -nt "$work/anchors.json" ]; then
    echo "== building the anchors into $work (tl2cgen C compile: a few minutes)"
    "$venv/bin/python" TreeCompare/prepare.py --models ../../shared/models --work "$work"
fi
# The anchors are compiled for this CPU (tl2cgen: gcc -march=native; lleaves: LLVM for the host CPU),
# so Tern is too (-target-cpu native), in its own scratch directory. A second, short run of the
# default (baseline x86-64) build shows what a build without the flag gets.
echo "== building tree-compare (release, -target-cpu native)"
build_quietly() {
    # A failed build stops the script (a stale binary would be timed otherwise).
    local log
    log=$(mktemp)
    if ! swift build "$@" > "$log" 2>&1; then
        cat "$log"
        rm -f "$log"
        exit 1
    fi
    grep -E "Build" "$log" || true
    rm -f "$log"
}
build_quietly -c release --product tree-compare --scratch-path .build-native -Xswiftc -target-cpu -Xswiftc native
echo "== building tree-compare (release, baseline x86-64)"
build_quietly -c release --product tree-compare
mkdir -p ../docs/benchmarks
OMP_NUM_THREADS=1 .build-native/release/tree-compare --work "$work" --markdown ../docs/benchmarks/trees.md "$@"
baseline=$(mktemp)
OMP_NUM_THREADS=1 .build/release/tree-compare --work "$work" --only tern,tl2cgen-quantize,lleaves --reps 3 --markdown "$baseline" > /dev/null
{
    echo
    echo "### The same Tern code built for baseline x86-64 (no -target-cpu; 3 reps, Tern and the best anchors only)"
    echo
    grep -E '^\|' "$baseline"
    echo
    grep -E 'breakdown|Tern p50' "$baseline"
} >> ../docs/benchmarks/trees.md
rm -f "$baseline"
sed -n '/^### The same/,$p' ../docs/benchmarks/trees.md
python3 TreeCompare/chart.py ../docs/benchmarks/trees.md ../docs/benchmarks/trees.svg
