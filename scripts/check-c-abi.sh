#!/usr/bin/env bash
# Proves the C ABI on this machine (CI runs it):
#   1. installs the libraries with scripts/build-c-libs.sh (build/c-check);
#   2. the header check SwiftPM builds (struct sizes, one call per area);
#   3. libtern.so exports exactly the functions include/tern.h declares (nm -D against gcc -E),
#      has SONAME libtern.so.1, and needs no Foundation;
#   4. the C and C++ examples compile with -Wall -Wextra -Werror -pedantic against libtern.so
#      and against libtern.a, and run;
#   5. the C tests (Tests/CTests/tern_test.c) pass against both libraries and again under
#      AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=build/c-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=../shared/models
[ -d "$models" ] || { echo "check-c-abi: $models is missing"; exit 1; }

echo "--- build and install ($PREFIX)"
scripts/build-c-libs.sh "$PREFIX" | tail -3
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig

echo "--- header check"
swift build -c release --product tern-header-check 2>&1 | tail -1
"$(swift build -c release --show-bin-path)/tern-header-check"

echo "--- exported symbols"
gcc -E -P -Iinclude include/tern.h | grep -oE '\btern_[a-z0-9_]+[[:space:]]*\(' | tr -d '( ' | sort -u > "$work/header.syms"
nm -D --defined-only "$PREFIX/lib/libtern.so" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u > "$work/library.syms"
if ! diff -u "$work/header.syms" "$work/library.syms"; then
    echo "check-c-abi: libtern.so's exports differ from include/tern.h (- header only, + library only)"
    exit 1
fi
echo "libtern.so exports exactly the $(wc -l < "$work/header.syms") functions of include/tern.h"
readelf -d "$PREFIX/lib/libtern.so" | grep -q 'SONAME.*\[libtern.so.1\]' || { echo "check-c-abi: SONAME is not libtern.so.1"; exit 1; }
if readelf -d "$PREFIX/lib/libtern.so" | grep NEEDED | grep -qi foundation; then
    echo "check-c-abi: libtern.so needs Foundation"; readelf -d "$PREFIX/lib/libtern.so" | grep NEEDED; exit 1
fi
echo "SONAME libtern.so.1; NEEDED: $(readelf -d "$PREFIX/lib/libtern.so" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"

echo "--- hot exported functions: no reference counting, exclusivity checks or allocation"
# Their callees inside Tern (RiskEngine.evaluate, QuantizedForest.predict) are proved by
# scripts/check-hot-paths.sh; here the C entry points themselves, and the thunks they jump to.
objdump -d --no-show-raw-insn "$PREFIX/lib/libtern.so" > "$work/libtern.dis"
for f in tern_risk_check tern_risk_submit tern_model_predict tern_spsc_ring_push tern_spsc_ring_pop tern_byte_ring_write; do
    body=$(awk -v f="<$f>:" '$2 == f { p = 1; next } p && /^$/ { exit } p' "$work/libtern.dis")
    [ -n "$body" ] || { echo "check-c-abi: $f not found in the disassembly"; exit 1; }
    # Follow calls to local thunks and closures (one level).
    for callee in $(echo "$body" | grep -oE 'call +[0-9a-f]+ <[^>@]+>' | sed 's/.*<\(.*\)>/\1/' | grep -E '^tern_|TernABI' | sort -u); do
        body+=$'\n'$(awk -v f="<$callee>:" '$2 == f { p = 1; next } p && /^$/ { exit } p' "$work/libtern.dis")
    done
    if echo "$body" | grep -E 'call.*<(swift_retain|swift_release|swift_beginAccess|swift_allocObject|malloc)' ; then
        echo "check-c-abi: $f makes a runtime call it must not"; exit 1
    fi
done
echo "no swift_retain/release/beginAccess/allocObject/malloc in tern_risk_check, _submit, tern_model_predict, the ring push/pop/write"

flags=(-Wall -Wextra -Werror -pedantic)
echo "--- examples (shared and static)"
gcc -std=c11 -O2 "${flags[@]}" examples/c/tern_example.c $(pkg-config --cflags --libs tern) -o "$work/c_shared"
gcc -std=c11 -O2 "${flags[@]}" examples/c/tern_example.c $(pkg-config --cflags --libs tern-static) -o "$work/c_static"
g++ -std=c++17 -O2 "${flags[@]}" examples/cpp/tern_example.cpp $(pkg-config --cflags --libs tern) -o "$work/cpp_shared"
g++ -std=c++17 -O2 "${flags[@]}" examples/cpp/tern_example.cpp $(pkg-config --cflags --libs tern-static) -o "$work/cpp_static"
args=("$models/xgb_small.json" examples/risk/limits.conf examples/risk/instruments.csv)
for exe in c_shared c_static cpp_shared cpp_static; do
    "$work/$exe" "${args[@]}" > "$work/$exe.out"
    echo "$exe: ok ($(wc -l < "$work/$exe.out") lines)"
done
cat "$work/c_shared.out"
diff <(grep -v '^tern ' "$work/c_shared.out") <(grep -v '^tern ' "$work/c_static.out")
diff "$work/cpp_shared.out" "$work/cpp_static.out"
readelf -d "$work/c_static" | grep -q 'libtern' && { echo "check-c-abi: the static example still needs libtern.so"; exit 1; }

echo "--- C tests (shared, static, AddressSanitizer + UndefinedBehaviorSanitizer)"
gcc -std=c11 -O1 -g "${flags[@]}" Tests/CTests/tern_test.c $(pkg-config --cflags --libs tern) -lm -o "$work/test_shared"
gcc -std=c11 -O1 -g "${flags[@]}" Tests/CTests/tern_test.c $(pkg-config --cflags --libs tern-static) -lm -o "$work/test_static"
gcc -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer "${flags[@]}" \
    Tests/CTests/tern_test.c $(pkg-config --cflags --libs tern) -lm -o "$work/test_sanitized"
"$work/test_shared" "$models" .
"$work/test_static" "$models" .
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 "$work/test_sanitized" "$models" .
echo "check-c-abi: ok"
