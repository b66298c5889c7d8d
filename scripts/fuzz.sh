#!/usr/bin/env bash
# Runs a libFuzzer target for a time budget; exits non-zero if it finds a crash or a violated property.
#
# usage: scripts/fuzz.sh TARGET SECONDS      (targets: price, models, risk)
#
# Builds the target with `swiftc -sanitize=fuzzer,address` from the module's sources plus
# Fuzz/<target>/*.swift into .build-fuzz/, seeds a corpus from Fuzz/<target>/seeds.txt (one input
# per line) and the files in Fuzz/<target>/seeds/ (for `models`, also the small fixture models in
# ../shared/models, read in place; for `risk`, examples/risk's three files joined by 0x01 bytes), and
# runs. A crash leaves crash-<hash> in .build-fuzz/<target>/ with the input.
#
# `risk` compiles TernCore and TernRisk as one module, so its copies of the TernRisk sources lose
# their `import TernCore` lines (in .build-fuzz/risk/src; the repository's files are untouched).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}

case "$target" in
    price) sources=(Sources/TernCore/*.swift) ; module=TernCore ; max_len=96 ;;
    models) sources=(Sources/TernInference/*.swift) ; module=TernInference ; max_len=16384 ;;
    risk) sources=() ; module=TernRisk ; max_len=8192 ;;
    *) echo "unknown fuzz target '$target' (known: price, models, risk)"; exit 2 ;;
esac

work=.build-fuzz/$target
extra=()
mkdir -p "$work/corpus"
if [ "$target" = risk ]; then
    rm -rf "$work/src" && mkdir -p "$work/src"
    for f in Sources/TernRisk/*.swift; do
        sed -E '/^(public |internal )?import TernCore$/d' "$f" > "$work/src/$(basename "$f")"
    done
    sources=(Sources/TernCore/*.swift "$work"/src/*.swift)
    # TernRisk imports the header-only CTernShims (prefetch); give swiftc a module map for it.
    mkdir -p "$work/shims"
    printf 'module CTernShims {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CTernShims/include/tern_shims.h" > "$work/shims/module.modulemap"
    extra=(-I "$work/shims")
    { cat examples/risk/limits.conf; printf '\001'; cat examples/risk/instruments.csv; printf '\001'; cat examples/risk/events.csv; } \
        > "$work/corpus/seed-example"
fi
echo "== fuzz $target: building"
swiftc -parse-as-library -sanitize=fuzzer,address -O -g -module-name "$module" \
    -enable-upcoming-feature ExistentialAny "${extra[@]}" \
    "${sources[@]}" Fuzz/"$target"/*.swift -o "$work/fuzz-$target" 2> "$work/build.log" || {
    grep -v "Cannot export local symbol" "$work/build.log"; exit 1; }

if [ -f Fuzz/"$target"/seeds.txt ]; then
    i=0
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s' "$line" > "$work/corpus/seed-$i"
        i=$((i + 1))
    done < Fuzz/"$target"/seeds.txt
fi

if [ -d Fuzz/"$target"/seeds ]; then cp Fuzz/"$target"/seeds/* "$work/corpus/"; fi
if [ "$target" = models ] && [ -d ../shared/models ]; then
    for f in xgb_small.json xgb_small.ubj lgb_small.txt; do
        [ -f ../shared/models/$f ] && cp ../shared/models/$f "$work/corpus/fixture-$f"
    done
fi

echo "== fuzz $target: running for ${seconds}s"
cd "$work"
status=0
./"fuzz-$target" -max_total_time="$seconds" -max_len=$max_len -timeout=20 -print_final_stats=1 corpus > run.log 2>&1 || status=$?
grep -E "DONE|Done [0-9]+ runs|stat::number_of_executed_units|ERROR|SUMMARY|Fatal error|crash-|Test unit" run.log || true
if [ "$status" -ne 0 ]; then
    tail -40 run.log
    echo "fuzz $target: FAILED (exit $status); see $work for the crashing input"
    exit 1
fi
echo "fuzz $target: no crash, no violated property in ${seconds}s"
