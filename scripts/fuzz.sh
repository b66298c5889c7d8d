#!/usr/bin/env bash
# Runs a libFuzzer target for a time budget; exits non-zero if it finds a crash or a violated property.
#
# usage: scripts/fuzz.sh TARGET SECONDS      (targets: price, models, risk, journal, feeds)
#
# Builds the target with `swiftc -sanitize=fuzzer,address` from the module's sources plus
# Fuzz/<target>/*.swift into .build-fuzz/, seeds a corpus from Fuzz/<target>/seeds.txt (one input
# per line) and the files in Fuzz/<target>/seeds/ (for `models`, also the small fixture models in
# ../shared/models, read in place; for `risk`, examples/risk's three files joined by 0x01 bytes), and
# runs. A crash leaves crash-<hash> in .build-fuzz/<target>/ with the input.
#
# `risk` compiles TernCore and TernRisk as one module, so its copies of their sources lose their
# imports of each other (in .build-fuzz/risk/src; the repository's files are untouched).
# `journal` does the same with TernCore, TernSystem, TernQueues, TernRisk and TernJournal, links
# CTernShims' C file (compiled with clang) and liburing/libnuma through module maps, and seeds its
# corpus with journals `tern` writes (a risk tape run and test records).
# `feeds` merges TernCore and TernMarketData, links libzstd and zlib, and seeds its corpus with the
# first bytes of each file in ../shared/data, decompressed (and, for the container reader, as stored).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}

case "$target" in
    price) sources=(Sources/TernCore/*.swift) ; module=TernCore ; max_len=96 ;;
    models) sources=(Sources/TernInference/*.swift) ; module=TernInference ; max_len=16384 ;;
    risk) sources=() ; module=TernRisk ; max_len=8192 ;;
    journal) sources=() ; module=TernJournal ; max_len=16384 ;;
    feeds) sources=() ; module=TernMarketData ; max_len=16384 ;;
    *) echo "unknown fuzz target '$target' (known: price, models, risk, journal, feeds)"; exit 2 ;;
esac

work=.build-fuzz/$target
extra=()
mkdir -p "$work/corpus"
# merge MODULE...: copies the modules' sources into $work/src as one module named $module, without
# their imports of each other and with names qualified by them qualified by $module instead.
merge() {
    rm -rf "$work/src" && mkdir -p "$work/src"
    local names
    names=$(IFS='|'; echo "$*")
    for m in "$@"; do
        for f in Sources/$m/*.swift; do
            sed -E -e "/^(@_exported )?(public |internal |package )?import ($names)\$/d" \
                -e "s/\<($names)\.([a-zA-Z])/$module.\2/g" "$f" > "$work/src/$m-$(basename "$f")"
        done
    done
    sources=("$work"/src/*.swift)
}
# modulemap NAME HEADER [LIBRARY]: a module map for a C target, added to the include path.
modulemap() {
    mkdir -p "$work/shims/$1"
    { printf 'module %s {\n    header "%s"\n' "$1" "$PWD/$2"; [ -n "${3:-}" ] && printf '    link "%s"\n' "$3"; printf '    export *\n}\n'; } \
        > "$work/shims/$1/module.modulemap"
    extra+=(-I "$work/shims/$1")
}
if [ "$target" = models ]; then
    # The AVX-512 top-levels kernel (C, chosen at run time).
    modulemap CTernTrees Sources/CTernTrees/include/tern_trees.h
    clang -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CTernTrees/include -c Sources/CTernTrees/top.c -o "$work/trees.o"
    extra+=("$work/trees.o")
fi
if [ "$target" = risk ]; then
    merge TernCore TernRisk
    modulemap CTernShims Sources/CTernShims/include/tern_shims.h  # TernRisk uses its prefetch
    { cat examples/risk/limits.conf; printf '\001'; cat examples/risk/instruments.csv; printf '\001'; cat examples/risk/events.csv; } \
        > "$work/corpus/seed-example"
fi
if [ "$target" = journal ]; then
    merge TernCore TernSystem TernQueues TernRisk TernJournal
    modulemap CTernShims Sources/CTernShims/include/tern_shims.h
    modulemap CNuma Sources/CNuma/shim.h numa
    modulemap CLiburing Sources/CLiburing/shim.h uring
    clang -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CTernShims/include -c Sources/CTernShims/shims.c -o "$work/shims.o"
    extra+=("$work/shims.o" -luring -lnuma)
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
if [ "$target" = feeds ]; then
    merge TernCore TernMarketData
    modulemap CZstd Sources/CZstd/shim.h zstd
    modulemap CZlib Sources/CZlib/shim.h z
    extra+=(-lzstd -lz)
    d=../shared/data
    if [ -d "$d" ]; then
        # A format byte, then the file's first bytes: 0 DBN, 1 Binance, 2 ITCH, 3 Bybit, 4 as stored.
        py=python3; [ -x .build/venv-feeds/bin/python ] && py=.build/venv-feeds/bin/python
        $py - "$d" "$work/corpus" <<'PY' || echo "warning: the DBN seeds need zstandard (scripts/feed-references.sh installs it)"
import gzip, sys, zipfile
d, out = sys.argv[1], sys.argv[2]
def seed(name, selector, data):
    open(f"{out}/seed-{name}", "wb").write(bytes([selector]) + data[:6000])
seed("binance-spot", 1, gzip.open(f"{d}/binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz").read())
seed("binance-usdm", 1, gzip.open(f"{d}/binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz").read())
seed("itch", 2, gzip.open(f"{d}/itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz").read())
z = zipfile.ZipFile(f"{d}/bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip")
seed("bybit", 3, z.read(z.infolist()[0]))
for f in ("bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip", "cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst"):
    seed("stored-" + f.split("/")[0], 4, open(f"{d}/{f}", "rb").read())
import zstandard
for f in ("esh4-glbx-mdp3-20231225.mbo.dbn.zst", "esu4-glbx-mdp3-20240701T2358-0002.mbp-1.dbn.zst"):
    seed("dbn-" + f[:4], 0, zstandard.ZstdDecompressor().stream_reader(open(f"{d}/cme-es-databento/{f}", "rb")).read())
PY
    fi
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
