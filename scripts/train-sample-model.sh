#!/usr/bin/env bash
# Trains the sample strategy's model from replayed data and embeds it in `tern`:
#   1. `tern features` writes the features of every book update of the CME ES MBO file
#      (../shared/data) and of a synthetic market with a seed other than the demo's;
#   2. scripts/train-sample-model.py fits XGBoost on the first 70% of each, reports the
#      out-of-sample fit on the rest, and writes examples/models/sample-strategy.json and
#      Sources/TernEngine/Sample/SampleModel.swift.
# The model is the project's own artifact: commit both files after a retrain.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${TERN_SHARED:-../shared}
scripts/install-deps.sh > /dev/null
venv=.build/venv-models
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import xgboost" 2> /dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check numpy xgboost-cpu==3.2.0
fi
swift build -c release --product tern 2>&1 | grep -E "error|warning: " || true
work=.build/sample-model
mkdir -p "$work"
.build/release/tern features --format dbn --file "$shared/data/cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst" --symbol ESH4 --tick 0.25 --output "$work/es.csv"
.build/release/tern features --format synthetic --seed 7 --messages 400000 --output "$work/synthetic.csv"
"$venv/bin/python" scripts/train-sample-model.py examples/models/sample-strategy.json Sources/TernEngine/Sample/SampleModel.swift "$work/es.csv" "$work/synthetic.csv"
