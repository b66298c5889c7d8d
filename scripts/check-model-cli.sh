#!/usr/bin/env bash
# `tern model predict` on every fixture in ../shared/models, compared with the library's own
# predictions: margins equal as doubles, predictions within 1 ulp of the library's float precision.
# Also runs `tern model inspect` on each.
set -euo pipefail
cd "$(dirname "$0")/.."
models=../shared/models
swift build -c release --product tern 2>&1 | grep -E "error|Compiling tern|Build" || true
tern=.build/release/tern
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for spec in xgb_bin:xgb_bin.json.gz xgb_mc:xgb_mc.json.gz xgb_small:xgb_small.ubj lgb_reg:lgb_reg.txt.gz \
    lgb_small:lgb_small.txt cb_bin:cb_bin.json.gz; do
    name=${spec%%:*}
    file=${spec#*:}
    "$tern" model inspect "$models/$file" > "$out/$name.inspect"
    "$tern" model predict "$models/$file" --input "$models/data_test.csv" --output "$out/$name.csv"
    python3 - "$out/$name.csv" "$models/$name.pred.csv" "$name" <<'PY'
import csv, math, struct, sys
got, want, name = list(csv.reader(open(sys.argv[1]))), list(csv.reader(open(sys.argv[2]))), sys.argv[3]
assert got[0] == want[0], f"{name}: header {got[0]} != {want[0]}"
assert len(got) == len(want), f"{name}: {len(got)} lines != {len(want)}"
k = (len(want[0]) - 1) // 2
def ulps(a, b, f32):
    if a == b: return 0
    fmt, ifmt = ("f", "i") if f32 else ("d", "q")
    ia, ib = (struct.unpack(ifmt, struct.pack(fmt, v))[0] for v in (a, b))
    return abs(ia - ib)
for g, w in zip(got[1:], want[1:]):
    for j in range(1, 1 + k):
        assert float(g[j]) == float(w[j]), f"{name} row {g[0]}: margin {g[j]} != {w[j]}"
    for j in range(1 + k, 1 + 2 * k):
        assert ulps(float(g[j]), float(w[j]), name.startswith("xgb")) <= 1, f"{name} row {g[0]}: pred {g[j]} != {w[j]}"
print(f"ok       tern model predict {name}: {len(got) - 1} rows match the library")
PY
done
