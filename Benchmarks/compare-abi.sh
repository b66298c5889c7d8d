#!/usr/bin/env bash
# The C ABI's overhead (issue 9): installs libtern.so (scripts/build-c-libs.sh), then runs
# abi-compare, which times the same risk check and single-row predict natively and through the
# library's exported functions in one process, and writes docs/benchmarks/c-abi.md.
set -euo pipefail
cd "$(dirname "$0")"
../scripts/build-c-libs.sh ../build/c > /dev/null
swift build -c release --product abi-compare 2>&1 | tail -1
"$(swift build -c release --show-bin-path)/abi-compare" ../build/c/lib/libtern.so ../../shared/models --markdown ../docs/benchmarks/c-abi.md "$@"
