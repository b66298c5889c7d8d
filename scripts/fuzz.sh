#!/usr/bin/env bash
# Runs a libFuzzer target for a time budget; exits non-zero if it finds a crash or a violated property.
#
# usage: scripts/fuzz.sh TARGET SECONDS      (targets: price, models, risk, journal)
#
# Builds the target with `swiftc -sanitize=fuzzer,address` from the module's sources plus
# Fuzz/<target>/*.swift into .build-fuzz/, seeds a corpus from Fuzz/<target>/seeds.txt (one input
# per line) and the files in Fuzz/<target>/seeds/ (for `models`, also the small fixture models in
# ../shared/models, read in place; for `risk`, examples/risk's three files joined by 0x01 bytes), and
# runs. A crash leaves crash-<hash> in .build-fuzz/<target>/ with the input.
#
# `risk` compiles TernCore and TernRisk as one module, so its copies of the TernRisk sources lose
# their `import TernCore` lines (in .build-fuzz/risk/src; the repository's files are untouched).
# `journal` does the same with TernCore, TernSystem, TernQueues, TernRisk and TernJournal, links
# CTernShims' C file (compiled with clang) and liburing/libnuma through module maps, and seeds its
# corpus with journals `tern` writes (a risk tape run and test records).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}

case "$target" in
    price) sources=(Sources/TernCore/*.swift) ; module=TernCore ; max_len=96 ;;
    models) sources=(Sources/TernInference/*.swift) ; module=TernInference ; max_len=16384 ;;
    risk) sources=() ; module=TernRisk ; max_len=8192 ;;
    journal) sources=() ; module=TernJournal ; max_len=16384 ;;
    *) echo "unknown fuzz target '$target' (known: price, models, risk, journal)"; exit 2 ;;
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
if [ "$target" = journal ]; then
    rm -rf "$work/src" && mkdir -p "$work/src" "$work/shims"
    for m in TernCore TernSystem TernQueues TernRisk TernJournal; do
        for f in Sources/$m/*.swift; do
            sed -E -e '/^(@_exported )?(public |internal |package )?import (TernCore|TernSystem|TernQueues|TernRisk)$/d' \
                -e 's/(TernCore|TernSystem|TernQueues|TernRisk)\.([a-zA-Z])/TernJournal.\2/g' "$f" > "$work/src/$m-$(basename "$f")"
        done
    done
    sources=("$work"/src/*.swift)
    for m in CTernShims CNuma CLiburing; do mkdir -p "$work/shims/$m"; done
    printf 'module CTernShims {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CTernShims/include/tern_shims.h" > "$work/shims/CTernShims/module.modulemap"
    printf 'module CNuma [system] {\n    header "%s"\n    link "numa"\n    export *\n}\n' "$PWD/Sources/CNuma/shim.h" > "$work/shims/CNuma/module.modulemap"
    printf 'module CLiburing [system] {\n    header "%s"\n    link "uring"\n    export *\n}\n' "$PWD/Sources/CLiburing/shim.h" > "$work/shims/CLiburing/module.modulemap"
    clang -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CTernShims/include -c Sources/CTernShims/shims.c -o "$work/shims.o"
    extra=(-I "$work/shims/CTernShims" -I "$work/shims/CNuma" -I "$work/shims/CLiburing" "$work/shims.o" -luring -lnuma)
    # Seeds: a journaled risk tape run and a journal of test records, written by `tern`.
    swift build --product tern 2>&1 | grep -E "error" || true
    rm -rf "$work/seedj"
    .build/debug/tern risk check --limits examples/risk/limits.conf --instruments examples/risk/instruments.csv \
        --events examples/risk/events.csv --output /dev/null --journal "$work/seedj/risk" 2> /dev/null
    # Segments hold at least one record of the largest size (64 KiB); the seeds keep their first
    # 6000 bytes (the rest is pre-allocated zeros), which the reader takes as a torn tail.
    .build/debug/tern journal torture "$work/seedj/test" --count 600 --segment-bytes 70000 > /dev/null
    head -c 8192 "$work/seedj/risk/segment-00000001.tjl" > "$work/corpus/seed-risk"
    { head -c 6000 "$work/seedj/test/segment-00000001.tjl"; printf '\000\377\000'; head -c 6000 "$work/seedj/test/segment-00000002.tjl"; } > "$work/corpus/seed-two-segments"
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
